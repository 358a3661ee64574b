//! Suppliers whose ODM claims are only partly supported as of 2026-11-15,
//! each for a different reason: stale evidence, yield out of control, a draft
//! audit, too few lots, low first-pass yield.

use casebook::model::{
    AnswerResult::{Na, No, Partial, Yes},
    AuditKind, AuditStatus, Capability as C, ClaimSource as Src, EvidenceKind as K, FindingSeverity as Sev,
    Pillar as P, Process, Strength as S, Supplier, SupplierRecord,
};

use super::{Ev, LotPlan, OEM_ODM, Story, answers, audit, claim, closed, company, evidence, finding};

const LEGACY_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Observed,
        "2024-03-12",
        "TPU/PC peel tests per batch, log reviewed for January–March 2024",
        "IMG_8812.jpg",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2024-03-12",
        "UV-yellowing report, 96 h QUV on clear TPU with anti-yellowing additive",
        "TR-LG-2402-03.pdf",
    ),
    (
        P::AssemblyConstraints,
        K::WorkInstruction,
        S::Observed,
        "2024-03-12",
        "Assembly work instructions posted at stations 1–6",
        "IMG_8820.jpg",
    ),
    (
        P::AssemblyConstraints,
        K::FirstArticle,
        S::Document,
        "2024-03-13",
        "First-article report IP15-DUAL, 28 dimensions",
        "FAI-2402-IP15D.pdf",
    ),
    (
        P::AssemblyConstraints,
        K::Fixture,
        S::Observed,
        "2024-03-13",
        "Side-key press fixture with height gauge",
        "IMG_8823.jpg",
    ),
];

pub fn legacy() -> Story {
    let supplier = Supplier {
        moq: Some(400),
        dev_lead_days: Some(90),
        notes: Some("Haicang. Long-standing TPU+PC supplier; last visit March 2024, re-audit overdue.".to_owned()),
        ..company("XM-LEGACY", "Legacy Polymer Products (Xiamen) Co., Ltd.", "Xiamen", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::MaterialSelection,
            Src::Catalogue,
            "2023-09-01",
            "Material selection and layering in house: TPU inner + PC shell, PU leather + PC",
        ),
        claim(
            C::Manufacturability,
            Src::RfqResponse,
            "2024-01-20",
            "Assembly evaluation of every new case before tooling",
        ),
        claim(C::MassProduction, Src::Catalogue, "2023-09-01", "1.1 million cases a month"),
    ];
    let mut visit = audit(
        "A-2024-006",
        "j.okafor",
        "2024-03-12",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Good manufacturing evidence on materials and assembly. Re-audit due within 24 months.",
    );
    visit.evidence = evidence(LEGACY_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            ("MC-07", Partial, "Change control on resin grade only, not on supplier"),
            ("AC-04", Na, "No MagSafe products in 2024"),
            ("PY-03", Partial, "FPY reviewed quarterly"),
        ],
    );
    visit.findings = vec![closed(
        finding(Sev::Minor, "PC resin received without CoA for 2 lots", "LEGACY warehouse", "2024-03-12"),
        "2024-04-05",
        "CoA for both PC lots received",
        "j.okafor",
    )];
    let plan = LotPlan::new("LG", "2024-11-11", "2026-11-10", 180, 0.08).making(&[
        ("IP15-DUAL", Process::CoMolding, "TPU+PC"),
        ("IP16-DUAL", Process::CoMolding, "TPU+PC"),
        ("IP16-CLEAR", Process::Injection, "PC"),
        ("A55-SOFT", Process::Injection, "TPU"),
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

const SWING_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-05-21",
        "TPU/PC peel test report, 8 batches, all ≥ 4 N/mm",
        "TR-SW-2605-02.pdf",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-05-21",
        "UV-yellowing report, 72 h QUV on clear TPU",
        "TR-SW-2604-07.pdf",
    ),
    (
        P::DfmEvaluation,
        K::DfmReport,
        S::Document,
        "2026-05-22",
        "DFM report for Kestrel Goods (IP16 slim dual-layer), rev B",
        "DFM-KG-IP16-B.pdf",
    ),
    (
        P::ProductionYield,
        K::InspectionRecord,
        S::Observed,
        "2026-05-22",
        "Lot travellers show 25–35% bubble rejects on March lots after the resin change",
        "IMG_6610.jpg",
    ),
];

