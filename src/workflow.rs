//! Operations that need both the store and the pure assessment: sealing an
//! audit with its score. Kept here so the importer, the CLI and the UI submit
//! audits the same way.

use crate::assess::checklist::{self, Score};
use crate::error::Result;
use crate::store::{Seal, Writer};

/// Scores a draft audit on its own template and submits it (see
/// `Writer::submit_audit`). Returns the score that was sealed.
pub fn seal(writer: &Writer<'_>, audit: i64) -> Result<Score> {
    let score = score_audit(writer, audit)?;
    writer.submit_audit(audit, Seal { score_pct: score.pct, grade: score.grade.as_str() })?;
    Ok(score)
}

/// The live score of an audit (drafts included) under the stored policy.
pub fn score_audit(writer: &Writer<'_>, audit: i64) -> Result<Score> {
    let read = writer.read();
    let row = read.audit(audit)?;
    let template = read.template(&row.audit.template)?;
    let rules = read.policy()?.grade;
    Ok(checklist::score(&template, &row.audit.answers, &rules))
}
