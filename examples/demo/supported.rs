//! Suppliers whose ODM claims the evidence supports with nothing else to
//! flag: every required pillar evidenced as of 2026-11-15 (SZ-RUGGED's
//! through an amendment).

use casebook::model::{
    AnswerResult::{Na, No, Partial, Yes},
    Audit, AuditKind, AuditStatus, Capability as C, ClaimSource as Src, EvidenceKind as K, FindingSeverity as Sev,
    Pillar as P, Process, Strength as S, Supplier, SupplierRecord,
};

use super::{Ev, LotPlan, OEM_ODM, Story, answers, audit, claim, closed, company, evidence, finding};

const ARMOR_DESK_EVIDENCE: &[Ev] = &[
    (
        P::DfmEvaluation,
        K::DfmReport,
        S::Document,
        "2025-07-08",
        "DFM report for Loop & Co. (IP15 Pro dual-layer case), rev C, 14 pages: draft angles, gate positions, TPU shrink compensation",
        "DFM-LOOP-IP15P-C.pdf",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2025-07-08",
        "SGS drop test, 26 drops from 1.5 m on IP15 dual-layer cases: no cracks, no TPU/PC separation",
        "SGS-GZ-2506-11842.pdf",
    ),
    (
        P::ProductionYield,
        K::InspectionRecord,
        S::Stated,
        "2025-07-08",
        "Lot travellers with defect codes shown on the video call; not copied",
        "",
    ),
];

const ARMOR_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Observed,
        "2026-05-10",
        "TPU/PC peel tests, 12 batches (90° peel, ≥ 4.5 N/mm), log kept at co-moulding line 2",
        "IMG_2041.jpg",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-05-10",
        "Drop test report S25-RUGGED: 10 samples, 26 drops from 1.5 m, pass",
        "TR-2604-017.pdf",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-05-10",
        "UV-yellowing report: 72 h QUV-A on clear PC and TPU, ΔYI ≤ 3 with the anti-yellowing grade",
        "TR-2603-009.pdf",
    ),
    (
        P::MaterialCompatibility,
        K::InspectionRecord,
        S::Observed,
        "2026-05-11",
        "Incoming inspection of TPU lot 2605-TPU-118 (Shore 85A) with CoA, checked against the qualified material-pair list",
        "IMG_2047.jpg",
    ),
    (
        P::AssemblyConstraints,
        K::Fixture,
        S::Observed,
        "2026-05-10",
        "MagSafe ring alignment jig at assembly station 4 (±0.15 mm go/no-go pins), used on every IP16-MAG unit",
        "IMG_2055.jpg",
    ),
    (
        P::AssemblyConstraints,
        K::WorkInstruction,
        S::Document,
        "2026-05-10",
        "Button tolerance stack-up for IP16-DUAL side keys, signed off by engineering",
        "STACK-IP16-DUAL-r2.xlsx",
    ),
    (
        P::AssemblyConstraints,
        K::FirstArticle,
        S::Document,
        "2026-05-11",
        "First-article inspection report IP16PM-DUAL: 32 dimensions on CMM, device-fit on 3 phones",
        "FAI-2604-IP16PM.pdf",
    ),
    (
        P::DfmEvaluation,
        K::DfmReport,
        S::Document,
        "2026-05-11",
        "DFM report for Northpeak Mobile (S25 rugged case), rev B, with the pilot-run changes (rib 1.2 → 1.0 mm)",
        "DFM-NP-S25R-B.pdf",
    ),
    (
        P::DfmEvaluation,
        K::ToolingRecord,
        S::Observed,
        "2026-05-11",
        "T1 mould trial report S25-RUGGED 1×4 cavity: short shots fixed by venting at T1; moulds tagged as factory property",
        "IMG_2063.jpg",
    ),
    (
        P::ProductionYield,
        K::InspectionRecord,
        S::Observed,
        "2026-05-11",
        "Lot travellers with defect codes for the May lots of co-moulding line 2",
        "IMG_2070.jpg",
    ),
];

