//! What a merge did — of other databases (`casebook merge`) or of dossiers
//! (`casebook import`) — per source: what was added, what was already
//! there, which mutable fields took the source's value, every conflict and
//! how it was resolved, and what could not be taken. Plain data: the CLI
//! prints it as a table or as JSON.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::Hlc;

/// Counts by kind of record (`suppliers`, `audits`, `lots`, …), in a fixed
/// order when printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts(pub BTreeMap<&'static str, u64>);

/// The kinds of record a merge counts, parents before children.
pub const KINDS: [&str; 16] = [
    "suppliers",
    "claims",
    "audits",
    "answers",
    "question_notes",
    "evidence",
    "findings",
    "closures",
    "attachments",
    "lots",
    "annotations",
    "control_plans",
    "history",
    "field_versions",
    "shortlist",
    "policy",
];

impl Counts {
    pub fn add(&mut self, kind: &'static str, n: u64) {
        if n > 0 {
            *self.0.entry(kind).or_default() += n;
        }
    }

    pub fn get(&self, kind: &str) -> u64 {
        self.0.get(kind).copied().unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    pub fn absorb(&mut self, other: &Counts) {
        for (kind, n) in &other.0 {
            self.add(kind, *n);
        }
    }
}

impl fmt::Display for Counts {
    /// "1 audit, 82 answers, 20000 lots", or "nothing".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rank = |k: &str| KINDS.iter().position(|o| *o == k).unwrap_or(KINDS.len());
        let mut kinds: Vec<(&&str, &u64)> = self.0.iter().filter(|(_, n)| **n > 0).collect();
        if kinds.is_empty() {
            return f.write_str("nothing");
        }
        kinds.sort_by_key(|(k, _)| rank(k));
        let noun = |k: &str, n: u64| {
            let words = k.replace('_', " ");
            if n == 1 { words.strip_suffix('s').map_or_else(|| words.clone(), str::to_owned) } else { words }
        };
        let parts: Vec<String> = kinds.into_iter().map(|(k, n)| format!("{n} {}", noun(k, *n))).collect();
        f.write_str(&parts.join(", "))
    }
}

/// One value of a mutable field as one side holds it: the value, who set
/// it and when (by the clock of the installation that set it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldValue {
    /// `None`: the field was empty (or cleared).
    pub value: Option<String>,
    pub by: String,
    pub clock: Hlc,
}

impl fmt::Display for FieldValue {
    /// "500 by auditor b (2026-11-21)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = self.clock.day().map_or_else(|| self.clock.to_string(), |d| d.to_string());
        write!(f, "{} by {} ({day})", self.value.as_deref().unwrap_or("—"), self.by)
    }
}

/// Which side's value a resolution kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    /// The database merged into.
    Ours,
    /// The database or dossier merged from.
    Theirs,
}

/// Two edits of one mutable field: the later by the hybrid logical clock is
/// kept, the other stays in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldConflict {
    /// `supplier`, `claim`, `answer`, `audit`, `shortlist`, `policy`.
    pub entity: &'static str,
    /// The record in words: `DG-FOLIO`, `A-2026-K7Q-001 LG-01`, `yield.min_fpy`.
    pub key: String,
    pub field: String,
    pub ours: FieldValue,
    pub theirs: FieldValue,
    pub kept: Kept,
}

impl FieldConflict {
    pub fn kept_value(&self) -> &FieldValue {
        match self.kept {
            Kept::Ours => &self.ours,
            Kept::Theirs => &self.theirs,
        }
    }
}

impl fmt::Display for FieldConflict {
    /// "supplier DG-FOLIO moq: 300 by auditor a (2026-11-20) vs 500 by
    /// auditor b (2026-11-21) → 500", the older edit first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, second) =
            if self.ours.clock <= self.theirs.clock { (&self.ours, &self.theirs) } else { (&self.theirs, &self.ours) };
        let kept = self.kept_value().value.as_deref().unwrap_or("—");
        write!(f, "{} {} {}: {first} vs {second} → {kept}", self.entity, self.key, self.field)
    }
}

/// Why a record was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The same identity holds other content here: a fact never changes, so
    /// one of the two was altered (tampering) or made by a bug.
    DifferentContent,
    /// A submitted audit whose seal does not match its content.
    BrokenSeal,
    /// A closure or attachment whose recorded hash does not match its content.
    BrokenHash,
    /// Its parent (supplier, audit, finding, evidence) was not taken.
    ParentRefused,
    /// Edits of a draft that was submitted elsewhere: the sealed audit is
    /// kept, the edits are shown here and in the history.
    AfterSubmission,
}

impl Cause {
    pub fn explain(self) -> &'static str {
        match self {
            Self::DifferentContent => {
                "the same record holds other content here; facts never change, so one copy was altered \
                 (tampering) or written by a bug"
            }
            Self::BrokenSeal => "its seal does not match its content: it was altered after submission",
            Self::BrokenHash => "its recorded hash does not match its content: it was altered after it was recorded",
            Self::ParentRefused => "the record it belongs to was refused",
            Self::AfterSubmission => "the audit was submitted elsewhere; its sealed content is kept",
        }
    }
}