pub fn swing() -> Story {
    let supplier = Supplier {
        moq: Some(300),
        dev_lead_days: Some(90),
        notes: Some(
            "Humen. Two-shot TPU+PC co-moulding; bubble lots since a TPU resin change in December 2025.".to_owned(),
        ),
        ..company("DG-SWING", "Swing Mould Technology (Dongguan) Co., Ltd.", "Dongguan", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::MaterialSelection,
            Src::RfqResponse,
            "2025-10-12",
            "TPU+PC co-moulding with in-house material recipes",
        ),
        claim(C::Feasibility, Src::Website, "2025-08-01", "Engineering feasibility review for every new case concept"),
        claim(C::MassProduction, Src::Website, "2025-08-01", "Dual-layer cases, 900k a month"),
    ];
    let mut visit = audit(
        "A-2026-017",
        "j.okafor",
        "2026-05-21",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Documents in order; yield is not. The co-moulding line shows recurring bubble lots since the TPU resin change; 8D opened.",
    );
    visit.evidence = evidence(SWING_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            ("MC-07", No, "TPU resin supplier changed in December 2025 without requalifying the pair"),
            ("AC-04", Na, "No MagSafe products"),
            ("PY-04", Partial, "8D opened only after the third bad lot"),
            ("QC-05", Partial, ""),
        ],
    );
    visit.findings = vec![closed(
        finding(
            Sev::Major,
            "TPU resin changed without requalifying the TPU/PC pair (material change control)",
            "SWING engineering",
            "2026-05-21",
        ),
        "2026-06-30",
        "Requalification report RQ-2606-01 (peel and drop) for the new TPU lot",
        "j.okafor",
    )];
    // Bubble lots after the resin change: 2.5 times the usual rate. The
    // ordinary lots stay within 1σ of target so that the spikes, which pull
    // p̄ up, are the only lots outside the limits.
    let plan = LotPlan {
        spikes: &["2025-12-18", "2026-01-22", "2026-03-09", "2026-03-26", "2026-06-15", "2026-08-20", "2026-10-05"],
        spike_factor: 2.5,
        clamp: 1.0,
        ..LotPlan::new("SW", "2024-11-11", "2026-11-10", 200, 0.10).making(&[
            ("IP16-DUAL", Process::CoMolding, "TPU+PC"),
            ("IP16PM-DUAL", Process::CoMolding, "TPU+PC"),
            ("S25-DUAL", Process::CoMolding, "TPU+PC"),
            ("IP15-DUAL", Process::CoMolding, "TPU+PC"),
        ])
    };
    Story {
        unstable: true,
        ..story(
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
}

const DRAFTY_DRAFT_EVIDENCE: &[Ev] = &[
    (
        P::DfmEvaluation,
        K::DfmReport,
        S::Observed,
        "2026-10-28",
        "DFM review board for S25-SLIM (gates, ejectors, wall thickness) in the engineering office",
        "IMG_7701.jpg",
    ),
    (
        P::DfmEvaluation,
        K::ToolingRecord,
        S::Observed,
        "2026-10-28",
        "T1 trial report and mould-steel certificates for the IP16-SLIM tool",
        "IMG_7705.jpg",
    ),
    (
        P::AssemblyConstraints,
        K::Fixture,
        S::Observed,
        "2026-10-28",
        "Camera-ring press fixture and button height gauge at assembly",
        "IMG_7710.jpg",
    ),
    (
        P::AssemblyConstraints,
        K::FirstArticle,
        S::Document,
        "2026-10-29",
        "First-article report IP16-SLIM, copy taken",
        "FAI-DR-IP16S.pdf",
    ),
];

pub fn drafty() -> Story {
    let supplier = Supplier {
        moq: Some(200),
        dev_lead_days: Some(70),
        notes: Some("Longhua. First audit in progress; what was seen on site is not submitted yet.".to_owned()),
        ..company("SZ-DRAFTY", "Drafton Case Technology (Shenzhen) Co., Ltd.", "Shenzhen", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::StructuralDesign,
            Src::SalesCall,
            "2026-08-05",
            "Engineering team of 12 does structural design for EU brands",
        ),
        claim(C::MassProduction, Src::SalesCall, "2026-08-05", "Slim PC and TPU cases, 500k a month"),
    ];
    let mut draft = audit(
        "A-2026-041",
        "lin.wei",
        "2026-10-28",
        AuditKind::OnSite,
        AuditStatus::Draft,
        "Draft, report being written. Engineering looked solid on the floor.",
    );
    draft.evidence = evidence(DRAFTY_DRAFT_EVIDENCE);
    draft.answers = answers(
        &["LG-", "AC-", "DF-"],
        Yes,
        &[("LG-08", Partial, "12 engineers claimed, 7 seen"), ("AC-04", Na, "No MagSafe products")],
    );
    draft.findings = vec![finding(
        Sev::Minor,
        "IPQC check sheet for press 3 not filled on the night shift",
        "DRAFTON QC",
        "2026-10-28",
    )];
    let plan = LotPlan::new("DR", "2025-05-05", "2026-11-10", 150, 0.09).making(&[
        ("IP16-SLIM", Process::Injection, "PC"),
        ("S25-SLIM", Process::Injection, "PC"),
        ("IP16-SOFT", Process::Injection, "TPU"),
        ("IP16-SLIMKIT", Process::Assembly, "TPU+PC"),
    ]);
    story(
        SupplierRecord {
            supplier,
            claims,
            audits: vec![draft],
            lots: Vec::new(),
            annotations: Vec::new(),
            control_plans: Vec::new(),
        },
        &plan,
    )
}

const FEWLOTS_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Observed,
        "2026-04-02",
        "TPU/PC peel tests per batch, 90° peel, lab log January–March 2026",
        "IMG_4401.jpg",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-04-02",
        "Thermal-cycling report −30/+70 °C, 30 cycles, IP16-DUAL",
        "TR-FL-2602-05.pdf",
    ),
    (
        P::MaterialCompatibility,
        K::Other,
        S::Document,
        "2026-04-02",
        "Qualified material-pair list rev 7 (TPU 85A/90A × PC grades)",
        "QMPL-r7.pdf",
    ),
];