pub fn armor() -> Story {
    let supplier = Supplier {
        moq: Some(300),
        dev_lead_days: Some(75),
        notes: Some(
            "Shajing, Bao'an. 14 injection presses (Haitian 120–250 t), two 2K co-moulding cells, in-house \
             tool room; 38 engineers of 410 staff. Engineering contact: Chen Jing."
                .to_owned(),
        ),
        ..company("SZ-ARMOR", "Armor Case Works (Shenzhen) Co., Ltd.", "Shenzhen", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::StructuralDesign,
            Src::RfqResponse,
            "2026-03-02",
            "Structural design in house: TPU/PC dual-layer shells, button and camera-lip tolerances, MagSafe ring placement",
        ),
        claim(C::MaterialSelection, Src::RfqResponse, "2026-03-02", "TPU/PC dual-layer design in house"),
        claim(
            C::Manufacturability,
            Src::Website,
            "2025-09-10",
            "Every new design goes through a DFM and assembly review before tooling",
        ),
        claim(
            C::Feasibility,
            Src::Catalogue,
            "2025-06-01",
            "Feasibility assessment within 5 working days of a concept sketch",
        ),
        claim(
            C::MassProduction,
            Src::Website,
            "2025-09-10",
            "2.4 million cases a month on 14 presses and 2 co-moulding cells",
        ),
        claim(
            C::MaterialSourcing,
            Src::RfqResponse,
            "2026-03-02",
            "TPU (Covestro, Lubrizol) and PC (SABIC) bought directly, CoA with each delivery",
        ),
        claim(C::InProcessQc, Src::Website, "2025-09-10", "IPQC every 2 hours per press; final inspection at AQL 1.0"),
    ];

    let (desk, visit) = (armor_desk_review(), armor_visit());
    let plan = LotPlan::new("AR", "2024-11-11", "2026-11-10", 250, 0.06).making(&[
        ("IP16-DUAL", Process::CoMolding, "TPU+PC"),
        ("IP16PM-DUAL", Process::CoMolding, "TPU+PC"),
        ("S25-RUGGED", Process::CoMolding, "TPU+PC"),
        ("IP16-CLEAR", Process::Injection, "PC"),
        ("PIX9-GRIP", Process::Injection, "TPU"),
        ("IP16-MAG", Process::Assembly, "TPU+PC"),
    ]);
    story(
        SupplierRecord {
            supplier,
            claims,
            audits: vec![desk, visit],
            lots: Vec::new(),
            annotations: Vec::new(),
            control_plans: Vec::new(),
        },
        &plan,
    )
}

/// July 2025: documents by email before the RFQ award.
fn armor_desk_review() -> Audit {
    let mut desk = audit(
        "A-2025-031",
        "maria.santos",
        "2025-07-08",
        AuditKind::DeskReview,
        AuditStatus::Submitted,
        "Desk review before the RFQ award: DFM and test reports sent by email, lot travellers shown on a video call.",
    );
    desk.evidence = evidence(ARMOR_DESK_EVIDENCE);
    desk.answers = answers(
        &[""],
        Yes,
        &[
            ("LG-03", Na, "Not verifiable on a desk review"),
            ("LG-04", Na, "Not verifiable on a desk review"),
            ("AC-02", Na, "Fixtures not seen remotely"),
            ("MC-05", Partial, "Thermal cycling reported for clear PC only"),
            ("QC-04", Na, "Not verifiable on a desk review"),
        ],
    );
    desk.findings = vec![closed(
        finding(
            Sev::Minor,
            "Thermal-cycling reports exist for clear PC SKUs only, none for TPU+PC",
            "ARMOR QA (Ms. Huang)",
            "2025-07-08",
        ),
        "2025-08-20",
        "Thermal-cycling report TC-2508-03 for IP15 TPU+PC (−20/+60 °C, 20 cycles) received and reviewed",
        "maria.santos",
    )];

    desk
}

/// May 2026: the full on-site audit.
fn armor_visit() -> Audit {
    let mut visit = audit(
        "A-2026-014",
        "lin.wei",
        "2026-05-10",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Full ODM capability audit, two days on site. Engineering team, tool room and both 2K cells seen running; \
         strong evidence on all four pillars.",
    );
    visit.evidence = evidence(ARMOR_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            ("LG-02", Yes, "Bank letter matches the licensed Shenzhen company"),
            ("MC-05", Partial, "Thermal cycling on 3 of 11 SKUs so far"),
            ("AC-04", Yes, "Alignment jig with go/no-go pins, 100% check"),
            ("DF-05", Yes, "About 60 own designs, CAD held by the factory"),
            ("QC-03", Partial, "Two calipers past their calibration date"),
        ],
    );
    visit.findings = vec![
        closed(
            finding(
                Sev::Major,
                "Peel-test records on co-moulding line 2 kept on loose sheets; lot numbers missing for 3 of 12 batches",
                "ARMOR QA (Ms. Huang)",
                "2026-05-10",
            ),
            "2026-05-22",
            "Bound peel-test log with lot numbers introduced; pages for lots 2605-018 to 2605-024 sent and checked",
            "lin.wei",
        ),
        closed(
            finding(
                Sev::Minor,
                "Two digital calipers at IPQC station 3 past their calibration date (2026-04-01)",
                "ARMOR metrology",
                "2026-05-10",
            ),
            "2026-05-28",
            "Calibration certificates SZ-CAL-0526-01 and -02 for both calipers",
            "lin.wei",
        ),
    ];

    visit
}

