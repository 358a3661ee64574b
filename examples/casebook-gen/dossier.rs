//! The benchmark dossier: one [`SupplierRecord`] per profile, with claims,
//! audits (evidence, 41 answers, findings) and no lots. Records are built and
//! serialised one at a time, so memory does not grow with `--suppliers`.

use casebook::model::{
    Answer, AnswerResult, Audit, AuditKind, AuditStatus, BusinessType, Capability, Claim, ClaimSource, Closure,
    DEFAULT_TEMPLATE, DOSSIER_FORMAT, Evidence, EvidenceKind, Finding, FindingSeverity, Models, Pillar, Strength,
    Supplier, SupplierRecord,
};
use chrono::{Datelike, NaiveDate};
use serde::ser::{Serialize, SerializeSeq, Serializer};

use crate::common::{QUESTIONS, Rng, canonical_order, plus_days, ymd};
use crate::profile::{Backing, Kind, Profile};

/// A `casebook-dossier/1` document, written exactly as
/// [`casebook::model::Dossier`] would write it, but streamed.
#[derive(serde::Serialize)]
pub struct Document<'a> {
    format: &'static str,
    suppliers: Suppliers<'a>,
}

impl<'a> Document<'a> {
    pub fn new(profiles: &'a [Profile], seed: u64) -> Self {
        Self { format: DOSSIER_FORMAT, suppliers: Suppliers { profiles, seed } }
    }
}

struct Suppliers<'a> {
    profiles: &'a [Profile],
    seed: u64,
}

impl Serialize for Suppliers<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.profiles.len()))?;
        for profile in self.profiles {
            seq.serialize_element(&record(self.seed, profile))?;
        }
        seq.end()
    }
}

const AUDITORS: [&str; 7] = ["lin.wei", "maria.santos", "j.okafor", "chen.hui", "a.kumar", "t.nguyen", "s.brandt"];
const CLIENTS: [&str; 10] = [
    "Loop & Co.",
    "Northpeak Mobile",
    "Orbit Gear",
    "TrailTech",
    "Kestrel Goods",
    "EcoLeaf",
    "Halden Audio",
    "Mistral Mobile",
    "Bluefin Labs",
    "Oakridge Supply",
];

pub fn record(seed: u64, profile: &Profile) -> SupplierRecord {
    let mut rng = Rng::for_key(seed, &format!("dossier/{}", profile.code));
    let mut record = SupplierRecord {
        supplier: supplier(&mut rng, profile),
        claims: claims(&mut rng, profile.kind),
        audits: audits(&mut rng, profile),
        lots: Vec::new(),
        annotations: Vec::new(),
        control_plans: Vec::new(),
    };
    canonical_order(&mut record);
    record
}

fn supplier(rng: &mut Rng, p: &Profile) -> Supplier {
    const FIRST: [&str; 16] = [
        "Apex",
        "Brightway",
        "Crest",
        "Evergreen",
        "Fortune",
        "Golden Bay",
        "Harbor",
        "Jade",
        "Kinglong",
        "Meiyu",
        "Nova",
        "Orient",
        "Pearl River",
        "Sunrise",
        "Xinda",
        "Yongsheng",
    ];
    const SECOND: [&str; 8] =
        ["Case", "Shield", "Mobile Accessories", "Precision Plastics", "Silicone", "Polymer", "Leather Goods", "Mould"];
    let (country, city) = match rng.unit() {
        x if x < 0.9 => {
            ("CN", *rng.pick(&["Shenzhen", "Dongguan", "Xiamen", "Huizhou", "Guangzhou", "Ningbo", "Zhongshan"]))
        }
        x if x < 0.96 => ("VN", *rng.pick(&["Ho Chi Minh City", "Bac Ninh", "Hai Phong"])),
        _ => ("IN", *rng.pick(&["Noida", "Chennai"])),
    };
    let suffix = match p.kind {
        Kind::Trading => *rng.pick(&["Trading", "Import & Export", "Sourcing"]),
        Kind::Odm(_) | Kind::Oem => *rng.pick(&["Industrial", "Technology", "Manufacturing", "Products"]),
    };
    let form = if country == "IN" { "Pvt. Ltd." } else { "Co., Ltd." };
    let (business_type, models, moq, dev) = match p.kind {
        Kind::Trading => {
            (BusinessType::TradingCompany, Models { oem: true, odm: true }, rng.range(20, 100), rng.range(7, 30))
        }
        Kind::Oem => {
            (BusinessType::Manufacturer, Models { oem: true, odm: false }, rng.range(10, 60) * 50, rng.range(80, 160))
        }
        Kind::Odm(backing) => {
            let business_type = if backing == Backing::Weak && rng.chance(0.3) {
                BusinessType::Unknown
            } else {
                BusinessType::Manufacturer
            };
            // One in twelve quotes terms far outside the ODM range.
            let (moq, dev) = if rng.chance(1.0 / 12.0) {
                (rng.range(40, 100) * 50, rng.range(180, 320))
            } else {
                (rng.range(2, 12) * 50, rng.range(45, 130))
            };
            (business_type, Models { oem: rng.chance(0.8), odm: true }, moq, dev)
        }
    };
    let notes = rng.chance(0.15).then(|| {
        let year = rng.range(1998, 2022);
        let second_plant = *rng.pick(&["Huizhou", "Qingyuan", "Heyuan", "Zhangzhou"]);
        match rng.range(0, 3) {
            0 => format!("Founded {year}; second plant in {second_plant}."),
            1 => format!("Family-owned since {year}. English-speaking engineering contact."),
            2 => "Contact through a marketplace storefront; replies within a day.".to_owned(),
            _ => "Changed TPU supplier this year; ask for requalification data.".to_owned(),
        }
    });
    Supplier {
        code: p.code.clone(),
        name: format!("{} {} {suffix} ({city}) {form}", rng.pick(&FIRST), rng.pick(&SECOND)),
        country: country.to_owned(),
        city: Some(city.to_owned()),
        business_type,
        models,
        moq: rng.chance(0.9).then_some(moq),
        dev_lead_days: rng.chance(0.9).then_some(dev),
        notes,
    }
}

