//! The demo's suppliers, one story each, and the small builders the stories
//! are written with. Stories are grouped by the verdict they should get as of
//! [`as_of`]: `supported`, supported but `flagged`, `partial`, and the rest
//! (`unsupported`, `not_claimed`).

pub mod check;
mod flagged;
mod others;
mod partial;
mod supported;

use casebook::model::{
    Answer, AnswerResult, Audit, AuditKind, AuditStatus, BusinessType, Capability, Claim, ClaimSource, Closure,
    DEFAULT_TEMPLATE, Evidence, EvidenceKind, Finding, FindingSeverity, Lot, Models, Pillar, Process, Strength,
    Supplier, SupplierRecord,
};
use chrono::{Datelike, NaiveDate};

use crate::common::lots::{LotDraw, Product, Runs, Spread, synth, typical_size};
use crate::common::{QUESTIONS, Rng, plus_days, ymd};

/// Seed of every random draw in the demo; change it and the fixtures change.
const SEED: u64 = 20_261_115;

/// The date the app pins for the demo; every verdict below is as of it.
pub fn as_of() -> NaiveDate {
    ymd(2026, 11, 15)
}

/// One supplier of the demo and what the app should conclude about it.
pub struct Story {
    /// Claims, audits, and the few lots that travel in the dossier.
    pub record: SupplierRecord,
    /// Lots that go to the yield CSV.
    pub csv_lots: Vec<Lot>,
    /// `supported`, `partial`, `unsupported` or `not_claimed`.
    pub verdict: &'static str,
    /// The story puts lots out of control on purpose.
    pub unstable: bool,
}

/// Every story, in the order the dossier lists them.
pub fn stories() -> Vec<Story> {
    vec![
        supported::armor(),
        others::prime(),
        others::tradex(),
        partial::legacy(),
        partial::swing(),
        partial::drafty(),
        partial::fewlots(),
        supported::silik(),
        partial::folio(),
        others::newco(),
        others::printpro(),
        flagged::magfit(),
        supported::rugged(),
        flagged::bamboo(),
    ]
}

pub const OEM_ODM: Models = Models { oem: true, odm: true };
pub const OEM_ONLY: Models = Models { oem: true, odm: false };
pub const ODM_ONLY: Models = Models { oem: false, odm: true };

/// A manufacturer in China with no terms or notes yet; stories fill in the rest.
pub fn company(code: &str, name: &str, city: &str, models: Models) -> Supplier {
    Supplier {
        code: code.to_owned(),
        name: name.to_owned(),
        country: "CN".to_owned(),
        city: Some(city.to_owned()),
        business_type: BusinessType::Manufacturer,
        models,
        moq: None,
        dev_lead_days: None,
        notes: None,
    }
}

/// A date written `YYYY-MM-DD`, as the stories read best.
pub fn d(text: &str) -> NaiveDate {
    text.parse().expect("story dates are written YYYY-MM-DD")
}

pub fn claim(capability: Capability, source: ClaimSource, stated_on: &str, statement: &str) -> Claim {
    Claim { capability, source, stated_on: d(stated_on), statement: statement.to_owned(), retired_on: None }
}

pub fn ev(
    pillar: Pillar,
    kind: EvidenceKind,
    strength: Strength,
    on: &str,
    description: &str,
    reference: &str,
) -> Evidence {
    Evidence {
        pillar,
        kind,
        strength,
        collected_on: d(on),
        description: description.to_owned(),
        reference: (!reference.is_empty()).then(|| reference.to_owned()),
    }
}