const SILIK_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Observed,
        "2026-06-03",
        "Silicone/PC peel tests per primer batch (180° peel, ≥ 3 N/mm), log at co-moulding press 6",
        "IMG_3312.jpg",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-06-03",
        "Thermal-cycling report −20/+70 °C, 50 cycles, silicone+PC IP16-SILPC: no edge lift",
        "TR-SK-2605-04.pdf",
    ),
    (
        P::MaterialCompatibility,
        K::InspectionRecord,
        S::Document,
        "2026-06-03",
        "Incoming inspection records with Wacker CoA for 6 silicone lots, Shore A checked on receipt",
        "IQC-SK-2605.xlsx",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-06-04",
        "UV-yellowing and dust-pick-up test, 48 h UV on white silicone: ΔE 1.8",
        "TR-SK-2604-11.pdf",
    ),
    (
        P::ProductionYield,
        K::InspectionRecord,
        S::Observed,
        "2026-06-04",
        "Defect codes per lot on the traveller (flash, bubble, tear)",
        "IMG_3320.jpg",
    ),
];

pub fn silik() -> Story {
    let supplier = Supplier {
        moq: Some(500),
        dev_lead_days: Some(60),
        notes: Some(
            "Guangming. LSR injection and compression moulding; primer-bonded silicone over PC frames.".to_owned(),
        ),
        ..company("SZ-SILIK", "Silik Rubber & Plastic Products (Shenzhen) Co., Ltd.", "Shenzhen", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::MaterialSelection,
            Src::Website,
            "2025-05-20",
            "Silicone grades selected in house: Shore A 50–70 qualified against PC and PC/ABS frames",
        ),
        claim(C::MassProduction, Src::Website, "2025-05-20", "Silicone and silicone+PC cases, 800k a month"),
        claim(C::MaterialSourcing, Src::RfqResponse, "2026-02-11", "Silicone from Wacker and Shin-Etsu, CoA per lot"),
    ];
    let mut visit = audit(
        "A-2026-018",
        "lin.wei",
        "2026-06-03",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Material compatibility strong: silicone/PC bonding tested per primer batch. No structural or DFM claim made, none checked.",
    );
    visit.evidence = evidence(SILIK_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            ("AC-04", Na, "No MagSafe products"),
            ("AC-05", Na, "No snap fits on silicone sleeves"),
            ("DF-01", Partial, "DFM notes for silicone parts only"),
            ("DF-05", Partial, "A dozen own silicone designs"),
            ("DF-07", Partial, ""),
        ],
    );
    visit.findings = vec![closed(
        finding(Sev::Minor, "Golden samples of S25-SILI stored without a date label", "SILIK QC", "2026-06-03"),
        "2026-06-20",
        "Photo of the labelled golden-sample cabinet",
        "lin.wei",
    )];
    let plan = LotPlan::new("SK", "2024-11-11", "2026-11-10", 200, 0.05).making(&[
        ("IP16-SILI", Process::Other, "silicone"),
        ("S25-SILI", Process::Other, "silicone"),
        ("IPAD11-SILI", Process::Other, "silicone"),
        ("IP16-SILPC", Process::CoMolding, "silicone+PC"),
        ("S25-SILPC", Process::CoMolding, "silicone+PC"),
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

const RUGGED_FIRST_EVIDENCE: &[Ev] = &[
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Observed,
        "2026-04-22",
        "TPU/PC peel tests per batch on the 2K line, 90° peel, log reviewed for March–April",
        "IMG_0421.jpg",
    ),
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-04-22",
        "Drop test per MIL-STD-810H 516.8: 26 drops from 1.22 m, S25-RUGGED on device dummies, pass",
        "DT-2603-S25R.pdf",
    ),
    (
        P::DfmEvaluation,
        K::DfmReport,
        S::Document,
        "2026-04-22",
        "DFM report for TrailTech (S25 Ultra rugged), rev D, with the corner-pocket redesign after the pilot run",
        "DFM-TT-S25U-D.pdf",
    ),
    (
        P::DfmEvaluation,
        K::ToolingRecord,
        S::Observed,
        "2026-04-23",
        "Mould records and T0/T1 trial reports for 3 rugged tools; moulds tagged as factory-owned",
        "IMG_0430.jpg",
    ),
    (
        P::AssemblyConstraints,
        K::WorkInstruction,
        S::Stated,
        "2026-04-23",
        "Kickstand assembly work instructions said to be under revision; not shown",
        "",
    ),
];

