//! `casebook sync`: exchange changes with the team hub.
//!
//! 1. **Pull**: what arrived on the hub after this database's cursor (a
//!    `seq` window, see the hub schema), with whatever those rows need to
//!    stand on their own (their suppliers, whole audits, the claims and lots
//!    a void names), is written into a private casebook database (the
//!    inbox) and merged by the merge engine exactly as `casebook merge`
//!    merges a file: facts unioned, seals recomputed, conflicts refused and
//!    reported, mutable fields by their versions. Lots, the bulk of a
//!    first pull, skip the inbox: they stream from the hub into the merge's
//!    lot step, which checks and takes each as it takes a file's. The
//!    cursor moves in the merge's own transaction: a pull cut off at any
//!    point merged nothing and the next one starts from the same place.
//! 2. **Push**: what changed here since the last sync (history entries
//!    after the mark, but for what the pull just merged) goes up in one
//!    PostgreSQL transaction; the hub adds what it lacks, and its roles
//!    decide what this login may add. A cut-off push added nothing.
//! 3. The mark moves past what was pushed only when nothing was refused, so
//!    refused records are reported again until they can go.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use compact_str::CompactString;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::merge::SourceReport;
use crate::model::validate::FieldError;
use crate::model::{self, Lot, Voided};
use crate::store::files::FileStore;
use crate::store::hub::{
    AuditRow, FileRow, Hub, HubUrl, LotRow, PullWindow, PushReport, RecordRow, SupplierRow, VersionRow,
};
use crate::store::{FedLot, HubState, Inbox, LotFeed, PushScope, RowShape, Source, Store};
use crate::workflow::merge::{MergeOptions, merge_one};

/// Where a sync is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Pulling {
        done: u64,
        total: u64,
    },
    Merging,
    /// Lots streaming from the hub into the merge: pulled and merged at once.
    MergingLots {
        done: u64,
        total: u64,
    },
    Pushing {
        rows: u64,
    },
}

/// What a sync did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SyncReport {
    pub hub: String,
    pub hub_id: String,
    pub login: String,
    /// Hub rows pulled (after → upto), per table.
    pub pulled: PullWindow,
    /// What the pull merged here (as `casebook merge` reports a source).
    pub merged: Option<SourceReport>,
    /// What the push did on the hub.
    pub pushed: PushReport,
    pub synced_at: String,
}

impl SyncReport {
    /// Whether nothing was refused or in conflict either way.
    pub fn clean(&self) -> bool {
        self.merged.as_ref().is_none_or(SourceReport::clean)
            && self.pushed.conflicts.is_empty()
            && self.pushed.refused.is_empty()
    }
}

/// Syncs `store` with the hub at `url` as `actor`.
pub fn sync(store: &mut Store, url: &HubUrl, actor: &str, progress: &mut dyn FnMut(Stage)) -> Result<SyncReport> {
    let mut hub = Hub::connect(url)?;
    let info = hub.info().map_err(|e| cut_off(e, PULL_CUT))?;
    let login = hub.login().map_err(|e| cut_off(e, PULL_CUT))?;
    let mut state = store.read().hub_state(&info.hub_id)?.unwrap_or(HubState {
        hub_id: info.hub_id.clone(),
        url: url.shown(),
        pulled_seq: 0,
        history_mark: 0,
        synced_at: None,
    });
    state.url = url.shown();
    let window = {
        let _t = crate::trace::phase("sync: open the pull's window");
        hub.pull_window(state.pulled_seq).map_err(|e| cut_off(e, PULL_CUT))?
    };
    // A database that had nothing before its first pull has nothing of its
    // own to push but what is recorded after it.
    let empty_before = state.history_mark == 0 && store.read().history_head()? == 0;
    let (merged, skip) = if window.total() > 0 {
        let (inbox, voids) =
            fill_inbox(&mut hub, &info.hub_id, &window, store.path(), progress).map_err(|e| cut_off(e, PULL_CUT))?;
        progress(Stage::Merging);
        let source = Source::open_private(inbox.path(), store.path())?;
        let before = store.read().history_head()?;
        let mut after = before;
        let mut pulled = state.clone();
        pulled.pulled_seq = window.upto;
        let options = MergeOptions { dry_run: false, full: true };
        let done = window.total() - window.counts.get("lots").copied().unwrap_or(0);
        let mut lots = HubLots { hub: &mut hub, window: &window, voids, done, progress };
        let report = merge_one(store, (&source, Some(&mut lots)), &url.shown(), actor, options, |w| {
            after = w.read().history_head()?;
            w.save_hub_state(&pulled)
        })
        .map_err(|e| cut_off(e, PULL_CUT))?;
        state.pulled_seq = window.upto;
        (Some(report), (before, after))
    } else {
        (None, (0, 0))
    };
    let _t = crate::trace::phase("sync: push");
    let head = store.read().history_head()?;
    let mut scope = if state.history_mark == 0 && !empty_before {
        PushScope::all()
    } else {
        store.read().changed_since(state.history_mark, skip)?
    };
    // A hub of schema version 1 does not hold drafts, notes, annotations
    // or plans (its administrator brings it up to date with `hub init`).
    scope.shape = if info.version >= 2 { RowShape::Hub } else { RowShape::HubV1 };
    let mut batch = store.read().hub_rows(&scope)?;
    batch.attach_files(store.path());
    progress(Stage::Pushing { rows: batch.len() as u64 });
    let pushed =
        if batch.is_empty() { PushReport::default() } else { hub.push(&batch).map_err(|e| cut_off(e, PUSH_CUT))? };
    if pushed.refused.is_empty() && pushed.conflicts.is_empty() {
        state.history_mark = head;
    }
    // Nothing arrived between this pull and this push: what the push added
    // is here already, and the next pull starts after it.
    if pushed.hub_before == state.pulled_seq {
        state.pulled_seq = pushed.hub_after;
    }
    let synced_at = crate::store::now_stamp();
    state.synced_at = Some(synced_at.clone());
    let w = store.begin(actor)?;
    w.save_hub_state(&state)?;
    w.commit()?;
    Ok(SyncReport {
        hub: url.shown(),
        hub_id: info.hub_id,
        login: login.login,
        pulled: window,
        merged,
        pushed,
        synced_at,
    })
}