/// The one supplier whose latest lots travel in the dossier rather than the
/// CSV: three lots in twelve months whichever file is imported.
pub fn fewlots() -> Story {
    let supplier = Supplier {
        moq: Some(300),
        dev_lead_days: Some(80),
        notes: Some(
            "厦门福隆手机壳有限公司. Jimei. TPU moulding moved to the Zhangzhou site in autumn 2025; three lots here since."
                .to_owned(),
        ),
        ..company("XM-FEWLOTS", "Xiamen Fulong Case Co., Ltd.", "Xiamen", OEM_ODM)
    };
    let claims = vec![
        claim(C::MaterialSelection, Src::RfqResponse, "2026-02-14", "TPU/PC and TPU/aramid layering selected in house"),
        claim(C::MassProduction, Src::RfqResponse, "2026-02-14", "Dual-layer cases"),
    ];
    let mut visit = audit(
        "A-2026-011",
        "maria.santos",
        "2026-04-02",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Material lab is good (peel, drop, thermal cycling). Production mostly moved to Zhangzhou; few lots here since.",
    );
    visit.evidence = evidence(FEWLOTS_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            ("LG-04", Partial, "Half of the presses moved to Zhangzhou"),
            ("AC-04", Na, "No MagSafe products"),
            ("PY-06", Partial, "Records complete until September 2025, then production moved"),
        ],
    );
    let products = [
        ("IP16-DUAL", Process::CoMolding, "TPU+PC"),
        ("IP15-DUAL", Process::CoMolding, "TPU+PC"),
        ("IP16-AIRCUSH", Process::Injection, "TPU"),
    ];
    let older = LotPlan::new("FL", "2024-11-12", "2025-09-30", 40, 0.07).making(&products);
    let recent = LotPlan::new("FL", "2026-03-10", "2026-09-20", 3, 0.07).making(&products);
    let code = supplier.code.clone();
    Story {
        record: SupplierRecord {
            supplier,
            claims,
            audits: vec![visit],
            lots: recent.lots(&code),
            annotations: Vec::new(),
            control_plans: Vec::new(),
        },
        csv_lots: older.lots(&code),
        verdict: "partial",
        unstable: false,
    }
}