const RUGGED_AMENDMENT_EVIDENCE: &[Ev] = &[
    (
        P::AssemblyConstraints,
        K::WorkInstruction,
        S::Document,
        "2026-06-10",
        "Kickstand assembly work instructions WI-KS-S25R rev B, hinge torque 0.8–1.2 N·m",
        "WI-KS-S25R-B.pdf",
    ),
    (
        P::AssemblyConstraints,
        K::WorkInstruction,
        S::Document,
        "2026-06-10",
        "Tolerance stack-up for the kickstand hinge and side keys, S25-RUGGED",
        "STACK-S25R-r1.xlsx",
    ),
    (
        P::AssemblyConstraints,
        K::FirstArticle,
        S::Document,
        "2026-06-10",
        "First-article inspection of the S25-RUGGED kickstand assembly, 24 dimensions",
        "FAI-2606-S25R.pdf",
    ),
];

pub fn rugged() -> Story {
    let supplier = Supplier {
        moq: Some(500),
        dev_lead_days: Some(110),
        notes: Some("Pingshan. Rugged and kickstand cases; drop lab with 1.22 m and 2 m rigs.".to_owned()),
        ..company("SZ-RUGGED", "Rugged Shield Industrial (Shenzhen) Co., Ltd.", "Shenzhen", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::StructuralDesign,
            Src::Website,
            "2025-04-01",
            "Rugged structures designed in house: corner air pockets, kickstand hinges, drop-rated to MIL-STD-810H",
        ),
        claim(
            C::MaterialSelection,
            Src::RfqResponse,
            "2026-01-20",
            "TPU+PC layering and TPU hardness chosen per drop target",
        ),
        claim(C::MassProduction, Src::Website, "2025-04-01", "Rugged cases on 9 presses and 2 co-moulding cells"),
    ];
    let mut first = audit(
        "A-2026-012",
        "j.okafor",
        "2026-04-22",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Strong on materials and DFM. Kickstand work instructions under revision and not shown: assembly \
         constraints not evidenced, amendment to follow.",
    );
    first.evidence = evidence(RUGGED_FIRST_EVIDENCE);
    first.answers = answers(
        &[""],
        Yes,
        &[
            ("AC-01", No, "Kickstand WIs withdrawn for revision; operators work from a sample"),
            ("AC-03", Partial, "Stack-up exists for the buttons only"),
            ("AC-04", Na, "No MagSafe on the rugged line"),
            ("PY-05", Partial, "Pilot-run yield target set for S25U only"),
        ],
    );
    first.findings = vec![closed(
        finding(
            Sev::Minor,
            "Assembly work instructions for the S25-RUGGED kickstand not available at the stations",
            "RUGGED engineering (Mr. Zhou)",
            "2026-04-22",
        ),
        "2026-06-10",
        "Amendment audit A-2026-019: WI-KS-S25R rev B reviewed",
        "j.okafor",
    )];

    let mut amendment = audit(
        "A-2026-019",
        "j.okafor",
        "2026-06-10",
        AuditKind::DeskReview,
        AuditStatus::Submitted,
        "Amends A-2026-012: kickstand assembly documents received and reviewed; assembly answers updated.",
    );
    amendment.amends = Some(first.id.clone());
    amendment.evidence = evidence(RUGGED_AMENDMENT_EVIDENCE);
    amendment.answers = answers(
        &["AC-"],
        Yes,
        &[
            ("AC-02", Partial, "Hinge press fixture seen on photos only"),
            ("AC-04", Na, "No MagSafe on the rugged line"),
        ],
    );

    let plan = LotPlan::new("RS", "2024-11-11", "2026-11-10", 200, 0.08).making(&[
        ("S25-RUGGED", Process::CoMolding, "TPU+PC"),
        ("S25U-RUGGED", Process::CoMolding, "TPU+PC"),
        ("IP16-RUGGED", Process::CoMolding, "TPU+PC"),
        ("S25-KICK", Process::Assembly, "TPU+PC"),
        ("S25-SHELL", Process::Injection, "PC"),
    ]);
    story(
        SupplierRecord {
            supplier,
            claims,
            audits: vec![first, amendment],
            lots: Vec::new(),
            annotations: Vec::new(),
            control_plans: Vec::new(),
        },
        &plan,
    )
}

pub(super) fn story(record: SupplierRecord, plan: &LotPlan) -> Story {
    let csv_lots = plan.lots(&record.supplier.code);
    Story { record, csv_lots, verdict: "supported", unstable: false }
}
