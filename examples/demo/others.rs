//! Suppliers with no ODM claim the evidence could support: two honest OEM
//! factories (`not_claimed`), a trading company and a newcomer whose ODM
//! claims rest on nothing (`unsupported`).

use casebook::model::{
    AnswerResult::{Na, No, Partial, Yes},
    AuditKind, AuditStatus, BusinessType, Capability as C, ClaimSource as Src, EvidenceKind as K,
    FindingSeverity as Sev, Pillar as P, Process, Strength as S, Supplier, SupplierRecord,
};

use super::{
    Ev, LotPlan, ODM_ONLY, OEM_ODM, OEM_ONLY, Story, answers, audit, claim, closed, company, d, ev, evidence, finding,
};

const PRIME_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::ProductionYield,
        K::InspectionRecord,
        S::Observed,
        "2026-03-18",
        "Hourly IPQC records per press with defect codes",
        "IMG_1201.jpg",
    ),
    (
        P::MaterialCompatibility,
        K::InspectionRecord,
        S::Document,
        "2026-03-18",
        "Incoming inspection with CoA for PC and TPU resin, Q1 2026",
        "IQC-PP-2026Q1.xlsx",
    ),
    (
        P::AssemblyConstraints,
        K::WorkInstruction,
        S::Observed,
        "2026-03-19",
        "Packing and assembly work instructions at every station",
        "IMG_1207.jpg",
    ),
];

pub fn prime() -> Story {
    let supplier = Supplier {
        moq: Some(1000),
        dev_lead_days: Some(120),
        notes: Some("Chang'an. Moulds to client drawings on 12 injection lines; no design team, by choice.".to_owned()),
        ..company("DG-PRIME", "Prime Precision Plastics (Dongguan) Ltd.", "Dongguan", OEM_ONLY)
    };
    let claims = vec![
        claim(
            C::MassProduction,
            Src::RfqResponse,
            "2025-11-20",
            "Production to client drawings and golden samples on 12 injection lines",
        ),
        claim(C::MaterialSourcing, Src::Website, "2025-03-15", "Resin bought with CoA from approved sources only"),
        claim(C::InProcessQc, Src::RfqResponse, "2025-11-20", "IPQC hourly per press; final inspection at AQL 0.65"),
    ];
    let mut visit = audit(
        "A-2026-009",
        "j.okafor",
        "2026-03-18",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Well-run OEM plant with strong IPQC and incoming inspection. No design capability claimed, none found.",
    );
    visit.evidence = evidence(PRIME_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            ("LG-05", Partial, "CAD files belong to the clients"),
            ("AC-04", Na, "No MagSafe products"),
            ("DF-01", Na, "OEM only: no DFM service offered"),
            ("DF-05", No, "No own designs, consistent with OEM"),
            ("DF-06", Partial, "Feasibility only on client drawings"),
            ("DF-07", Na, "OEM only"),
        ],
    );
    visit.findings = vec![closed(
        finding(Sev::Minor, "Golden sample for IP16-CLEAR past its 12-month validity", "PRIME QC", "2026-03-18"),
        "2026-04-02",
        "New golden sample signed by the client on 2026-03-30",
        "j.okafor",
    )];
    let plan = LotPlan::new("PP", "2024-11-11", "2026-11-10", 260, 0.05).making(&[
        ("IP16-CLEAR", Process::Injection, "PC"),
        ("IP16PM-CLEAR", Process::Injection, "PC"),
        ("S25-SLIM", Process::Injection, "PC"),
        ("A55-SOFT", Process::Injection, "TPU"),
        ("IP16-CLEARTPU", Process::Injection, "TPU"),
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
        "not_claimed",
    )
}

pub fn tradex() -> Story {
    let supplier = Supplier {
        business_type: BusinessType::TradingCompany,
        moq: Some(50),
        dev_lead_days: Some(15),
        notes: Some(
            "Futian office tower, 6 staff. The video call showed no production floor; quotes carry the stamp of a \
             Huizhou factory."
                .to_owned(),
        ),
        ..company("SZ-TRADEX", "Tradex Global Sourcing (Shenzhen) Co., Ltd.", "Shenzhen", OEM_ODM)
    };
    let claims = vec![
        claim(
            C::StructuralDesign,
            Src::Website,
            "2026-01-15",
            "Our design team creates 200+ new case designs every month",
        ),
        claim(
            C::MaterialSelection,
            Src::MarketplaceListing,
            "2026-02-03",
            "ODM custom materials: TPU, PC, silicone, leather, any combination",
        ),
        claim(C::MassProduction, Src::MarketplaceListing, "2026-02-03", "10 million pcs a month capacity"),
    ];
    let mut desk = audit(
        "A-2026-022",
        "maria.santos",
        "2026-06-12",
        AuditKind::DeskReview,
        AuditStatus::Submitted,
        "Desk review over video. A trading company: licence scope is trade only, no production site, moulds and CAD \
         held by partner factories. Nothing beyond statements.",
    );
    let stated = |pillar, kind, description| ev(pillar, kind, S::Stated, "2026-06-12", description, "");
    desk.evidence = vec![
        stated(
            P::MaterialCompatibility,
            K::TestReport,
            "Sales manager says peel tests are done 'at the factory'; no report supplied",
        ),
        stated(
            P::DfmEvaluation,
            K::DesignPortfolio,
            "Catalogue PDF of 1,400 designs; the same renders appear on three other marketplace stores",
        ),
        stated(P::DfmEvaluation, K::Other, "Says it has in-house structural engineers; no names or CVs provided"),
        stated(P::AssemblyConstraints, K::Other, "Says assembly is checked by 'our QC team' at the partner factory"),
    ];
    desk.answers = answers(
        &[""],
        No,
        &[
            ("LG-01", No, "Licence scope: import/export trade and technical services; no manufacturing"),
            ("LG-02", No, "Payment to Tradex Global (HK) Ltd."),
            ("LG-03", No, "Registered address is an office in a Futian tower"),
            ("LG-04", No, "No machinery shown"),
            ("LG-05", No, "CAD files held by 'partner factories'"),
            ("LG-06", No, "Moulds owned by the partner factory in Huizhou"),
            ("LG-07", No, "No test records at the office"),
            ("LG-08", No, "6 staff, all sales"),
            ("MC-01", Partial, "Material list given, no qualification data"),
            ("AC-04", Na, ""),
            ("QC-02", Partial, "Third-party AQL inspection booked per order"),
        ],
    );
    Story {
        record: SupplierRecord {
            supplier,
            claims,
            audits: vec![desk],
            lots: Vec::new(),
            annotations: Vec::new(),
            control_plans: Vec::new(),
        },
        csv_lots: Vec::new(),
        verdict: "unsupported",
        unstable: false,
    }
}

