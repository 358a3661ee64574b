//! Suppliers whose ODM claims are supported as of 2026-11-15 but which still
//! carry flags: DG-MAGFIT's critical answer and past-due findings, XM-BAMBOO's
//! terms far outside the ODM range.

use casebook::model::{
    AnswerResult::{Na, No, Partial, Yes},
    AuditKind, AuditStatus, Capability as C, ClaimSource as Src, EvidenceKind as K, FindingSeverity as Sev,
    Pillar as P, Process, Strength as S, Supplier, SupplierRecord,
};

use super::supported::story;
use super::{Ev, LotPlan, OEM_ODM, Story, answers, audit, claim, closed, company, evidence, finding};

const MAGFIT_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::DfmEvaluation,
        K::DfmReport,
        S::Document,
        "2026-10-20",
        "DFM report for Orbit Gear (IP16 Pro MagSafe clear case), rev A: ring pocket depth, gate moved off the ring area",
        "DFM-ORB-IP16P-A.pdf",
    ),
    (
        P::DfmEvaluation,
        K::ToolingRecord,
        S::Observed,
        "2026-10-20",
        "T1 mould trial report IP16-MAG 1×2 cavity: ring-pocket flatness 0.05 mm after the T1 correction",
        "IMG_5102.jpg",
    ),
    (
        P::DfmEvaluation,
        K::Other,
        S::Document,
        "2026-10-21",
        "Engineering change log pilot → MP for IP16-MAG (ECN-24 to ECN-31)",
        "ECN-IP16MAG.pdf",
    ),
    (
        P::AssemblyConstraints,
        K::Fixture,
        S::Observed,
        "2026-10-20",
        "MagSafe ring alignment jig with vision check on 100% of units; pull force 800–1100 gf logged",
        "IMG_5110.jpg",
    ),
    (
        P::AssemblyConstraints,
        K::WorkInstruction,
        S::Document,
        "2026-10-21",
        "Tolerance stack-up for ring-to-coil offset, camera cut-out and side keys (IP16-MAG)",
        "STACK-IP16MAG-r3.xlsx",
    ),
    (
        P::AssemblyConstraints,
        K::FirstArticle,
        S::Observed,
        "2026-10-21",
        "First-article check of IP16PM-MAG on real iPhone 16 Pro Max devices at the line",
        "IMG_5115.jpg",
    ),
];

pub fn magfit() -> Story {
    let supplier = Supplier {
        moq: Some(300),
        dev_lead_days: Some(90),
        notes: Some("Songshan Lake. Magnet-ring assembly lines; TPU+PC shells co-moulded in house.".to_owned()),
        ..company("DG-MAGFIT", "MagFit Precision Accessories (Dongguan) Co., Ltd.", "Dongguan", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::StructuralDesign,
            Src::RfqResponse,
            "2025-11-05",
            "MagSafe ring placement designed and validated in house (±0.15 mm to the device coil)",
        ),
        claim(C::MassProduction, Src::Website, "2025-03-01", "MagSafe cases, 600k a month"),
    ];
    let mut visit = audit(
        "A-2026-038",
        "lin.wei",
        "2026-10-20",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Engineering and assembly evidence solid. Legitimacy problem: the proforma names a Hong Kong company as \
         payee. Rejected magnet rings not segregated (critical finding).",
    );
    visit.evidence = evidence(MAGFIT_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            (
                "LG-02",
                No,
                "Proforma PI-2610-044 asks for payment to MagFit Trading (HK) Ltd., not the licensed Dongguan company",
            ),
            ("MC-04", Partial, "UV test on clear SKUs only"),
            ("DF-05", Partial, "Own designs are MagSafe variants of client cases"),
            ("QC-04", No, "Rejected magnet rings in open bins beside line 3, no red tags"),
        ],
    );
    visit.findings = vec![
        finding(
            Sev::Critical,
            "Rejected MagSafe rings (pull force < 800 gf) kept in open bins beside line 3 and mixed into WIP; no red-tag segregation",
            "MagFit production manager (Mr. Liang)",
            "2026-10-20",
        ),
        finding(
            Sev::Major,
            "Payment beneficiary (MagFit Trading (HK) Ltd.) differs from the licensed company; bank letter requested",
            "MagFit finance",
            "2026-10-20",
        ),
        closed(
            finding(Sev::Minor, "Pull-force tester without a calibration label", "MagFit QC", "2026-10-20"),
            "2026-10-30",
            "Calibration certificate DG-CAL-1029 for the pull-force tester",
            "lin.wei",
        ),
    ];
    let plan = LotPlan::new("MF", "2025-01-06", "2026-11-10", 200, 0.07).making(&[
        ("IP16-MAG", Process::Assembly, "TPU+PC"),
        ("IP16PM-MAG", Process::Assembly, "TPU+PC"),
        ("IP15-CLEARMAG", Process::Assembly, "PC"),
        ("IP16-MAGSHELL", Process::CoMolding, "TPU+PC"),
    ]);
    story(
        SupplierRecord {
            supplier,
            claims,
            audits: vec![visit],
            lots: Vec::new(),
            annotations: Vec::new(),
            control_plans: Vec::new(),
        },
        &plan,
    )
}

