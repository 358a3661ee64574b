//! Pulling from the hub: the rows that arrived after a cursor, table by
//! table in arrival (`seq`) order, streamed by binary COPY.
//!
//! A window is fixed when it is opened: `upto` is the highest `seq` visible
//! then. Because pushes are serialised (see the hub schema), every row with
//! a `seq` at most `upto` is visible from then on and none appears later, so
//! a window can be read over several connections, and a laptop that merged
//! it whole moves its cursor to `upto` and misses nothing.

use std::collections::BTreeMap;

use postgres::binary_copy::BinaryCopyOutIter;
use postgres::fallible_iterator::FallibleIterator;

use super::rows::HubTable;
use super::{Hub, pg_error};
use crate::error::Result;

/// The hub rows with `after < seq <= upto`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PullWindow {
    pub after: i64,
    pub upto: i64,
    /// Rows in the window, per table.
    pub counts: BTreeMap<&'static str, u64>,
}

const TABLES: [&str; 6] = ["suppliers", "audits", "records", "versions", "lots", "files"];

/// The highest `seq` on the hub that this connection can see.
pub(super) fn highest_seq(client: &mut impl postgres::GenericClient) -> Result<i64> {
    let highest = TABLES.map(|t| format!("(SELECT max(seq) FROM casebook.{t})")).join(", ");
    Ok(client.query_one(&format!("SELECT greatest(0, {highest})::bigint"), &[]).map_err(|e| pg_error(&e))?.get(0))
}

impl PullWindow {
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }
}

impl Hub {
    /// Opens the window from `after` to everything the hub holds now.
    pub fn pull_window(&mut self, after: i64) -> Result<PullWindow> {
        let upto = highest_seq(&mut self.client)?;
        let mut counts = BTreeMap::new();
        if upto > after {
            for table in TABLES {
                let n: i64 = self
                    .client
                    .query_one(
                        &format!("SELECT count(*) FROM casebook.{table} WHERE seq > $1 AND seq <= $2"),
                        &[&after, &upto],
                    )
                    .map_err(|e| pg_error(&e))?
                    .get(0);
                counts.insert(table, u64::try_from(n).unwrap_or(0));
            }
        }
        Ok(PullWindow { after, upto: upto.max(after), counts })
    }

    /// Streams the window's rows of one table, in `seq` order, to `each`.
    pub fn pull_rows<T: HubTable>(&mut self, window: &PullWindow, each: &mut dyn FnMut(T) -> Result<()>) -> Result<()> {
        let filter = format!("seq > {} AND seq <= {}", window.after, window.upto);
        self.rows_where(&filter, each)
    }

    /// Streams the rows of one table that `filter` (SQL over its columns,
    /// built by this module's callers from values they checked) selects, in
    /// `seq` order.
    pub(crate) fn rows_where<T: HubTable>(
        &mut self,
        filter: &str,
        each: &mut dyn FnMut(T) -> Result<()>,
    ) -> Result<()> {
        let list = T::COLUMNS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ");
        let types: Vec<_> = T::COLUMNS.iter().map(|(_, ty)| ty.clone()).collect();
        let reader = self
            .client
            .copy_out(&format!(
                "COPY (SELECT {list} FROM casebook.{} WHERE {filter} ORDER BY seq) TO STDOUT (FORMAT binary)",
                T::NAME
            ))
            .map_err(|e| pg_error(&e))?;
        let mut rows = BinaryCopyOutIter::new(reader, &types);
        while let Some(row) = rows.next().map_err(|e| pg_error(&e))? {
            each(T::read(&row).map_err(|e| pg_error(&e))?)?;
        }
        Ok(())
    }
}

/// `'text'` as a PostgreSQL string literal (standard-conforming strings).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `ARRAY['a', 'b']::text[]`.
fn text_array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let list = items.into_iter().map(literal).collect::<Vec<_>>().join(", ");
    format!("ARRAY[{list}]::text[]")
}

