//! Operations that need both the store and the pure assessment: sealing an
//! audit with its score, and gathering suppliers' facts for a verdict. Kept
//! here so the importer, the CLI and the UI do these the same way.

mod hub;
pub mod merge;
pub mod sync;

pub use hub::{HubLocal, HubStatus, hand_over, hub_local, hub_status, remembered_hub, set_hub};

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;

use crate::assess::checklist::{self, Score, Template};
use crate::assess::policy::Policy;
use crate::assess::verdict::{self, Assessment, AuditSummary, Facts, WindowLot};
use crate::error::{Error, Result};
use crate::model::{MediaType, Supplier};
use crate::store::files::{FileStore, Stored};
use crate::store::{AuditRow, NewAttachment, Reader, Seal, Store, SupplierId, Writer};

/// An audit as stored, its checklist template, and its score on that
/// template under the stored policy's grading rules (live for a draft; for
/// a submitted audit, what its sealed answers give).
#[derive(Debug, Clone)]
pub struct ScoredAudit {
    pub row: AuditRow,
    pub template: Template,
    pub score: Score,
}

/// Reads an audit (by row id), its template and the policy, and scores it:
/// the one place this is done, for the CLI, the UI and sealing.
pub fn scored_audit(read: Reader<'_>, audit: i64) -> Result<ScoredAudit> {
    let row = read.audit(audit)?;
    let template = read.template(&row.audit.template)?;
    let score = checklist::score(&template, &row.audit.answers, &read.policy()?.grade);
    Ok(ScoredAudit { row, template, score })
}

/// Scores a draft audit on its own template under the stored policy and
/// submits it (see `Writer::submit_audit`). Returns the score that was sealed.
pub fn seal(writer: &Writer<'_>, audit: i64) -> Result<Score> {
    let ScoredAudit { score, .. } = scored_audit(writer.read(), audit)?;
    writer.submit_audit(audit, Seal { score_pct: score.pct, grade: score.grade, critical_no: &score.critical_no })?;
    Ok(score)
}

/// Everything but the lots, loaded for one supplier or all.
struct Loaded {
    suppliers: Vec<(SupplierId, Supplier)>,
    claims: HashMap<SupplierId, Vec<crate::model::Claim>>,
    audits: HashMap<SupplierId, Vec<AuditSummary>>,
    evidence: HashMap<SupplierId, Vec<crate::model::EvidenceRow>>,
    findings: HashMap<SupplierId, Vec<crate::model::FindingRow>>,
    first_lots: HashMap<SupplierId, NaiveDate>,
    /// Lots left out of the limits for an assignable cause, as of the day.
    excluded: HashMap<SupplierId, Vec<String>>,
    /// Control plans for all of a supplier's lots in force on the day.
    plans: HashMap<SupplierId, crate::model::ControlPlan>,
}

fn load(read: Reader<'_>, only: Option<SupplierId>, as_of: NaiveDate) -> Result<Loaded> {
    let _phase = crate::trace::phase("assess: load suppliers, claims, audits, evidence, findings");
    let suppliers = match only {
        Some(id) => vec![(id, read.supplier(id)?)],
        None => read.suppliers()?,
    };
    let audits = read.audit_summaries(only)?;
    let claims = read.all_claims(only)?;
    let evidence = read.all_evidence(only)?;
    let findings = read.all_findings(only)?;
    let first_lots = read.first_lot_dates(only, as_of)?;
    let excluded = read.excluded_lots(only, as_of)?;
    let plans = read.supplier_plans_in_force(only, as_of)?;
    Ok(Loaded { suppliers, claims, audits, evidence, findings, first_lots, excluded, plans })
}