/// A record refused by the merge, with both versions where there are two.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refused {
    /// `audit`, `lot`, `evidence`, …
    pub entity: &'static str,
    /// Its global identity (or natural key).
    pub id: String,
    /// The record in words: `A-2026-K7Q-001 (XM-FEWLOTS)`, `SZ-ARMOR lot L-0001`.
    pub key: String,
    pub cause: Cause,
    /// The fields that differ, each `(field, ours, theirs)`.
    pub differs: Vec<(String, Option<String>, Option<String>)>,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} refused: {}", self.entity, self.key, self.cause.explain())?;
        for (field, ours, theirs) in &self.differs {
            let show = |v: &Option<String>| v.as_deref().map_or_else(|| "—".to_owned(), |s| format!("{s:?}"));
            write!(f, "; {field}: here {} vs there {}", show(ours), show(theirs))?;
        }
        Ok(())
    }
}

/// An attached file that a merged record names but that neither database's
/// file store holds: the record is merged, the file is reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingFile {
    pub sha256: String,
    /// What it is attached to, in words.
    pub attached_to: String,
    pub name: String,
}

/// What merging one source did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceReport {
    pub source: String,
    /// The source's installation tag, when it has one.
    pub installation: Option<String>,
    /// The schema version the source was written with (older ones are
    /// migrated in a temporary copy; the source is never written).
    pub schema_version: i64,
    pub added: Counts,
    /// Already here, identical.
    pub already: Counts,
    /// Mutable fields that took the source's value (its edit was later).
    pub updated: Counts,
    pub conflicts: Vec<FieldConflict>,
    pub refused: Vec<Refused>,
    pub missing_files: Vec<MissingFile>,
    /// Things worth knowing that are not conflicts (a clock far ahead).
    pub notices: Vec<String>,
}

impl SourceReport {
    pub fn new(source: impl Into<String>) -> Self {
        Self { source: source.into(), ..Self::default() }
    }

    /// Whether the source went in without a refusal or a missing file.
    pub fn clean(&self) -> bool {
        self.refused.is_empty() && self.missing_files.is_empty()
    }

    /// "b.db: added 1 audit, 41 answers; already here 14 suppliers; 1 field
    /// conflict; 0 refused".
    pub fn summary(&self) -> String {
        use fmt::Write as _;
        let mut line = format!("{}: added {}; already here {}", self.source, self.added, self.already);
        if self.updated.total() > 0 {
            let _ = write!(line, "; updated {}", self.updated);
        }
        let _ = write!(
            line,
            "; {} conflict(s) resolved; {} refused; {} missing file(s)",
            self.conflicts.len(),
            self.refused.len(),
            self.missing_files.len()
        );
        line
    }
}

/// What one `casebook merge` did (all sources in one transaction).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MergeReport {
    pub target: String,
    pub dry_run: bool,
    /// Whether the merge was written (not on a dry run, nor on an error).
    pub committed: bool,
    pub sources: Vec<SourceReport>,
}

impl MergeReport {
    pub fn clean(&self) -> bool {
        self.sources.iter().all(SourceReport::clean)
    }

    pub fn added(&self) -> Counts {
        let mut all = Counts::default();
        for s in &self.sources {
            all.absorb(&s.added);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tag;

    fn clock(day: u32, node: &str) -> Hlc {
        let ms = chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        Hlc { millis: u64::try_from(ms).unwrap(), counter: 0, node: node.parse::<Tag>().unwrap() }
    }

    #[test]
    fn a_field_conflict_reads_as_the_issue_writes_it() {
        let conflict = FieldConflict {
            entity: "supplier",
            key: "DG-FOLIO".into(),
            field: "moq".into(),
            ours: FieldValue { value: Some("500".into()), by: "auditor b".into(), clock: clock(21, "BBB") },
            theirs: FieldValue { value: Some("300".into()), by: "auditor a".into(), clock: clock(20, "AAA") },
            kept: Kept::Ours,
        };
        assert_eq!(
            conflict.to_string(),
            "supplier DG-FOLIO moq: 300 by auditor a (2026-11-20) vs 500 by auditor b (2026-11-21) → 500"
        );
        let json = serde_json::to_value(&conflict).unwrap();
        assert_eq!(json["kept"], "ours");
        assert_eq!(json["theirs"]["clock"], clock(20, "AAA").to_string());
    }

    #[test]
    fn counts_print_parents_first_and_skip_zeros() {
        let mut c = Counts::default();
        c.add("lots", 20_000);
        c.add("audits", 1);
        c.add("claims", 0);
        c.add("field_versions", 2);
        assert_eq!(c.to_string(), "1 audit, 20000 lots, 2 field versions");
        assert_eq!(Counts::default().to_string(), "nothing");
        assert_eq!(c.total(), 20_003);
    }

    #[test]
    fn a_refusal_shows_both_versions() {
        let r = Refused {
            entity: "lot",
            id: "XM-FEWLOTS/L-0001".into(),
            key: "XM-FEWLOTS lot L-0001".into(),
            cause: Cause::DifferentContent,
            differs: vec![("started".into(), Some("1200".into()), Some("1300".into()))],
        };
        let text = r.to_string();
        assert!(text.starts_with("lot XM-FEWLOTS lot L-0001 refused: the same record holds other content here"));
        assert!(text.ends_with("; started: here \"1200\" vs there \"1300\""), "{text}");
    }
}
