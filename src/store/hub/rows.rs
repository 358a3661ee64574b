//! The hub's rows as Rust values, one type per hub table, each knowing its
//! columns (for binary COPY in and out), its identity and how to name
//! itself in a report. Contents travel as the hub stores them: typed
//! columns for lots, a JSON object (`body`) for the other facts.

use chrono::NaiveDate;
use postgres::binary_copy::BinaryCopyOutRow;
use postgres::types::{ToSql, Type};
use serde_json::Value;

/// A hub table's rows: what push and pull need to move them.
pub trait HubTable: Sized {
    /// The table, in schema `casebook`.
    const NAME: &'static str;
    /// The data columns in order (the hub's own `seq`, `tx`, `pushed_by`
    /// and `pushed_at` are never sent).
    const COLUMNS: &'static [(&'static str, Type)];
    /// The identity columns (a prefix of `COLUMNS`).
    const KEY: usize;
    /// Whether the same identity with other content is a conflict (a
    /// supplier's first profile is not: later edits travel as versions; a
    /// file's identity is its content's hash).
    const COMPARED: bool;

    /// How a report names a row, as SQL over the columns (of `incoming`).
    const IDENTITY: &'static str;
    /// Why the current login may not push a row, as SQL over its columns
    /// (NULL: it may); `None` for a table with one lane for all its rows,
    /// asked once per push.
    const REFUSAL: Option<&'static str>;
    /// Rows the hub no longer takes, as SQL over the columns: a draft's
    /// parts and edits once the audit's submission is on the hub (the sealed
    /// content is what counts). Taken out and counted with what it had.
    const SUPERSEDED: Option<&'static str> = None;
    /// Rows whose first content on the hub stands (a draft's parts, pushed
    /// again after edits that travel as versions): other content under
    /// their identity is not a conflict.
    const FIRST_STANDS: Option<&'static str> = None;

    fn values(&self) -> Vec<&(dyn ToSql + Sync)>;
    fn read(row: &BinaryCopyOutRow) -> Result<Self, postgres::Error>;
}

/// What is filed under a submitted audit is refused (the hub's triggers
/// would refuse it too); said in the same words as the hub's trigger.
macro_rules! submitted {
    ($under:literal) => {
        concat!(
            "CASE WHEN audit IS NOT NULL AND ",
            $under,
            " AND casebook.audit_submitted(audit) THEN format('audit %s is submitted on the hub; nothing filed under \
             it changes', audit) END"
        )
    };
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplierRow {
    pub code: String,
    pub body: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRow {
    pub gid: String,
    pub supplier: String,
    pub body: Value,
}

/// Every other fact: a claim, evidence item, finding, closure, submission,
/// attachment, void, annotation, control plan (and its unfreezing), history
/// entry, or a draft's header, items and notes as first pushed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordRow {
    pub kind: String,
    pub key: String,
    pub supplier: Option<String>,
    pub audit: Option<String>,
    pub topic: Option<String>,
    pub body: Value,
}

/// One version of a mutable field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRow {
    pub entity: String,
    pub key: String,
    pub field: String,
    pub clock: String,
    pub actor: String,
    pub value: Option<String>,
    pub supplier: Option<String>,
    pub audit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotRow {
    pub supplier: String,
    pub lot: String,
    pub sku: String,
    pub process: String,
    pub material: String,
    pub produced_on: NaiveDate,
    pub started: i64,
    pub passed_first: i64,
    pub reworked: i64,
    pub scrapped: i64,
    pub defects: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRow {
    pub sha256: String,
    pub size: i64,
    /// Base64 in a dossier.
    #[serde(with = "base64_bytes")]
    pub content: Vec<u8>,
}

impl HubTable for SupplierRow {
    const NAME: &'static str = "suppliers";
    const COLUMNS: &'static [(&'static str, Type)] = &[("code", Type::TEXT), ("body", Type::JSONB)];
    const KEY: usize = 1;
    const COMPARED: bool = false;

    const IDENTITY: &'static str = "'supplier ' || code";
    const REFUSAL: Option<&'static str> = None;

    fn values(&self) -> Vec<&(dyn ToSql + Sync)> {
        vec![&self.code, &self.body]
    }

    fn read(row: &BinaryCopyOutRow) -> Result<Self, postgres::Error> {
        Ok(Self { code: row.try_get(0)?, body: row.try_get(1)? })
    }
}