/// Assesses one supplier (`only`) or every supplier as of `as_of`, under the
/// stored policy; results in supplier-code order. The store feeds, `assess`
/// decides: this function only gathers each supplier's facts.
///
/// For all suppliers it uses both cores: a helper thread on a second
/// connection starts scanning the lots (the bulk of the work) in chunks of
/// supplier ids, the main thread loads everything else and then takes chunks
/// too; the verdicts are split in two.
pub fn assess(store: &Store, only: Option<SupplierId>, as_of: NaiveDate) -> Result<Vec<Assessment>> {
    let read = store.read();
    let policy = read.policy()?;
    let second = if only.is_none() { store.reopen()? } else { None };
    let Some(second) = second else {
        let loaded = load(read, only, as_of)?;
        let chunk = scan_chunk(read, only.map_or((i64::MIN, i64::MAX), |id| (id.0, id.0)), &policy, as_of)?;
        return Ok(judge_all(&loaded, &windows(std::slice::from_ref(&chunk)), &policy, as_of));
    };
    let ranges = id_chunks(read)?;
    let next = AtomicUsize::new(0);
    let take = || ranges.get(next.fetch_add(1, Ordering::Relaxed)).copied();
    std::thread::scope(|scope| {
        let policy = &policy;
        let helper = scope.spawn(move || -> Result<Vec<Chunk>> {
            let mut out = Vec::new();
            while let Some(range) = take() {
                out.push(scan_chunk(second.read(), range, policy, as_of)?);
            }
            Ok(out)
        });
        let loaded = load(read, None, as_of)?;
        let mut chunks = Vec::with_capacity(ranges.len());
        while let Some(range) = take() {
            chunks.push(scan_chunk(read, range, policy, as_of)?);
        }
        chunks.extend(helper.join().map_err(|_| crate::Error::Invalid("the lot scan thread failed".into()))??);
        Ok(judge_all(&loaded, &windows(&chunks), policy, as_of))
    })
}

/// One scan chunk's lots: one flat vector, cut into each supplier's window.
struct Chunk {
    lots: Vec<WindowLot>,
    groups: Vec<(SupplierId, std::ops::Range<usize>)>,
}

/// Each supplier's window lots, as slices of the chunks.
fn windows(chunks: &[Chunk]) -> HashMap<SupplierId, &[WindowLot]> {
    chunks.iter().flat_map(|c| c.groups.iter().map(|(id, range)| (*id, &c.lots[range.clone()]))).collect()
}

/// Supplier-id ranges of about equal numbers of suppliers, for sharing the
/// lot scan between threads.
fn id_chunks(read: Reader<'_>) -> Result<Vec<(i64, i64)>> {
    const CHUNKS: usize = 24;
    let mut ids: Vec<i64> = read.supplier_ids()?.into_values().map(|id| id.0).collect();
    ids.sort_unstable();
    let size = ids.len().div_ceil(CHUNKS).max(1);
    Ok(ids.chunks(size).filter_map(|c| Some((*c.first()?, *c.last()?))).collect())
}

fn judge_all(
    loaded: &Loaded,
    windows: &HashMap<SupplierId, &[WindowLot]>,
    policy: &Policy,
    as_of: NaiveDate,
) -> Vec<Assessment> {
    let _phase = crate::trace::phase("assess: verdicts and flags");
    let judge = |(id, supplier): &(SupplierId, Supplier)| {
        let facts = Facts {
            supplier,
            claims: loaded.claims.get(id).map_or(&[], Vec::as_slice),
            audits: loaded.audits.get(id).map_or(&[], Vec::as_slice),
            evidence: loaded.evidence.get(id).map_or(&[], Vec::as_slice),
            findings: loaded.findings.get(id).map_or(&[], Vec::as_slice),
            window: windows.get(id).copied().unwrap_or_default(),
            first_lot: loaded.first_lots.get(id).copied(),
            excluded: loaded.excluded.get(id).map_or(&[], Vec::as_slice),
            plan: loaded.plans.get(id),
        };
        verdict::assess(&facts, policy, as_of)
    };
    let all = &loaded.suppliers;
    if all.len() < 256 {
        return all.iter().map(judge).collect();
    }
    let (left, right) = all.split_at(all.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| right.iter().map(judge).collect::<Vec<_>>());
        let mut out: Vec<Assessment> = left.iter().map(judge).collect();
        // A verdict cannot panic on stored data; if it did, judge that half here.
        out.extend(other.join().unwrap_or_else(|_| right.iter().map(judge).collect()));
        out
    })
}

/// The assessment of one supplier, by code.
pub fn assess_code(store: &Store, code: &str, as_of: NaiveDate) -> Result<Assessment> {
    assess_one(store, store.read().require_supplier(code)?, as_of)
}

/// The assessment of one supplier, by id.
pub fn assess_one(store: &Store, id: SupplierId, as_of: NaiveDate) -> Result<Assessment> {
    assess(store, Some(id), as_of)?.pop().ok_or_else(|| crate::Error::NotFound(format!("no supplier with id {}", id.0)))
}