fn claims(rng: &mut Rng, kind: Kind) -> Vec<Claim> {
    let odm = [
        Capability::StructuralDesign,
        Capability::MaterialSelection,
        Capability::Manufacturability,
        Capability::Feasibility,
    ];
    let oem = [Capability::MassProduction, Capability::MaterialSourcing, Capability::InProcessQc];
    let (design_claims, production_claims) = match kind {
        Kind::Odm(_) => (rng.range(1, 4), rng.range(0, 3)),
        Kind::Trading => (rng.range(1, 2), 1),
        Kind::Oem => (0, rng.range(1, 3)),
    };
    let mut out: Vec<Claim> = Vec::new();
    for capability in sample(rng, &odm, design_claims).into_iter().chain(sample(rng, &oem, production_claims)) {
        let source = match kind {
            Kind::Trading => *rng.pick(&[ClaimSource::Website, ClaimSource::MarketplaceListing]),
            Kind::Odm(_) | Kind::Oem => *rng.pick(ClaimSource::ALL),
        };
        out.push(claim(rng, capability, source, None));
    }
    // Now and then an OEM once advertised design work and withdrew it.
    if kind == Kind::Oem && rng.chance(0.05) {
        let capability = *rng.pick(&odm);
        out.push(claim(rng, capability, ClaimSource::Catalogue, Some(ymd(2026, 10, 25))));
    }
    out
}

/// `count` distinct items of `items`, in random order.
fn sample<T: Copy>(rng: &mut Rng, items: &[T], count: u32) -> Vec<T> {
    let mut pool = items.to_vec();
    let take = usize::try_from(count).expect("a small count").min(pool.len());
    for i in 0..take {
        let j = i + rng.index(pool.len() - i);
        pool.swap(i, j);
    }
    pool.truncate(take);
    pool
}

/// A claim stated between mid-2023 and late 2026; retired before `retire_by`
/// when given.
fn claim(rng: &mut Rng, capability: Capability, source: ClaimSource, retire_by: Option<NaiveDate>) -> Claim {
    let stated_on = plus_days(ymd(2023, 6, 1), i64::from(rng.range(0, 1200)));
    let statement = match capability {
        Capability::StructuralDesign => "Structural design and optimisation by our engineering team",
        Capability::MaterialSelection => "Material selection and layering in house (TPU, PC, silicone, PU leather)",
        Capability::Manufacturability => "Manufacturability and assembly review before tooling",
        Capability::Feasibility => "Engineering feasibility assessment before mass production",
        Capability::MassProduction => "Mass production to client drawings or samples",
        Capability::MaterialSourcing => "Material sourcing with CoA from approved resin suppliers",
        Capability::InProcessQc => "IPQC on every line, AQL final inspection",
    };
    let retired_on = retire_by.map(|limit| {
        let room = (limit - stated_on).num_days().max(1);
        plus_days(stated_on, i64::from(rng.range(1, u32::try_from(room).expect("a few years of days"))))
    });
    Claim { capability, source, stated_on, statement: statement.to_owned(), retired_on }
}