const PULL_CUT: &str = "nothing of this pull was merged here; a sync again starts it from the same place";
const PUSH_CUT: &str = "the hub took nothing of this push (what was pulled is merged here); a sync again offers it";

/// A hub error met while pulling or pushing, with what it left behind: the
/// pull merges in one transaction and the push adds in one, so either one
/// stopped by the hub (a dropped connection, a refusal) changed nothing.
fn cut_off(e: Error, left: &str) -> Error {
    match e {
        Error::Hub(message) => Error::Hub(format!("{message} — {left}")),
        other => other,
    }
}

/// The installation tag an inbox from this hub presents (so every pull
/// from one hub is recorded under one name).
fn hub_tag(hub_id: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let digest = Sha256::digest(hub_id.as_bytes());
    digest[..3].iter().map(|b| char::from(ALPHABET[usize::from(b % 32)])).collect()
}

/// What the window brought, and what it stands on. Records keep the order
/// they arrived at the hub in (evidence and findings go back into the inbox
/// in their original order, which a seal of format 1 covers).
#[derive(Default)]
struct Pulled {
    suppliers: BTreeMap<String, SupplierRow>,
    audits: BTreeMap<String, AuditRow>,
    records: Vec<RecordRow>,
    /// Where each record is in `records`, by (kind, key).
    seen: HashMap<(String, String), usize>,
    /// Every version filed under the drafts that came (older than the
    /// window too: a draft arrives whole).
    versions: Vec<VersionRow>,
}

impl Pulled {
    fn add_record(&mut self, r: RecordRow) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.seen.entry((r.kind.clone(), r.key.clone())) {
            slot.insert(self.records.len());
            self.records.push(r);
        }
    }

    fn has(&self, kind: &str, key: &str) -> bool {
        self.seen.contains_key(&(kind.to_owned(), key.to_owned()))
    }

    fn record(&self, kind: &str, key: &str) -> Option<&RecordRow> {
        self.seen.get(&(kind.to_owned(), key.to_owned())).and_then(|i| self.records.get(*i))
    }

    fn kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a RecordRow> + 'a {
        self.records.iter().filter(move |r| r.kind == kind)
    }
}