/// The yield-window lots of the suppliers whose ids lie in `ids`, grouped by
/// supplier in chart order (the scan's order: date, then lot), in one flat
/// vector trimmed to size: a million lots' windows cost their own size, not
/// the slack of thousands of doubling vectors.
fn scan_chunk(read: Reader<'_>, ids: (i64, i64), policy: &Policy, as_of: NaiveDate) -> Result<Chunk> {
    let since = Policy::window_start(as_of, policy.yield_window_months);
    let mut chunk = Chunk { lots: Vec::new(), groups: Vec::new() };
    let mut bad_date = None;
    read.scan_lots_between(ids, since, as_of, |supplier, point| {
        let Ok(produced_on) = crate::model::validate::date("produced_on", point.produced_on) else {
            bad_date = Some(point.produced_on.to_owned());
            return;
        };
        let at = chunk.lots.len();
        chunk.lots.push(WindowLot {
            lot: point.lot.into(),
            produced_on,
            started: point.started,
            passed_first: point.passed_first,
        });
        // Rows come grouped by supplier: extend the last group, no hashing per row.
        match chunk.groups.last_mut() {
            Some((id, range)) if *id == supplier => range.end = at + 1,
            _ => chunk.groups.push((supplier, at..at + 1)),
        }
    })?;
    if let Some(day) = bad_date {
        return Err(crate::Error::Invalid(format!("a lot has an unreadable date `{day}`; run `casebook check`")));
    }
    chunk.lots.shrink_to_fit();
    Ok(chunk)
}

/// A file copied into the database's file store, ready to be recorded
/// under an evidence item (copied outside any transaction: copying 50 MB
/// must not hold the write lock).
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub stored: Stored,
    pub original_name: String,
    pub media_type: MediaType,
    /// Where it was copied from.
    pub source: std::path::PathBuf,
    /// Where the bytes are kept now.
    pub location: std::path::PathBuf,
}