const FOLIO_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::AssemblyConstraints,
        K::WorkInstruction,
        S::Document,
        "2026-07-16",
        "Folio wrapping work instruction WI-FW-03 rev E: glue bead, fold sequence, press time",
        "WI-FW-03-E.pdf",
    ),
    (
        P::AssemblyConstraints,
        K::FirstArticle,
        S::Document,
        "2026-07-16",
        "First-article report IPAD11-FOLIO: magnet position and hinge fold",
        "FAI-2606-IPAD11.pdf",
    ),
    (
        P::AssemblyConstraints,
        K::Fixture,
        S::Document,
        "2026-07-16",
        "Tray positioning jig drawing for the IPADAIR-FOLIO wrap station",
        "JIG-FW-07.pdf",
    ),
    (
        P::ProductionYield,
        K::InspectionRecord,
        S::Observed,
        "2026-07-17",
        "Monthly FPY chart on the wall: 78–82% since January, no actions listed",
        "IMG_9101.jpg",
    ),
];

pub fn folio() -> Story {
    let supplier = Supplier {
        moq: Some(300),
        dev_lead_days: Some(100),
        notes: Some("Houjie. PU-leather folios wrapped on PC trays by hand; yield flat near 80%.".to_owned()),
        ..company("DG-FOLIO", "Folio Leather Goods (Dongguan) Co., Ltd.", "Dongguan", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::Manufacturability,
            Src::RfqResponse,
            "2026-01-08",
            "Assembly evaluation of folio designs: hinge, magnet closure, PU wrap",
        ),
        claim(C::MassProduction, Src::Website, "2025-01-10", "Tablet folios, 150k a month"),
        claim(C::MaterialSourcing, Src::Website, "2025-01-10", "PU leather from two qualified tanneries in Wenzhou"),
    ];
    let mut visit = audit(
        "A-2026-026",
        "maria.santos",
        "2026-07-16",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Assembly well documented; yield low and flat around 80% (wrap misalignment, scratches, edge lift), no corrective action until this audit.",
    );
    visit.evidence = evidence(FOLIO_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            ("MC-02", Partial, "PU/PC glue peel tested at material approval only"),
            ("MC-04", Na, "No clear parts"),
            ("AC-04", Na, "No MagSafe on folios"),
            ("PY-03", Partial, "FPY reviewed monthly, no actions taken"),
            ("PY-04", No, "No corrective action on lots below 75%"),
            ("DF-03", Na, "Trays bought in; no own moulds"),
        ],
    );
    visit.findings = vec![closed(
        finding(
            Sev::Major,
            "No corrective action on low-yield lots; FPY flat around 80%",
            "FOLIO production (Ms. Wu)",
            "2026-07-16",
        ),
        "2026-08-12",
        "CAPA plan CAPA-FL-0812: edge-glue dispenser and wrap jig; effect to be checked on later lots",
        "maria.santos",
    )];
    let plan = LotPlan::new("FO", "2024-11-11", "2026-11-10", 180, 0.20).making(&[
        ("IPAD11-FOLIO", Process::Assembly, "PU leather+PC"),
        ("IPADAIR-FOLIO", Process::Assembly, "PU leather+PC"),
        ("IPAD10-FOLIO", Process::Assembly, "PU leather+PC"),
        ("TABS9-FOLIO", Process::Assembly, "PU leather+PC"),
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

fn story(record: SupplierRecord, plan: &LotPlan) -> Story {
    let csv_lots = plan.lots(&record.supplier.code);
    Story { record, csv_lots, verdict: "partial", unstable: false }
}