fn audits(rng: &mut Rng, p: &Profile) -> Vec<Audit> {
    let count = if p.kind == Kind::Trading { 1 } else { rng.range(1, 3) };
    // Strong claimants were audited recently; the others any time in 30 months.
    let (from, span) = match p.kind {
        Kind::Odm(Backing::Strong) => (ymd(2025, 1, 6), 650),
        _ => (ymd(2024, 3, 1), 960),
    };
    let mut days: Vec<u32> = (0..count).map(|_| rng.range(0, span)).collect();
    days.sort_unstable();
    let mut out: Vec<Audit> = Vec::new();
    for (k, offset) in days.into_iter().enumerate() {
        let visited_on = plus_days(from, i64::from(offset));
        let last = k + 1 == usize::try_from(count).expect("a small count");
        let status = if last && rng.chance(0.12) { AuditStatus::Draft } else { AuditStatus::Submitted };
        let amends = (k == 1 && out[0].status == AuditStatus::Submitted && rng.chance(0.1)).then(|| out[0].id.clone());
        let kind = if p.kind == Kind::Trading || amends.is_some() || rng.chance(0.3) {
            AuditKind::DeskReview
        } else {
            AuditKind::OnSite
        };
        let auditor = (*rng.pick(&AUDITORS)).to_owned();
        let sections: &[&str] = if amends.is_some() { &[*rng.pick(&["MC-", "AC-", "PY-", "DF-"])] } else { &[""] };
        out.push(Audit {
            id: format!("A-{}-{:05}{}", visited_on.year(), p.index + 1, k + 1),
            summary: Some(summary(kind, amends.is_some()).to_owned()),
            evidence: evidence(rng, p, visited_on),
            answers: answers(rng, p.kind, sections),
            findings: findings(rng, visited_on, &auditor),
            auditor,
            visited_on,
            kind,
            status,
            amends,
            template: DEFAULT_TEMPLATE.to_owned(),
        });
    }
    out
}

fn summary(kind: AuditKind, amendment: bool) -> &'static str {
    match (kind, amendment) {
        (_, true) => "Amendment: documents received after the visit, answers for one section updated.",
        (AuditKind::OnSite, _) => "On-site audit of production, engineering and quality records.",
        (AuditKind::DeskReview, _) => "Desk review of documents and a video walk-through.",
    }
}

fn evidence(rng: &mut Rng, p: &Profile, visited_on: NaiveDate) -> Vec<Evidence> {
    let backed = match p.kind {
        Kind::Odm(Backing::Strong) => 0.9,
        Kind::Odm(Backing::Mixed) => 0.55,
        Kind::Odm(Backing::Weak) => 0.25,
        Kind::Trading => 0.1,
        Kind::Oem => 0.7,
    };
    let count = usize::try_from(rng.range(2, 8)).expect("a small count");
    (0..count)
        .map(|j| {
            // Strong claimants show every pillar; the others whatever came up.
            let pillar =
                if matches!(p.kind, Kind::Odm(Backing::Strong)) { Pillar::ALL[j % 4] } else { *rng.pick(Pillar::ALL) };
            let strength = if !rng.chance(backed) {
                Strength::Stated
            } else if rng.chance(0.5) {
                Strength::Observed
            } else {
                Strength::Document
            };
            let product = rng.pick(&p.products);
            let (kind, what) = item(rng, pillar, &product.sku, &product.material);
            let collected_on = plus_days(visited_on, i64::from(rng.range(0, 1)));
            let (description, reference) = match strength {
                Strength::Stated => (format!("Stated, not shown: {what}"), None),
                Strength::Document => {
                    (what, Some(format!("DOC-{}-{:04}.pdf", collected_on.format("%y%m"), rng.range(1, 9999))))
                }
                Strength::Observed => (what, Some(format!("IMG_{:04}.jpg", rng.range(1, 9999)))),
            };
            Evidence { pillar, kind, strength, collected_on, description, reference }
        })
        .collect()
}