impl HubTable for AuditRow {
    const NAME: &'static str = "audits";
    const COLUMNS: &'static [(&'static str, Type)] =
        &[("gid", Type::TEXT), ("supplier", Type::TEXT), ("body", Type::JSONB)];
    const KEY: usize = 1;
    const COMPARED: bool = true;

    const IDENTITY: &'static str = "'audit ' || coalesce(body->>'ref' || ' ', '') || '(' || gid || ')'";
    const REFUSAL: Option<&'static str> = None;

    fn values(&self) -> Vec<&(dyn ToSql + Sync)> {
        vec![&self.gid, &self.supplier, &self.body]
    }

    fn read(row: &BinaryCopyOutRow) -> Result<Self, postgres::Error> {
        Ok(Self { gid: row.try_get(0)?, supplier: row.try_get(1)?, body: row.try_get(2)? })
    }
}

impl HubTable for RecordRow {
    const NAME: &'static str = "records";
    const COLUMNS: &'static [(&'static str, Type)] = &[
        ("kind", Type::TEXT),
        ("key", Type::TEXT),
        ("supplier", Type::TEXT),
        ("audit", Type::TEXT),
        ("topic", Type::TEXT),
        ("body", Type::JSONB),
    ];
    const KEY: usize = 2;
    const COMPARED: bool = true;

    const IDENTITY: &'static str = "replace(kind, '_', ' ') || ' ' || key";
    const REFUSAL: Option<&'static str> = Some(concat!(
        "coalesce(casebook.record_refusal(current_user, kind, topic, audit), ",
        submitted!("kind IN ('evidence', 'finding', 'submission', 'void')"),
        ")"
    ));
    const SUPERSEDED: Option<&'static str> = Some(
        "audit IS NOT NULL AND (kind IN ('draft', 'draft_evidence', 'draft_finding', 'note') OR (kind = 'void' AND \
         topic IN ('evidence', 'finding'))) AND casebook.audit_submitted(audit)",
    );
    const FIRST_STANDS: Option<&'static str> = Some("kind IN ('draft', 'draft_evidence', 'draft_finding', 'note')");

    fn values(&self) -> Vec<&(dyn ToSql + Sync)> {
        vec![&self.kind, &self.key, &self.supplier, &self.audit, &self.topic, &self.body]
    }

    fn read(row: &BinaryCopyOutRow) -> Result<Self, postgres::Error> {
        Ok(Self {
            kind: row.try_get(0)?,
            key: row.try_get(1)?,
            supplier: row.try_get(2)?,
            audit: row.try_get(3)?,
            topic: row.try_get(4)?,
            body: row.try_get(5)?,
        })
    }
}

impl HubTable for VersionRow {
    const NAME: &'static str = "versions";
    const COLUMNS: &'static [(&'static str, Type)] = &[
        ("entity", Type::TEXT),
        ("key", Type::TEXT),
        ("field", Type::TEXT),
        ("clock", Type::TEXT),
        ("actor", Type::TEXT),
        ("value", Type::TEXT),
        ("supplier", Type::TEXT),
        ("audit", Type::TEXT),
    ];
    const KEY: usize = 4;
    const COMPARED: bool = true;

    const IDENTITY: &'static str =
        "entity || ' ' || key || ' ' || field || ' (edit ' || clock || ' by ' || actor || ')'";
    /// After an audit's submission its versions are history: taken from
    /// any auditor by a hub of version 2, refused by one of version 1 (which
    /// is never sent them).
    const REFUSAL: Option<&'static str> = Some("casebook.version_refusal(current_user, entity, audit)");

    fn values(&self) -> Vec<&(dyn ToSql + Sync)> {
        vec![&self.entity, &self.key, &self.field, &self.clock, &self.actor, &self.value, &self.supplier, &self.audit]
    }

    fn read(row: &BinaryCopyOutRow) -> Result<Self, postgres::Error> {
        Ok(Self {
            entity: row.try_get(0)?,
            key: row.try_get(1)?,
            field: row.try_get(2)?,
            clock: row.try_get(3)?,
            actor: row.try_get(4)?,
            value: row.try_get(5)?,
            supplier: row.try_get(6)?,
            audit: row.try_get(7)?,
        })
    }
}