/// Copies the file at `path` into the file store of the database at `db`
/// (see [`FileStore::put`] for what is refused).
pub fn store_file(db: &Path, path: &Path) -> Result<StoredFile> {
    if db.as_os_str() == ":memory:" {
        return Err(Error::Invalid("attachments need a database file (the file store lives beside it)".into()));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 255 {
        return Err(Error::Invalid(format!(
            "{}: the file's name must be 1 to 255 printable characters (no control characters); rename it",
            path.display()
        )));
    }
    let files = FileStore::for_database(db);
    let stored = files.put(path)?;
    let media_type = files.media_type(&stored.sha256)?;
    let location = files.path_of(&stored.sha256)?;
    let source = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    Ok(StoredFile { stored, original_name: name, media_type, source, location })
}

/// Records a stored file under evidence item `evidence` (in history); the
/// evidence may belong to a submitted audit: attachments are append-only.
pub fn record_attachment(writer: &Writer<'_>, evidence: i64, file: &StoredFile) -> Result<i64> {
    writer.attach(&NewAttachment {
        evidence,
        path: &file.source.to_string_lossy(),
        size: file.stored.size,
        sha256: &file.stored.sha256,
        stored: true,
        original_name: Some(&file.original_name),
        media_type: Some(file.media_type),
    })
}

/// Attaches the file at `path` to evidence item `evidence`: copies it into
/// the file store, then records it; returns the attachment's row id. Nothing
/// is recorded when the copy is refused; a copy whose record then fails
/// stays in the store unreferenced, which is harmless.
pub fn attach_file(store: &mut Store, evidence: i64, path: &Path, actor: &str) -> Result<(i64, StoredFile)> {
    store.read().evidence_owner(evidence)?;
    let file = store_file(store.path(), path)?;
    let writer = store.begin(actor)?;
    let id = record_attachment(&writer, evidence, &file)?;
    writer.commit()?;
    Ok((id, file))
}

/// The yield report of `lots` (one supplier's, read with `filter`, in chart
/// order) with the assignable causes and the control plan in force on
/// `as_of`: the plan of exactly the filter's process and material.
pub fn chart_lots(
    read: Reader<'_>,
    id: SupplierId,
    lots: &[crate::model::Lot],
    filter: &crate::store::LotFilter,
    options: &crate::assess::spc::ChartOptions,
    as_of: NaiveDate,
) -> Result<crate::assess::yield_stats::YieldReport> {
    use crate::assess::yield_stats::{Phase, analyse_with};
    let annotations = read.annotations_in_force(id, as_of)?;
    let scope = crate::model::PlanScope { process: filter.process, material: filter.material.clone() };
    let plan = read.plan_in_force(id, &scope, as_of)?;
    analyse_with(lots, options, Phase { annotations: &annotations, plan: plan.as_ref() })
}

/// What to freeze: a scope and a baseline period.
#[derive(Debug, Clone)]
pub struct FreezeRequest {
    pub scope: crate::model::PlanScope,
    pub baseline_since: Option<NaiveDate>,
    pub baseline_until: NaiveDate,
    /// Unfreeze a plan of the same scope first (re-baseline).
    pub replace: bool,
}

/// Freezes a control plan from the lots of the baseline period (less the
/// lots excluded for an assignable cause as of `as_of`), in force from
/// `as_of`: p̄ and ū with their `σ_z`. Re-baselining unfreezes the plan in
/// force first, in the same transaction.
pub fn freeze_plan(
    writer: &Writer<'_>,
    id: SupplierId,
    request: &FreezeRequest,
    as_of: NaiveDate,
) -> Result<crate::model::ControlPlan> {
    use crate::assess::spc::{ChartKind, Point, estimate};
    let read = writer.read();
    let until = request.baseline_until.min(as_of);
    let filter = crate::store::LotFilter {
        process: request.scope.process,
        material: request.scope.material.clone(),
        sku: None,
        since: request.baseline_since,
        until: Some(until),
    };
    let excluded = read.excluded_lots(Some(id), as_of)?.remove(&id).unwrap_or_default();
    let lots: Vec<_> = read.lots(id, &filter)?.into_iter().filter(|lot| !excluded.contains(&lot.lot)).collect();
    let p_points: Vec<Point> = lots.iter().map(Point::from).collect();
    let u_points: Vec<Point> = lots
        .iter()
        .map(|lot| crate::assess::yield_stats::defect_total(lot).map(|d| Point::defects(lot.started, d)))
        .collect::<Result<_>>()?;
    let (Some(p), Some(u)) = (estimate(&p_points, ChartKind::P), estimate(&u_points, ChartKind::U)) else {
        return Err(crate::Error::Invalid(format!(
            "no lots of {} were produced in the baseline period (up to {until}{}), once lots excluded for an \
             assignable cause are left out; choose a period that holds the lots to freeze the limits on",
            request.scope.describe(),
            request.baseline_since.map_or_else(String::new, |d| format!(", from {d}"))
        )));
    };
    let saved = |l: crate::assess::spc::Limits| crate::model::SavedLimits {
        center: l.center,
        sigma_z: l.sigma_z,
        moving_ranges: u32::try_from(l.moving_ranges).unwrap_or(u32::MAX),
    };
    if request.replace {
        writer.unfreeze_plan(id, &request.scope, as_of)?;
    }
    writer.freeze_plan(
        id,
        &crate::store::NewPlan {
            scope: request.scope.clone(),
            baseline_since: request.baseline_since,
            baseline_until: until,
            baseline_lots: u32::try_from(lots.len()).unwrap_or(u32::MAX),
            p: saved(p),
            u: saved(u),
            frozen_on: as_of,
        },
    )
}

/// Whether an annotation takes a lot out of the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    Exclude,
    Include,
    /// As the lot's annotation in force says (kept in when it has none).
    Keep,
}

/// An annotation to record.
#[derive(Debug, Clone, Copy)]
pub struct Note<'a> {
    pub lot: &'a str,
    pub cause: &'a str,
    pub action: Option<&'a str>,
    pub exclusion: Exclusion,
}

/// Records an assignable cause for a lot as of `as_of`, in history.
pub fn annotate(
    writer: &Writer<'_>,
    id: SupplierId,
    note: &Note<'_>,
    as_of: NaiveDate,
) -> Result<crate::model::Annotation> {
    let excluded = match note.exclusion {
        Exclusion::Exclude => true,
        Exclusion::Include => false,
        Exclusion::Keep => writer.read().annotation_of(id, note.lot, as_of)?.is_some_and(|a| a.excluded),
    };
    let new = crate::store::NewAnnotation {
        lot: note.lot,
        cause: note.cause,
        action: note.action,
        excluded,
        noted_on: as_of,
    };
    writer.annotate_lot(id, &new)
}