impl Hub {
    /// Rows of one table whose `column` is one of `values`, up to `upto`
    /// (the window's end: rows a pull must not see yet stay out).
    pub fn rows_with<T: HubTable>(
        &mut self,
        column: &str,
        values: &[String],
        upto: i64,
        each: &mut dyn FnMut(T) -> Result<()>,
    ) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        let filter = format!("{column} = ANY({}) AND seq <= {upto}", text_array(values.iter().map(String::as_str)));
        self.rows_where(&filter, each)
    }

    /// The distinct suppliers of the window's lots.
    pub fn window_lot_suppliers(&mut self, window: &PullWindow) -> Result<Vec<String>> {
        let rows = self
            .client
            .query(
                "SELECT DISTINCT supplier FROM casebook.lots WHERE seq > $1 AND seq <= $2",
                &[&window.after, &window.upto],
            )
            .map_err(|e| pg_error(&e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}

impl Hub {
    /// Claims by gid, up to `upto`.
    pub fn claims_by_gid(
        &mut self,
        gids: &[String],
        upto: i64,
        each: &mut dyn FnMut(super::RecordRow) -> Result<()>,
    ) -> Result<()> {
        self.records_by_key("claim", gids, upto, each)
    }

    /// Records of `kind` by key, up to `upto`.
    pub fn records_by_key(
        &mut self,
        kind: &str,
        keys: &[String],
        upto: i64,
        each: &mut dyn FnMut(super::RecordRow) -> Result<()>,
    ) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let filter = format!(
            "kind = {} AND key = ANY({}) AND seq <= {upto}",
            literal(kind),
            text_array(keys.iter().map(String::as_str))
        );
        self.rows_where(&filter, each)
    }

    /// Lots by `SUPPLIER LOT` (a supplier code has no spaces), up to `upto`.
    pub fn lots_by_key(
        &mut self,
        keys: &[String],
        upto: i64,
        each: &mut dyn FnMut(super::LotRow) -> Result<()>,
    ) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let filter =
            format!("supplier || ' ' || lot = ANY({}) AND seq <= {upto}", text_array(keys.iter().map(String::as_str)));
        self.rows_where(&filter, each)
    }

    /// The distinct suppliers the window's versions belong to.
    pub fn window_version_suppliers(&mut self, window: &PullWindow) -> Result<Vec<String>> {
        let rows = self
            .client
            .query(
                "SELECT DISTINCT supplier FROM casebook.versions WHERE seq > $1 AND seq <= $2 AND supplier IS NOT NULL",
                &[&window.after, &window.upto],
            )
            .map_err(|e| pg_error(&e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}

impl Hub {
    /// The distinct audits (and drafts) the window's versions are filed under.
    pub fn window_version_audits(&mut self, window: &PullWindow) -> Result<Vec<String>> {
        let rows = self
            .client
            .query(
                "SELECT DISTINCT audit FROM casebook.versions WHERE seq > $1 AND seq <= $2 AND audit IS NOT NULL",
                &[&window.after, &window.upto],
            )
            .map_err(|e| pg_error(&e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Draft headers (records of kind `draft`) by audit gid, up to `upto`.
    pub fn drafts_by_gid(
        &mut self,
        gids: &[String],
        upto: i64,
        each: &mut dyn FnMut(super::RecordRow) -> Result<()>,
    ) -> Result<()> {
        if gids.is_empty() {
            return Ok(());
        }
        let filter =
            format!("kind = 'draft' AND key = ANY({}) AND seq <= {upto}", text_array(gids.iter().map(String::as_str)));
        self.rows_where(&filter, each)
    }

    /// Attachments whose files arrived in the window (pushed after them,
    /// when the file was found again), up to the window's end.
    pub fn window_file_attachments(
        &mut self,
        window: &PullWindow,
        each: &mut dyn FnMut(super::RecordRow) -> Result<()>,
    ) -> Result<()> {
        let (after, upto) = (window.after, window.upto);
        let filter = format!(
            "kind = 'attachment' AND seq <= {upto} AND body->>'sha256' IN
             (SELECT sha256 FROM casebook.files WHERE seq > {after} AND seq <= {upto})"
        );
        self.rows_where(&filter, each)
    }
}