fn fill_inbox(
    hub: &mut Hub,
    hub_id: &str,
    window: &PullWindow,
    db: &Path,
    progress: &mut dyn FnMut(Stage),
) -> Result<(crate::store::FilledInbox, LotVoids)> {
    let total = window.total();
    let mut done = 0_u64;
    let mut tick = |n: u64, progress: &mut dyn FnMut(Stage)| {
        done += n;
        if done % 10_000 < n || done == total {
            progress(Stage::Pulling { done, total });
        }
    };
    let mut p = Pulled::default();
    let phase = crate::trace::phase;
    let t = phase("sync: pull suppliers, audits, records and what they stand on");
    hub.pull_rows(window, &mut |s: SupplierRow| {
        p.suppliers.insert(s.code.clone(), s);
        Ok(())
    })?;
    hub.pull_rows(window, &mut |a: AuditRow| {
        p.audits.insert(a.gid.clone(), a);
        Ok(())
    })?;
    hub.pull_rows(window, &mut |r: RecordRow| {
        p.add_record(r);
        Ok(())
    })?;
    if window.counts.get("files").is_some_and(|n| *n > 0) {
        hub.window_file_attachments(window, &mut |r: RecordRow| {
            p.add_record(r);
            Ok(())
        })?;
    }
    let small: u64 = ["suppliers", "audits", "records"].iter().filter_map(|t| window.counts.get(t)).sum();
    tick(small, progress);
    complete(hub, window, &mut p)?;
    drop(t);
    let t = phase("sync: inbox: suppliers, audits, records");
    let mut inbox = Inbox::create(&hub_tag(hub_id), &format!("hub {hub_id}"))?;
    for s in p.suppliers.values() {
        inbox.supplier(s)?;
    }
    for kind in ["claim", "retirement"] {
        for r in p.kind(kind) {
            inbox.record(r)?;
        }
    }
    add_audits(&mut inbox, &p)?;
    // Drafts: those not submitted on the hub (a submitted audit is whole).
    for r in p.kind("draft") {
        inbox.record(r)?;
    }
    for kind in ["evidence", "finding", "draft_evidence", "draft_finding", "closure", "attachment", "attachment_file"] {
        for r in p.kind(kind) {
            inbox.record(r)?;
        }
    }
    for kind in ["note", "history"] {
        for r in p.kind(kind) {
            inbox.record(r)?;
        }
    }
    for v in &p.versions {
        inbox.version(v)?;
    }
    drop(t);
    let t = phase("sync: pull versions into the inbox");
    hub.pull_rows(window, &mut |v: VersionRow| inbox.version(&v))?;
    drop(t);
    let t = phase("sync: inbox: annotations, plans, voids, files");
    for kind in ["annotation", "control_plan", "unfreezing", "void"] {
        for r in p.kind(kind) {
            inbox.record(r)?;
        }
    }
    bring_files(hub, window.upto, &p, db, &mut inbox)?;
    drop(t);
    let _t = phase("sync: inbox: commit");
    Ok((inbox.finish()?, lot_voids(&p)))
}

/// The voids of lots that came: supplier → lot → void.
type LotVoids = HashMap<String, HashMap<String, Voided>>;

fn lot_voids(p: &Pulled) -> LotVoids {
    let mut voids = LotVoids::new();
    for r in p.kind("void").filter(|r| r.topic.as_deref() == Some("lot")) {
        let field = |k: &str| r.body.get(k).and_then(Value::as_str).map(str::to_owned);
        if let (Some(supplier), Some(lot), Some(at), Some(by), Some(reason)) =
            (r.supplier.clone(), field("target"), field("voided_at"), field("voided_by"), field("void_reason"))
        {
            voids.entry(supplier).or_default().insert(lot, Voided { at, by, reason });
        }
    }
    voids
}

/// The window's lots, streamed from the hub into the merge as they come
/// (a million lots are not written into the inbox and read back), each
/// with its void; then the lots voided in the window that arrived before
/// it, with their voids.
struct HubLots<'a> {
    hub: &'a mut Hub,
    window: &'a PullWindow,
    voids: LotVoids,
    /// Rows pulled so far, for the progress bar.
    done: u64,
    progress: &'a mut dyn FnMut(Stage),
}

/// A lot read and checked on the reading thread: small and mostly inline
/// (texts of up to 24 bytes need no allocation).
struct Fed {
    supplier: CompactString,
    checked: std::result::Result<model::LotRow, FieldError>,
    /// The lot as it came, when it failed its check (the merge says why).
    failed: Option<Box<Lot>>,
}

impl Fed {
    fn of(row: LotRow, today: chrono::NaiveDate) -> Result<Self> {
        let supplier = CompactString::from(row.supplier.as_str());
        let lot = row.into_lot()?;
        let checked = model::LotRow::from_lot(&lot, today);
        let failed = checked.is_err().then(|| Box::new(lot));
        Ok(Self { supplier, checked, failed })
    }

    fn lot_code(&self) -> &str {
        match (&self.checked, &self.failed) {
            (Ok(row), _) => row.lot.as_str(),
            (Err(_), Some(lot)) => &lot.lot,
            (Err(_), None) => "",
        }
    }

