//! Checklist templates and audit scoring.
//!
//! A template is an ordered list of questions, each in a section, with a weight
//! of 1–3 and possibly marked critical. An audit answers them yes / partial /
//! no / n/a, worth 2 / 1 / 0 points times the weight, while n/a leaves the
//! question out of the denominator. Each section and the whole audit get the
//! percentage of the points available. The audit also gets an amfori/BSCI-style
//! grade, capped when a critical question is answered `no`, and `insufficient`
//! when too little was answered. Missing answers never get a default score.
//!
//! Pure: the store builds a [`Template`] from its tables and passes the answers.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Answer, AnswerResult, Pillar, Section, vocab};

/// The points of a `yes`, the most a question earns per unit of weight.
const MAX_POINTS: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub code: String,
    pub section: Section,
    /// The evidence pillar the question gathers evidence for, if any.
    pub pillar: Option<Pillar>,
    /// 1–3.
    pub weight: u8,
    /// A `no` here caps the audit's grade.
    pub critical: bool,
    pub text: String,
    pub guidance: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    /// For example `odm-capability/1`.
    pub id: String,
    pub title: String,
    /// In position order.
    pub questions: Vec<Question>,
}

vocab!(
    /// An audit's grade, best first, so the greater of two grades is the worse
    /// one. `insufficient`: too little was answered to grade the audit.
    Grade { A = "A", B = "B", C = "C", D = "D", E = "E", Insufficient = "insufficient" }
);

/// Lower bound of each letter band, best first. Anything below the last is E.
const BANDS: [(f64, Grade); 4] = [(86.0, Grade::A), (71.0, Grade::B), (51.0, Grade::C), (30.0, Grade::D)];

/// An audit's score as text beside its grade: one decimal, or as many as
/// it takes not to read as another band (85.96% is B, never "86.0%").
pub fn score_text(pct: f64) -> String {
    let floors: Vec<f64> = BANDS.iter().map(|(floor, _)| *floor).collect();
    format!("{}%", super::figures::beside(pct, &floors, 1))
}

impl Grade {
    /// The letter band of a percentage, read on the unrounded value:
    /// ≥ 86 A, ≥ 71 B, ≥ 51 C, ≥ 30 D, else E. DOMAIN.md writes the bands in
    /// whole numbers (B 71–85), which leaves gaps such as 85.5. Here each band
    /// runs from its lower bound up to the next one, so 85.99 is B and 70.9 is C.
    pub fn band(pct: f64) -> Self {
        BANDS.iter().find(|(floor, _)| pct >= *floor).map_or(Self::E, |&(_, grade)| grade)
    }

    pub fn is_letter(self) -> bool {
        self != Self::Insufficient
    }

    /// This grade, but no better than `cap`. `insufficient` is not a letter,
    /// so as a cap it leaves the grade unchanged.
    #[must_use]
    pub fn capped_at(self, cap: Self) -> Self {
        if cap.is_letter() { self.max(cap) } else { self }
    }
}

/// Grading policy. The policy engine fills it from the database.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GradeRules {
    /// The best grade possible when a critical question is answered `no`.
    pub critical_cap: Grade,
    /// The share (0–1) of applicable questions that must be answered before
    /// the audit gets a grade.
    pub min_answered_share: f64,
}

impl Default for GradeRules {
    fn default() -> Self {
        Self { critical_cap: Grade::D, min_answered_share: 0.5 }
    }
}

/// Counts and points over some questions: one section or the whole audit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub total: usize,
    /// `total` minus the questions answered `na`. Unanswered questions still
    /// count here.
    pub applicable: usize,
    /// Answered yes, partial or no.
    pub answered: usize,
    pub points: u32,
    pub max_points: u32,
}

impl Tally {
    /// How far the answering is, in the words every output uses:
    /// `15 of 39 applicable answered (2 n/a)`. N/A answers leave the
    /// applicable count; they are not "answered".
    pub fn progress(&self) -> String {
        let na = self.total - self.applicable;
        let tail = if na == 0 { String::new() } else { format!(" ({na} n/a)") };
        format!("{} of {} applicable answered{tail}", self.answered, self.applicable)
    }