impl HubTable for LotRow {
    const NAME: &'static str = "lots";
    const COLUMNS: &'static [(&'static str, Type)] = &[
        ("supplier", Type::TEXT),
        ("lot", Type::TEXT),
        ("sku", Type::TEXT),
        ("process", Type::TEXT),
        ("material", Type::TEXT),
        ("produced_on", Type::DATE),
        ("started", Type::INT8),
        ("passed_first", Type::INT8),
        ("reworked", Type::INT8),
        ("scrapped", Type::INT8),
        ("defects", Type::JSONB),
    ];
    const KEY: usize = 2;
    const COMPARED: bool = true;

    const IDENTITY: &'static str = "'lot ' || supplier || ' ' || lot";
    const REFUSAL: Option<&'static str> = None;

    fn values(&self) -> Vec<&(dyn ToSql + Sync)> {
        vec![
            &self.supplier,
            &self.lot,
            &self.sku,
            &self.process,
            &self.material,
            &self.produced_on,
            &self.started,
            &self.passed_first,
            &self.reworked,
            &self.scrapped,
            &self.defects,
        ]
    }

    fn read(row: &BinaryCopyOutRow) -> Result<Self, postgres::Error> {
        Ok(Self {
            supplier: row.try_get(0)?,
            lot: row.try_get(1)?,
            sku: row.try_get(2)?,
            process: row.try_get(3)?,
            material: row.try_get(4)?,
            produced_on: row.try_get(5)?,
            started: row.try_get(6)?,
            passed_first: row.try_get(7)?,
            reworked: row.try_get(8)?,
            scrapped: row.try_get(9)?,
            defects: row.try_get(10)?,
        })
    }
}

impl LotRow {
    /// The lot as a laptop holds it (counts within range, the defect map
    /// as code → whole count, sorted by code); what it may hold is checked
    /// by the merge, as for a lot from any other database.
    pub fn into_lot(self) -> crate::error::Result<crate::model::Lot> {
        let bad = |field: &str, why: String| {
            crate::error::Error::Invalid(format!("hub: lot {} of {}: {field}: {why}", self.lot, self.supplier))
        };
        let count =
            |field: &str, n: i64| u32::try_from(n).map_err(|_| bad(field, format!("{n} is not a count of units")));
        let process = crate::model::Process::parse(&self.process).ok_or_else(|| {
            bad("process", format!("`{}` is not one of {}", self.process, crate::model::Process::expected()))
        })?;
        let counts = [
            count("started", self.started)?,
            count("passed_first", self.passed_first)?,
            count("reworked", self.reworked)?,
            count("scrapped", self.scrapped)?,
        ];
        let mut defects = Vec::new();
        match &self.defects {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (code, n) in map {
                    let whole = n.as_u64().and_then(|n| u32::try_from(n).ok());
                    defects.push((
                        code.clone(),
                        whole.ok_or_else(|| bad("defects", format!("`{code}`: {n} is not a whole count")))?,
                    ));
                }
                defects.sort_by(|a: &(String, u32), b| a.0.cmp(&b.0));
            }
            Some(other) => return Err(bad("defects", format!("{other} is not an object of defect counts"))),
        }
        let [started, passed_first, reworked, scrapped] = counts;
        Ok(crate::model::Lot {
            lot: self.lot,
            sku: self.sku,
            process,
            material: self.material,
            produced_on: self.produced_on,
            started,
            passed_first,
            reworked,
            scrapped,
            defects,
        })
    }
}

impl HubTable for FileRow {
    const NAME: &'static str = "files";
    const COLUMNS: &'static [(&'static str, Type)] =
        &[("sha256", Type::TEXT), ("size", Type::INT8), ("content", Type::BYTEA)];
    const KEY: usize = 1;
    const COMPARED: bool = false;

    const IDENTITY: &'static str = "'file ' || sha256";
    const REFUSAL: Option<&'static str> = None;

    fn values(&self) -> Vec<&(dyn ToSql + Sync)> {
        vec![&self.sha256, &self.size, &self.content]
    }

    fn read(row: &BinaryCopyOutRow) -> Result<Self, postgres::Error> {
        Ok(Self { sha256: row.try_get(0)?, size: row.try_get(1)?, content: row.try_get(2)? })
    }
}

/// What one push sends, parents before children in each list.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Batch {
    pub suppliers: Vec<SupplierRow>,
    pub audits: Vec<AuditRow>,
    pub records: Vec<RecordRow>,
    pub versions: Vec<VersionRow>,
    pub lots: Vec<LotRow>,
    pub files: Vec<FileRow>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        self.suppliers.len()
            + self.audits.len()
            + self.records.len()
            + self.versions.len()
            + self.lots.len()
            + self.files.len()
    }
}

/// A file's bytes as standard base64 text (in a `casebook-dossier/3`).
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text.as_bytes()).map_err(|e| serde::de::Error::custom(format!("is not base64: {e}")))
    }
}
