//! Pushing to the hub: a batch of rows, in one PostgreSQL transaction that
//! first takes the hub's push lock, so what is compared is what it is
//! inserted against. Each table's rows go by binary COPY into a temporary
//! table, and from there:
//!
//! * rows whose identity is on the hub with other content are taken out
//!   and reported with both versions (a conflict of facts);
//! * rows already there are counted and taken out;
//! * rows the login may not push are taken out and reported with the hub's
//!   own reason (`casebook.why_refused`, the function row-level security
//!   uses — the client never decides, it only asks before inserting, and
//!   the hub would refuse them anyway);
//! * the rest are inserted.
//!
//! A cut-off push rolls back whole: the hub is as before, and the laptop
//! never changes for a push.

use std::collections::BTreeMap;

use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use serde_json::Value;

use super::rows::{Batch, HubTable};
use super::{Hub, pg_error};
use crate::error::Result;

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PushReport {
    /// Rows added to the hub, per table.
    pub added: BTreeMap<&'static str, u64>,
    /// Rows the hub had already, per table.
    pub already: BTreeMap<&'static str, u64>,
    /// Facts the hub holds with other content: not pushed.
    pub conflicts: Vec<PushConflict>,
    /// Rows the login may not push, by reason.
    pub refused: Vec<PushRefusal>,
    /// The hub's highest `seq` when the push took the lock, and when it
    /// committed: every row in between is this push's.
    pub hub_before: i64,
    pub hub_after: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushConflict {
    pub record: String,
    pub hub: Value,
    pub pushed: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushRefusal {
    pub why: String,
    /// How many rows, and the first few by name.
    pub count: u64,
    pub records: Vec<String>,
}

/// How many refused records a report names (the count says the rest).
const NAMED: i32 = 20;

impl PushReport {
    pub fn added_total(&self) -> u64 {
        self.added.values().sum()
    }
}

impl Hub {
    /// Pushes `batch` in one transaction.
    pub fn push(&mut self, batch: &Batch) -> Result<PushReport> {
        let mut report = PushReport::default();
        let mut tx = self.client.transaction().map_err(|e| pg_error(&e))?;
        tx.query_one("SELECT casebook.lock_push()", &[]).map_err(|e| pg_error(&e))?;
        report.hub_before = super::pull::highest_seq(&mut tx)?;
        push_table(&mut tx, &batch.suppliers, &mut report)?;
        push_table(&mut tx, &batch.audits, &mut report)?;
        // What makes up an audit before its submission: the hub refuses
        // anything filed under an audit once it is submitted.
        // Drafts before what is filed under them (their first pusher owns them).
        let (submissions, others): (Vec<_>, Vec<_>) =
            batch.records.iter().cloned().partition(|r| r.kind == "submission");
        let (drafts, others): (Vec<_>, Vec<_>) = others.into_iter().partition(|r| r.kind == "draft");
        let (answers, versions): (Vec<_>, Vec<_>) =
            batch.versions.iter().cloned().partition(|v| v.entity == "audit" || v.entity == "answer");
        push_table(&mut tx, &drafts, &mut report)?;
        push_table(&mut tx, &others, &mut report)?;
        push_table(&mut tx, &answers, &mut report)?;
        push_table(&mut tx, &submissions, &mut report)?;
        push_table(&mut tx, &versions, &mut report)?;
        push_table(&mut tx, &batch.lots, &mut report)?;
        push_table(&mut tx, &batch.files, &mut report)?;
        report.hub_after = super::pull::highest_seq(&mut tx)?;
        tx.commit().map_err(|e| pg_error(&e))?;
        Ok(report)
    }
}

fn push_table<T: HubTable>(tx: &mut Transaction<'_>, rows: &[T], report: &mut PushReport) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let columns: Vec<&str> = T::COLUMNS.iter().map(|(name, _)| *name).collect();
    let list = columns.join(", ");
    let run = |tx: &mut Transaction<'_>, sql: &str| tx.batch_execute(sql).map_err(|e| pg_error(&e));
    run(tx, "DROP TABLE IF EXISTS pg_temp.incoming")?;
    run(
        tx,
        &format!("CREATE TEMP TABLE incoming ON COMMIT DROP AS SELECT {list} FROM casebook.{} WITH NO DATA", T::NAME),
    )?;
    copy_in(tx, rows, &list)?;
    let key = columns[..T::KEY].iter().map(|c| format!("t.{c} = i.{c}")).collect::<Vec<_>>().join(" AND ");
    let superseded = match T::SUPERSEDED {
        Some(sql) => tx.execute(&format!("DELETE FROM incoming WHERE {sql}"), &[]).map_err(|e| pg_error(&e))?,
        None => 0,
    };
    if T::COMPARED {
        let compared = T::FIRST_STANDS.map_or_else(|| key.clone(), |first| format!("{key} AND NOT (i.{first})"));
        conflicts(tx, &columns[T::KEY..], &compared, T::NAME, T::IDENTITY, report)?;
    }
    let already = superseded
        + tx.execute(&format!("DELETE FROM incoming i USING casebook.{} t WHERE {key}", T::NAME), &[])
            .map_err(|e| pg_error(&e))?;
    refuse(tx, T::REFUSAL, T::NAME, T::IDENTITY, report)?;
    let left: i64 = tx.query_one("SELECT count(*) FROM incoming", &[]).map_err(|e| pg_error(&e))?.get(0);
    // Nothing left: no INSERT at all (a login without the privilege could not even plan one).
    let added = if left == 0 {
        0
    } else {
        tx.execute(&format!("INSERT INTO casebook.{} ({list}) SELECT {list} FROM incoming", T::NAME), &[])
            .map_err(|e| pg_error(&e))?
    };
    *report.already.entry(T::NAME).or_default() += already;
    *report.added.entry(T::NAME).or_default() += added;
    Ok(())
}

fn copy_in<T: HubTable>(tx: &mut Transaction<'_>, rows: &[T], list: &str) -> Result<()> {
    let types: Vec<_> = T::COLUMNS.iter().map(|(_, ty)| ty.clone()).collect();
    let sink = tx.copy_in(&format!("COPY incoming ({list}) FROM STDIN (FORMAT binary)")).map_err(|e| pg_error(&e))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    for row in rows {
        writer.write(&row.values()).map_err(|e| pg_error(&e))?;
    }
    writer.finish().map_err(|e| pg_error(&e))?;
    Ok(())
}

/// Takes the rows the login may not push out of `incoming`, into the report.
fn refuse(
    tx: &mut Transaction<'_>,
    per_row: Option<&str>,
    table: &str,
    identity: &str,
    report: &mut PushReport,
) -> Result<()> {
    let rows = match per_row {
        Some(why) => tx.query(
            &format!(
                "WITH gone AS (DELETE FROM incoming WHERE {why} IS NOT NULL RETURNING {identity} AS name, {why} AS why)
                 SELECT why, count(*), (array_agg(name ORDER BY name))[1:$1] FROM gone GROUP BY why ORDER BY why"
            ),
            &[&NAMED],
        ),
        None => tx.query(
            &format!(
                "WITH why AS (SELECT casebook.why_refused(current_user, '{table}', NULL) AS why),
                      gone AS (DELETE FROM incoming WHERE (SELECT why FROM why) IS NOT NULL RETURNING {identity} AS name)
                 SELECT (SELECT why FROM why), count(*), (array_agg(name ORDER BY name))[1:$1] FROM gone
                 HAVING count(*) > 0"
            ),
            &[&NAMED],
        ),
    }
    .map_err(|e| pg_error(&e))?;
    for row in rows {
        let count: i64 = row.get(1);
        report.refused.push(PushRefusal {
            why: row.get(0),
            count: u64::try_from(count).unwrap_or(0),
            records: row.get(2),
        });
    }
    Ok(())
}

/// Takes the rows whose identity is on the hub with other content out of
/// `incoming`, into the report with both versions.
fn conflicts(
    tx: &mut Transaction<'_>,
    content: &[&str],
    key: &str,
    table: &str,
    identity: &str,
    report: &mut PushReport,
) -> Result<()> {
    let pairs = |side: &str| content.iter().map(|c| format!("'{c}', {side}.{c}")).collect::<Vec<_>>().join(", ");
    let differ = content.iter().map(|c| format!("i.{c} IS DISTINCT FROM t.{c}")).collect::<Vec<_>>().join(" OR ");
    let rows = tx
        .query(
            &format!(
                "WITH gone AS (DELETE FROM incoming i USING casebook.{table} t WHERE {key} AND ({differ})
                               RETURNING i.*, jsonb_build_object({}) AS hub, jsonb_build_object({}) AS pushed)
                 SELECT {identity}, hub, pushed FROM gone ORDER BY 1",
                pairs("t"),
                pairs("i")
            ),
            &[],
        )
        .map_err(|e| pg_error(&e))?;
    for row in rows {
        report.conflicts.push(PushConflict { record: row.get(0), hub: row.get(1), pushed: row.get(2) });
    }
    Ok(())
}