const BAMBOO_DESK_EVIDENCE: &[Ev] = &[
    (
        P::DfmEvaluation,
        K::DfmReport,
        S::Document,
        "2026-08-06",
        "Feasibility and DFM report for EcoLeaf (IP16 bamboo-veneer case), 22 pages: veneer 0.6 mm, lamination pressure trials",
        "FEAS-ECOLEAF-IP16.pdf",
    ),
    (
        P::DfmEvaluation,
        K::ToolingRecord,
        S::Document,
        "2026-08-06",
        "Pilot-run change log: laminating press temperature and PUR glue changes between pilot and MP",
        "PILOT-IP16BB.xlsx",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Stated,
        "2026-08-06",
        "Says veneer/TPU peel strength is tested on every batch; no report sent",
        "",
    ),
];

pub fn bamboo() -> Story {
    let supplier = Supplier {
        moq: Some(5000),
        dev_lead_days: Some(300),
        notes: Some(
            "Xiang'an. Bamboo and wood-veneer backs laminated onto TPU frames; small team, long development cycles."
                .to_owned(),
        ),
        ..company("XM-BAMBOO", "Bamboo Craft Eco Cases (Xiamen) Co., Ltd.", "Xiamen", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::Feasibility,
            Src::Other,
            "2025-10-18",
            "Canton Fair booth, autumn 2025: feasibility studies for bamboo and wood-veneer cases on any device",
        ),
        claim(C::MassProduction, Src::Website, "2025-10-18", "Eco cases in bamboo veneer on TPU frames"),
    ];
    let mut desk = audit(
        "A-2026-028",
        "maria.santos",
        "2026-08-06",
        AuditKind::DeskReview,
        AuditStatus::Submitted,
        "Desk review of engineering documents. Feasibility and DFM work is real; terms are far outside an ODM range \
         (MOQ 5,000, 300 days to develop).",
    );
    desk.evidence = evidence(BAMBOO_DESK_EVIDENCE);
    desk.answers = answers(
        &[""],
        Yes,
        &[
            ("LG-03", Na, "Not verifiable on a desk review"),
            ("LG-04", Na, "Not verifiable on a desk review"),
            ("MC-02", Partial, "Peel tests claimed, no records sent"),
            ("MC-04", Partial, ""),
            ("AC-02", Na, "Not verifiable on a desk review"),
            ("AC-04", Na, "No MagSafe products"),
            ("QC-04", Na, "Not verifiable on a desk review"),
        ],
    );
    let plan = LotPlan::new("BB", "2024-12-02", "2026-11-10", 120, 0.10).making(&[
        ("IP16-BAMBOO", Process::Assembly, "bamboo veneer+TPU"),
        ("IP15-BAMBOO", Process::Assembly, "bamboo veneer+TPU"),
        ("IP16-BBFRAME", Process::Injection, "TPU"),
    ]);
    story(
        SupplierRecord {
            supplier,
            claims,
            audits: vec![desk],
            lots: Vec::new(),
            annotations: Vec::new(),
            control_plans: Vec::new(),
        },
        &plan,
    )
}