    fn as_fed<'a>(&'a self, void: Option<&'a Voided>) -> FedLot<'a> {
        FedLot { supplier: &self.supplier, checked: &self.checked, lot: self.failed.as_deref(), void }
    }
}

const LOT_BATCH: usize = 4096;

/// The reading thread: the window's lots decoded and checked, in batches
/// sent to the writing thread, which sends each back when it is done with
/// it to be freed or reused here (the C allocator serialises frees across
/// threads: freed on the writing thread, the two threads were slower than
/// one). Ends with an error when the hub's stream does, or when the
/// writing thread stopped on one of its own.
fn read_lots(
    hub: &mut Hub,
    window: &PullWindow,
    today: chrono::NaiveDate,
    tx: &std::sync::mpsc::SyncSender<Result<Vec<Fed>>>,
    returned: &std::sync::mpsc::Receiver<Vec<Fed>>,
) {
    let fresh = || {
        returned.try_recv().map_or_else(
            |_| Vec::with_capacity(LOT_BATCH),
            |mut b: Vec<Fed>| {
                b.clear();
                b
            },
        )
    };
    let mut batch = fresh();
    let read = hub.pull_rows(window, &mut |row: LotRow| {
        batch.push(Fed::of(row, today)?);
        if batch.len() == LOT_BATCH {
            let full = std::mem::replace(&mut batch, fresh());
            tx.send(Ok(full)).map_err(|_| Error::Invalid("hub: the pull stopped".into()))?;
        }
        Ok(())
    });
    // What was read, then how the reading ended.
    let _ = tx.send(Ok(batch));
    if let Err(e) = read {
        let _ = tx.send(Err(e));
    }
}

impl LotFeed for HubLots<'_> {
    /// The hub's rows are decoded and checked on a second thread while this
    /// one writes them (PostgreSQL, the decoding and SQLite each keep a
    /// core busy), in batches through a short queue: memory stays bounded.
    fn feed(&mut self, each: &mut dyn FnMut(FedLot<'_>) -> Result<()>) -> Result<()> {
        let total = self.window.total();
        let today = model::validate::today();
        let (hub, window) = (&mut *self.hub, self.window);
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Fed>>>(4);
            let (back, returned) = std::sync::mpsc::channel::<Vec<Fed>>();
            std::thread::Builder::new()
                .name("hub-lots".into())
                .spawn_scoped(scope, move || {
                    read_lots(hub, window, today, &tx, &returned);
                    // The last batches are freed here too.
                    drop(tx);
                    while returned.recv().is_ok() {}
                })
                .map_err(|e| Error::Invalid(format!("hub: cannot start reading lots: {e}")))?;
            for batch in rx {
                let batch = batch?;
                for fed in &batch {
                    self.done += 1;
                    if self.done.is_multiple_of(10_000) || self.done == total {
                        (self.progress)(Stage::MergingLots { done: self.done, total });
                    }
                    let void = self.voids.get_mut(fed.supplier.as_str()).and_then(|m| m.remove(fed.lot_code()));
                    each(fed.as_fed(void.as_ref()))?;
                }
                let _ = back.send(batch);
            }
            Ok::<(), Error>(())
        })?;
        // Lots voided in the window that arrived before it, with their voids.
        let mut keys: Vec<String> =
            self.voids.iter().flat_map(|(s, lots)| lots.keys().map(move |l| format!("{s} {l}"))).collect();
        keys.sort();
        let voids = &self.voids;
        self.hub.lots_by_key(&keys, self.window.upto, &mut |row: LotRow| {
            let fed = Fed::of(row, today)?;
            let void = voids.get(fed.supplier.as_str()).and_then(|m| m.get(fed.lot_code()));
            each(fed.as_fed(void))
        })
    }
}

/// The files of the attachments that came, but those this database's
/// file store has already: into the inbox's store, where the merge finds
/// them (each checked against its SHA-256 on the way).
fn bring_files(hub: &mut Hub, upto: i64, p: &Pulled, db: &Path, inbox: &mut Inbox) -> Result<()> {
    let here = FileStore::for_database(db);
    let wanted: BTreeSet<String> = p
        .kind("attachment")
        .filter_map(|r| r.body.get("sha256").and_then(Value::as_str))
        .filter(|sha| !here.contains(sha))
        .map(str::to_owned)
        .collect();
    let wanted: Vec<String> = wanted.into_iter().collect();
    hub.rows_with("sha256", &wanted, upto, &mut |f: FileRow| inbox.file(&f))
}