pub fn newco() -> Story {
    let supplier = Supplier {
        business_type: BusinessType::Unknown,
        notes: Some(
            "Met at a sourcing meetup in October 2026. No visit, no samples, no production data yet.".to_owned(),
        ),
        ..company("SZ-NEWCO", "Newco Smart Accessories (Shenzhen) Co., Ltd.", "Shenzhen", ODM_ONLY)
    };
    let claims = vec![claim(
        C::Feasibility,
        Src::SalesCall,
        "2026-10-22",
        "We check the feasibility of any case idea in three days",
    )];
    Story {
        record: SupplierRecord {
            supplier,
            claims,
            audits: Vec::new(),
            lots: Vec::new(),
            annotations: Vec::new(),
            control_plans: Vec::new(),
        },
        csv_lots: Vec::new(),
        verdict: "unsupported",
        unstable: false,
    }
}

const PRINTPRO_VISIT_EVIDENCE: &[Ev] = &[
    (
        P::MaterialCompatibility,
        K::TestReport,
        S::Document,
        "2026-08-20",
        "Cross-hatch adhesion reports (ISO 2409) for UV ink on PC and TPU, January–June 2026",
        "TR-PP-2026H1.pdf",
    ),
    (
        P::ProductionYield,
        K::InspectionRecord,
        S::Observed,
        "2026-08-20",
        "Colour ΔE check per lot on the traveller (ΔE ≤ 2.0)",
        "IMG_2201.jpg",
    ),
    (
        P::AssemblyConstraints,
        K::Fixture,
        S::Observed,
        "2026-08-20",
        "Print positioning pallets per SKU",
        "IMG_2205.jpg",
    ),
];

pub fn printpro() -> Story {
    let supplier = Supplier {
        moq: Some(1000),
        notes: Some("Tong'an. UV flatbed and pad printing on blank cases bought in; no moulding.".to_owned()),
        ..company("XM-PRINTPRO", "PrintPro UV Imaging (Xiamen) Co., Ltd.", "Xiamen", OEM_ONLY)
    };
    let mut retired = claim(C::StructuralDesign, Src::Catalogue, "2024-04-10", "In-house case design service");
    retired.retired_on = Some(d("2025-02-10"));
    let claims = vec![
        retired,
        claim(
            C::MassProduction,
            Src::RfqResponse,
            "2025-12-03",
            "UV printing of client artwork on PC and TPU blanks, 300k a month",
        ),
        claim(
            C::InProcessQc,
            Src::Website,
            "2025-05-01",
            "Colour ΔE and cross-hatch adhesion checked on every ink batch",
        ),
    ];
    let mut visit = audit(
        "A-2026-030",
        "j.okafor",
        "2026-08-20",
        AuditKind::OnSite,
        AuditStatus::Submitted,
        "Competent OEM printer. Ink adhesion tests lapsed since July: open major finding.",
    );
    visit.evidence = evidence(PRINTPRO_VISIT_EVIDENCE);
    visit.answers = answers(
        &[""],
        Yes,
        &[
            ("LG-06", Na, "No moulds: blanks bought in"),
            ("MC-02", Na, "No layered materials: printing only"),
            ("MC-05", Partial, ""),
            ("MC-07", Partial, "Ink batches changed without an adhesion test since July"),
            ("AC-04", Na, ""),
            ("AC-05", Na, ""),
            ("DF-01", Na, "OEM printing only"),
            ("DF-03", Na, "No moulds"),
            ("DF-05", No, "Prints client artwork only"),
            ("DF-07", Na, ""),
        ],
    );
    visit.findings = vec![
        finding(
            Sev::Major,
            "Cross-hatch adhesion not tested for the last 3 UV ink batches (since July 2026)",
            "PRINTPRO QC (Mr. Lin)",
            "2026-08-20",
        ),
        closed(
            finding(
                Sev::Minor,
                "Worn print pallet for S25-PRINT without an ID label",
                "PRINTPRO production",
                "2026-08-20",
            ),
            "2026-09-10",
            "Photo of the relabelled pallet and the replacement order",
            "j.okafor",
        ),
    ];
    let plan = LotPlan::new("PR", "2024-11-11", "2026-11-10", 220, 0.04).making(&[
        ("IP16-PRINT", Process::Printing, "PC"),
        ("IP16-PRINTSOFT", Process::Printing, "TPU"),
        ("S25-PRINT", Process::Printing, "PC"),
        ("IP15-PRINT", Process::Printing, "TPU+PC"),
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
        "not_claimed",
    )
}

fn story(record: SupplierRecord, plan: &LotPlan, verdict: &'static str) -> Story {
    let csv_lots = plan.lots(&record.supplier.code);
    Story { record, csv_lots, verdict, unstable: false }
}