    fn add(&mut self, weight: u8, result: Option<AnswerResult>) {
        self.total += 1;
        if result == Some(AnswerResult::Na) {
            return;
        }
        self.applicable += 1;
        // An unanswered question adds nothing to the points or the maximum.
        // Too many of them make the grade insufficient instead of scoring 0.
        let Some(points) = result.and_then(AnswerResult::points) else {
            return;
        };
        let weight = u32::from(weight);
        self.answered += 1;
        self.points += weight * points;
        self.max_points += weight * MAX_POINTS;
    }

    /// The points as a percentage of the maximum. `None` when no answered
    /// question carries weight.
    pub fn pct(&self) -> Option<f64> {
        // One division of exact integers: a percentage that is a whole number
        // (such as 86) comes out exactly, so it lands in the right band.
        (self.max_points > 0).then(|| f64::from(100 * self.points) / f64::from(self.max_points))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionScore {
    pub section: Section,
    #[serde(flatten)]
    pub tally: Tally,
    pub pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub template: String,
    /// In the order the template first uses each section.
    pub sections: Vec<SectionScore>,
    #[serde(flatten)]
    pub overall: Tally,
    /// Over all answered questions, weighted by question. This is not an
    /// average of the section percentages.
    pub pct: Option<f64>,
    pub grade: Grade,
    /// Questions with no answer, in template order.
    pub unanswered: Vec<String>,
    /// Critical questions answered `no`, in template order. Any of them caps
    /// the grade.
    pub critical_no: Vec<String>,
    /// Answer codes that are not in the template, in the order given.
    /// Scoring ignores them. Reporting them is the importer's job.
    pub unknown_codes: Vec<String>,
}

/// Scores `answers` against `template`. If a code is answered more than once,
/// the last answer counts. The store allows only one answer per question.
pub fn score(template: &Template, answers: &[Answer], rules: &GradeRules) -> Score {
    let results: HashMap<&str, AnswerResult> = answers.iter().map(|a| (a.question.as_str(), a.result)).collect();
    let mut overall = Tally::default();
    let mut sections: Vec<(Section, Tally)> = Vec::new();
    let mut unanswered = Vec::new();
    let mut critical_no = Vec::new();
    for question in &template.questions {
        let result = results.get(question.code.as_str()).copied();
        overall.add(question.weight, result);
        section_tally(&mut sections, question.section).add(question.weight, result);
        match result {
            None => unanswered.push(question.code.clone()),
            Some(AnswerResult::No) if question.critical => critical_no.push(question.code.clone()),
            _ => {}
        }
    }
    Score {
        template: template.id.clone(),
        sections: sections.into_iter().map(section_score).collect(),
        overall,
        pct: overall.pct(),
        grade: grade(&overall, !critical_no.is_empty(), rules),
        unanswered,
        critical_no,
        unknown_codes: unknown_codes(template, answers),
    }
}

fn section_tally(sections: &mut Vec<(Section, Tally)>, section: Section) -> &mut Tally {
    let index = if let Some(i) = sections.iter().position(|(s, _)| *s == section) {
        i
    } else {
        sections.push((section, Tally::default()));
        sections.len() - 1
    };
    &mut sections[index].1
}

fn section_score((section, tally): (Section, Tally)) -> SectionScore {
    SectionScore { section, tally, pct: tally.pct() }
}

fn grade(overall: &Tally, critical_no: bool, rules: &GradeRules) -> Grade {
    let Some(pct) = overall.pct() else {
        return Grade::Insufficient;
    };
    if !enough_answered(overall, rules.min_answered_share) {
        return Grade::Insufficient;
    }
    let band = Grade::band(pct);
    if critical_no { band.capped_at(rules.critical_cap) } else { band }
}

/// Compares the ratio with the share rather than `answered` with
/// `share × applicable`, since 0.55 × 100.0 is 55.00000000000001 and would turn
/// away 55 answers of 100. When the true ratio equals the share, both round to
/// the same `f64`.
fn enough_answered(tally: &Tally, share: f64) -> bool {
    tally.applicable > 0 && tally.answered as f64 / tally.applicable as f64 >= share
}

fn unknown_codes(template: &Template, answers: &[Answer]) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    for answer in answers {
        let code = &answer.question;
        let known = template.questions.iter().any(|q| &q.code == code);
        if !known && !unknown.contains(code) {
            unknown.push(code.clone());
        }
    }
    unknown
}

#[cfg(test)]
#[path = "checklist_tests.rs"]
mod tests;