/// What an auditor would write for one item of a pillar.
fn item(rng: &mut Rng, pillar: Pillar, sku: &str, material: &str) -> (EvidenceKind, String) {
    let n = rng.range(3, 40);
    match (pillar, rng.range(0, 3)) {
        (Pillar::MaterialCompatibility, 0) => {
            (EvidenceKind::TestReport, format!("{material} peel tests per batch, {n} batches"))
        }
        (Pillar::MaterialCompatibility, 1) => {
            (EvidenceKind::TestReport, format!("Drop test {sku}: 26 drops from 1.5 m, {n} samples"))
        }
        (Pillar::MaterialCompatibility, 2) => {
            (EvidenceKind::TestReport, format!("UV-yellowing report, {} h QUV on {material}", n * 4))
        }
        (Pillar::MaterialCompatibility, _) => {
            (EvidenceKind::InspectionRecord, format!("Incoming inspection with CoA, {n} resin lots"))
        }
        (Pillar::AssemblyConstraints, 0) => {
            (EvidenceKind::WorkInstruction, format!("Assembly work instructions for {sku}"))
        }
        (Pillar::AssemblyConstraints, 1) => {
            (EvidenceKind::Fixture, format!("Alignment jig and go/no-go gauges for {sku}"))
        }
        (Pillar::AssemblyConstraints, 2) => {
            (EvidenceKind::WorkInstruction, format!("Button and camera cut-out tolerance stack-up for {sku}"))
        }
        (Pillar::AssemblyConstraints, _) => {
            (EvidenceKind::FirstArticle, format!("First-article inspection {sku}, {n} dimensions"))
        }
        (Pillar::ProductionYield, 0 | 1) => {
            (EvidenceKind::InspectionRecord, format!("Lot travellers with defect codes, {n} lots of {sku}"))
        }
        (Pillar::ProductionYield, _) => (EvidenceKind::Other, "Monthly FPY review minutes with actions".to_owned()),
        (Pillar::DfmEvaluation, 0) => {
            (EvidenceKind::DfmReport, format!("DFM report for {} ({sku})", rng.pick(&CLIENTS)))
        }
        (Pillar::DfmEvaluation, 1) => {
            (EvidenceKind::ToolingRecord, format!("T1 mould trial report {sku}, {}-cavity", 1 << (n % 3)))
        }
        (Pillar::DfmEvaluation, 2) => {
            (EvidenceKind::DesignPortfolio, format!("Design portfolio of {n} own case designs with CAD"))
        }
        (Pillar::DfmEvaluation, _) => (EvidenceKind::Other, format!("Engineering change records pilot → MP for {sku}")),
    }
}

fn answers(rng: &mut Rng, kind: Kind, sections: &[&str]) -> Vec<Answer> {
    let quality = match kind {
        Kind::Odm(Backing::Strong) => 0.85,
        Kind::Odm(Backing::Mixed) | Kind::Oem => 0.68,
        Kind::Odm(Backing::Weak) => 0.45,
        Kind::Trading => 0.15,
    } + 0.1 * (rng.unit() - 0.5);
    QUESTIONS
        .iter()
        .filter(|q| sections.iter().any(|s| q.starts_with(s)))
        .map(|q| {
            let result = match rng.unit() {
                x if x < 0.04 => AnswerResult::Na,
                x if x < 0.04 + 0.96 * quality => AnswerResult::Yes,
                x if x < 0.04 + 0.96 * (quality + (1.0 - quality) * 0.6) => AnswerResult::Partial,
                _ => AnswerResult::No,
            };
            let note = rng.chance(0.06).then(|| {
                match result {
                    AnswerResult::Yes => "Seen on site",
                    AnswerResult::Partial => "Only for some SKUs; records incomplete",
                    AnswerResult::No => "Not in place or could not be shown",
                    AnswerResult::Na => "Not applicable to this product range",
                }
                .to_owned()
            });
            Answer { question: (*q).to_owned(), result, note }
        })
        .collect()
}

fn findings(rng: &mut Rng, visited_on: NaiveDate, auditor: &str) -> Vec<Finding> {
    let end = ymd(2026, 10, 31);
    (0..rng.range(0, 3))
        .map(|_| {
            let (severity, description) = match rng.unit() {
                x if x < 0.1 => (FindingSeverity::Critical, "Rejected parts not segregated from good WIP"),
                x if x < 0.45 => (
                    FindingSeverity::Major,
                    *rng.pick(&[
                        "Peel-test records missing lot numbers",
                        "No corrective action on low-yield lots",
                        "Material changed without requalification",
                    ]),
                ),
                _ => (
                    FindingSeverity::Minor,
                    *rng.pick(&[
                        "Golden sample past its validity",
                        "IPQC sheet not filled on the night shift",
                        "Gauge calibration overdue",
                    ]),
                ),
            };
            let closed_on = plus_days(visited_on, i64::from(rng.range(2, 60)));
            let closure = (closed_on <= end && rng.chance(0.6)).then(|| Closure {
                closed_on,
                evidence: (*rng.pick(&[
                    "Photos of the corrective action",
                    "8D report reviewed",
                    "Revised procedure received",
                ]))
                .to_owned(),
                closed_by: auditor.to_owned(),
            });
            Finding {
                severity,
                description: description.to_owned(),
                owner: Some((*rng.pick(&["factory QA", "production manager", "engineering", "warehouse"])).to_owned()),
                due_on: plus_days(visited_on, severity.due_days()),
                closure,
            }
        })
        .collect()
}