/// Audits in the order their amendments need (originals first).
fn add_audits(inbox: &mut Inbox, p: &Pulled) -> Result<()> {
    // An audit travels once submitted; one without its submission on the
    // hub (a push cut off between them) waits for it.
    inbox.audits_in_order(p.audits.values(), |gid| p.record("submission", gid))?;
    Ok(())
}

/// Adds what the window's rows stand on: whole audits (an audit touched by
/// any row comes with its submission and every part), the claims and lots
/// a void or retirement names, amended audits, and every supplier named.
fn complete(hub: &mut Hub, window: &PullWindow, p: &mut Pulled) -> Result<()> {
    let upto = window.upto;
    let mut touched: BTreeSet<String> = p.audits.keys().cloned().collect();
    touched.extend(p.records.iter().filter_map(|r| r.audit.clone()));
    touched.extend(hub.window_version_audits(window)?);
    // Audits and drafts, and those they amend, until none is missing.
    let mut drafts: BTreeMap<String, RecordRow> = BTreeMap::new();
    let mut fresh: Vec<String> = touched.iter().cloned().collect();
    while !fresh.is_empty() {
        let missing: Vec<String> = fresh.iter().filter(|g| !p.audits.contains_key(*g)).cloned().collect();
        hub.rows_with("gid", &missing, upto, &mut |a: AuditRow| {
            p.audits.insert(a.gid.clone(), a);
            Ok(())
        })?;
        hub.drafts_by_gid(&fresh, upto, &mut |d: RecordRow| {
            drafts.insert(d.key.clone(), d);
            Ok(())
        })?;
        let amended: BTreeSet<String> = fresh
            .iter()
            .filter_map(|g| p.audits.get(g).map(|a| &a.body).or_else(|| drafts.get(g).map(|d| &d.body)))
            .filter_map(|body| body.get("amends").and_then(Value::as_str).map(str::to_owned))
            .filter(|g| !touched.contains(g))
            .collect();
        touched.extend(amended.iter().cloned());
        fresh = amended.into_iter().collect();
    }
    // A draft arrives whole: every edit of it, not only the window's.
    let open: Vec<String> = drafts.keys().filter(|g| !p.audits.contains_key(*g)).cloned().collect();
    hub.rows_with("audit", &open, upto, &mut |v: VersionRow| {
        p.versions.push(v);
        Ok(())
    })?;
    // Everything filed under these audits and drafts, in arrival order,
    // before the window's other records.
    let (filed, others): (Vec<RecordRow>, Vec<RecordRow>) =
        std::mem::take(&mut p.records).into_iter().partition(|r| r.audit.is_some());
    p.seen.clear();
    if window.after == 0 {
        // A first pull's window holds every record up to its end: those
        // filed under audits are all here already, in arrival order.
        for r in filed {
            p.add_record(r);
        }
    } else {
        let all: Vec<String> = touched.into_iter().collect();
        hub.rows_with("audit", &all, upto, &mut |r: RecordRow| {
            p.add_record(r);
            Ok(())
        })?;
    }
    for r in others {
        p.add_record(r);
    }
    let claims: Vec<String> = p
        .records
        .iter()
        .filter(|r| r.kind == "retirement" || (r.kind == "void" && r.topic.as_deref() == Some("claim")))
        .filter_map(|r| r.body.get("target").and_then(Value::as_str).map(str::to_owned).or(Some(r.key.clone())))
        .filter(|g| !p.has("claim", g))
        .collect();
    hub.claims_by_gid(&claims, upto, &mut |r: RecordRow| {
        p.add_record(r);
        Ok(())
    })?;
    // A plan unfrozen: the plan comes with its unfreezing.
    let plans: Vec<String> =
        p.kind("unfreezing").map(|r| r.key.clone()).filter(|g| !p.has("control_plan", g)).collect();
    hub.records_by_key("control_plan", &plans, upto, &mut |r: RecordRow| {
        p.add_record(r);
        Ok(())
    })?;
    let mut codes: BTreeSet<String> = p.audits.values().map(|a| a.supplier.clone()).collect();
    codes.extend(p.records.iter().filter_map(|r| r.supplier.clone()));
    codes.extend(hub.window_lot_suppliers(window)?);
    codes.extend(hub.window_version_suppliers(window)?);
    let missing: Vec<String> = codes.into_iter().filter(|c| !p.suppliers.contains_key(c)).collect();
    hub.rows_with("code", &missing, upto, &mut |s: SupplierRow| {
        p.suppliers.insert(s.code.clone(), s);
        Ok(())
    })?;
    Ok(())
}