/// An evidence item as the stories write it: pillar, kind, strength,
/// collected on, description, reference (`""` for none).
pub type Ev = (Pillar, EvidenceKind, Strength, &'static str, &'static str, &'static str);

pub fn evidence(items: &[Ev]) -> Vec<Evidence> {
    items
        .iter()
        .map(|&(pillar, kind, strength, on, description, reference)| {
            ev(pillar, kind, strength, on, description, reference)
        })
        .collect()
}

/// An audit with no evidence, answers or findings yet, on the default template.
pub fn audit(id: &str, auditor: &str, visited_on: &str, kind: AuditKind, status: AuditStatus, summary: &str) -> Audit {
    Audit {
        id: id.to_owned(),
        auditor: auditor.to_owned(),
        visited_on: d(visited_on),
        kind,
        status,
        summary: Some(summary.to_owned()),
        amends: None,
        evidence: Vec::new(),
        template: DEFAULT_TEMPLATE.to_owned(),
        answers: Vec::new(),
        findings: Vec::new(),
    }
}

/// Answers to the questions whose code starts with one of `sections` (`""`
/// for all 41): `default` unless `overrides` says otherwise, with its note.
pub fn answers(sections: &[&str], default: AnswerResult, overrides: &[(&str, AnswerResult, &str)]) -> Vec<Answer> {
    for (code, _, _) in overrides {
        assert!(QUESTIONS.contains(code), "{code} is not a question of odm-capability/1");
    }
    QUESTIONS
        .iter()
        .filter(|q| sections.iter().any(|s| q.starts_with(s)))
        .map(|&question| {
            let (result, note) = overrides
                .iter()
                .find(|(code, _, _)| *code == question)
                .map_or((default, None), |&(_, r, note)| (r, (!note.is_empty()).then(|| note.to_owned())));
            Answer { question: question.to_owned(), result, note }
        })
        .collect()
}

/// An open finding raised on the audit of `visited_on`, due by its severity.
pub fn finding(severity: FindingSeverity, description: &str, owner: &str, visited_on: &str) -> Finding {
    Finding {
        severity,
        description: description.to_owned(),
        owner: Some(owner.to_owned()),
        due_on: plus_days(d(visited_on), severity.due_days()),
        closure: None,
    }
}

pub fn closed(finding: Finding, closed_on: &str, evidence: &str, closed_by: &str) -> Finding {
    let closure = Closure { closed_on: d(closed_on), evidence: evidence.to_owned(), closed_by: closed_by.to_owned() };
    Finding { closure: Some(closure), ..finding }
}

pub fn products(list: &[(&str, Process, &str)]) -> Vec<Product> {
    list.iter().map(|&(sku, process, material)| Product::new(sku, process, material)).collect()
}

/// A run of lots spread evenly over a date range, all at one target rate.
pub struct LotPlan {
    /// Lot codes are `{prefix}{yymmdd}-{nn}`.
    pub prefix: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub count: usize,
    /// Target fraction nonconforming (1 − FPY).
    pub rate: f64,
    pub products: Vec<Product>,
    /// The first lot on or after each of these dates is a bad one, at
    /// `spike_factor` times the target rate.
    pub spikes: &'static [&'static str],
    pub spike_factor: f64,
    /// Scatter of the ordinary lots, in σ of the target.
    pub clamp: f64,
}

impl LotPlan {
    pub fn new(prefix: &'static str, from: &'static str, to: &'static str, count: usize, rate: f64) -> Self {
        Self { prefix, from, to, count, rate, products: Vec::new(), spikes: &[], spike_factor: 3.0, clamp: 2.5 }
    }

    pub fn making(self, list: &[(&str, Process, &str)]) -> Self {
        Self { products: products(list), ..self }
    }

    pub fn lots(&self, supplier: &str) -> Vec<Lot> {
        let mut rng = Rng::for_key(SEED, &format!("{supplier}/{}", self.from));
        let days = self.days(&mut rng);
        let spikes: Vec<usize> = self.spikes.iter().filter_map(|s| days.iter().position(|day| *day >= d(s))).collect();
        let mut runs = Runs::default();
        let mut seq = 0;
        let mut lots = Vec::with_capacity(days.len());
        for (k, &day) in days.iter().enumerate() {
            seq = if k > 0 && days[k - 1] == day { seq + 1 } else { 1 };
            let product = rng.pick(&self.products);
            let spread = if spikes.contains(&k) {
                Spread::Spike(self.spike_factor)
            } else {
                Spread::Stable { clamp: self.clamp }
            };
            let draw = LotDraw {
                code: format!("{}{:02}{:02}{:02}-{seq:02}", self.prefix, day.year() % 100, day.month(), day.day()),
                product,
                produced_on: day,
                started: typical_size(&mut rng, product.process),
                rate: self.rate,
                spread,
            };
            lots.push(synth(&mut rng, &draw, &mut runs));
        }
        lots
    }

    /// Production days, ascending. Nothing is produced on the day exactly
    /// twelve months before [`as_of`], so no reading of "the last 12 months"
    /// (after it, or on and after it) can change a verdict.
    fn days(&self, rng: &mut Rng) -> Vec<NaiveDate> {
        let (from, to) = (d(self.from), d(self.to));
        let span = (to - from).num_days() + 1;
        let edge = d("2025-11-15");
        let count = i64::try_from(self.count).expect("a demo-sized lot count");
        (0..count)
            .map(|k| {
                let offset = (k * 1000 + i64::from(rng.range(0, 999))) * span / (count * 1000);
                let day = plus_days(from, offset);
                if day == edge { plus_days(day, -1) } else { day }
            })
            .collect()
    }
}
