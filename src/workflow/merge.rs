//! `casebook merge`: other databases into this one, in one transaction.
//!
//! Every source is opened (and, if older, migrated in a temporary copy)
//! before anything is written, so a file that cannot be read stops the
//! merge before it starts. Then one write transaction takes in each source
//! in turn — suppliers, their profile versions, lots, policy, shortlist —
//! and commits once at the end: a merge killed halfway leaves the target as
//! it was.

use std::path::PathBuf;

use crate::error::Result;
use crate::model::merge::{Cause, MergeReport, SourceReport};
use crate::store::files::FileStore;
use crate::store::{FileStores, LotFeed, Source, Store, Writer};

#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions {
    /// Check and report, write nothing.
    pub dry_run: bool,
    /// Compare every record even of a source merged before and unchanged since.
    pub full: bool,
}

/// Merges `paths` into `store` as `actor`.
pub fn merge(store: &mut Store, paths: &[PathBuf], actor: &str, options: MergeOptions) -> Result<MergeReport> {
    let target = store.path().to_owned();
    let sources: Vec<Source> = paths.iter().map(|p| Source::open(p, &target)).collect::<Result<_>>()?;
    let mut report =
        MergeReport { target: target.display().to_string(), dry_run: options.dry_run, ..MergeReport::default() };
    let w = store.begin(actor)?;
    // A merge writes many rows into many indexes: pages kept in memory
    // rather than spilled to the log mid-transaction (bounded: RSS stays
    // under the merge's budget).
    w.set_cache_kib(MERGE_CACHE_KIB)?;
    for source in &sources {
        let files = file_stores(source, &target, options);
        let label = source.path().display().to_string();
        report.sources.push(merge_source(&w, source, &label, &files, options, None)?);
    }
    if !options.dry_run {
        let _t = crate::trace::phase("merge: commit");
        w.commit()?;
        report.committed = true;
    }
    Ok(report)
}

/// Merges one source into `store` under the name `label` (the file, or a
/// hub's URL), running `finish` in the same transaction just before it
/// commits (a sync moves its cursor there, so the two happen together or
/// not at all). The lots come from `lots` when given (a pull's, streamed
/// from the hub), else from the source.
pub fn merge_one(
    store: &mut Store,
    (source, lots): (&Source, Option<&mut dyn LotFeed>),
    label: &str,
    actor: &str,
    options: MergeOptions,
    finish: impl FnOnce(&Writer<'_>) -> Result<()>,
) -> Result<SourceReport> {
    let files = file_stores(source, store.path(), options);
    let w = store.begin(actor)?;
    // A merge writes many rows into many indexes: pages kept in memory
    // rather than spilled to the log mid-transaction (bounded: RSS stays
    // under the merge's budget).
    w.set_cache_kib(MERGE_CACHE_KIB)?;
    let report = merge_source(&w, source, label, &files, options, lots)?;
    finish(&w)?;
    let _t = crate::trace::phase("merge: commit");
    w.commit()?;
    Ok(report)
}

/// Merges one source into `w` (a transaction on the database at `target`)
/// comparing every record, as an import of a `casebook-dossier/3` does; on
/// a dry run no file is copied into the file store.
pub fn merge_into(
    w: &Writer<'_>,
    source: &Source,
    label: &str,
    target: &std::path::Path,
    dry_run: bool,
) -> Result<SourceReport> {
    let options = MergeOptions { dry_run, full: true };
    let files = file_stores(source, target, options);
    merge_source(w, source, label, &files, options, None)
}

fn file_stores(source: &Source, target: &std::path::Path, options: MergeOptions) -> FileStores {
    FileStores {
        source: FileStore::for_database(source.path()),
        target: FileStore::for_database(target),
        dry_run: options.dry_run,
    }
}

fn merge_source(
    w: &Writer<'_>,
    source: &Source,
    file: &str,
    files: &FileStores,
    options: MergeOptions,
    lots: Option<&mut dyn LotFeed>,
) -> Result<SourceReport> {
    let file = file.to_owned();
    let mut r = SourceReport::new(&file);
    let installation = source.installation()?;
    r.installation = Some(installation.tag.to_string());
    r.schema_version = source.version();
    if !options.full && w.merged_already(&installation)? {
        r.notices.push(format!(
            "unchanged since it was last merged (installation {}, clock {}): nothing to do; --full compares every record",
            installation.tag,
            installation.clock.map(|c| c.to_string()).unwrap_or_default()
        ));
        return Ok(r);
    }
    let read = source.read();
    let phase = crate::trace::phase;
    {
        let _t = phase("merge: suppliers");
        w.merge_suppliers(read, &mut r)?;
    }
    {
        let _t = phase("merge: claims");
        w.merge_claims(read, &mut r)?;
    }
    {
        let _t = phase("merge: audits");
        w.merge_audits(read, source.private_path(), &mut r)?;
    }
    {
        let _t = phase("merge: attachments");
        w.merge_attachments(read, files, &mut r)?;
    }
    {
        let _t = phase("merge: lots");
        match lots {
            Some(feed) => w.merge_lot_feed(feed, &mut r)?,
            None => w.merge_lots(read, &mut r)?,
        }
    }
    {
        let _t = phase("merge: annotations, plans, policy, shortlist");
        w.merge_control(read, &mut r)?;
        w.merge_policy(read, &mut r)?;
        w.merge_shortlist(read, &mut r)?;
    }
    {
        let _t = phase("merge: history");
        w.merge_history(read, &mut r)?;
    }
    for refused in r.refused.iter().filter(|x| x.cause != Cause::AfterSubmission) {
        w.record_refusal(&file, refused)?;
    }
    if let Some(ahead) = clock_ahead(&installation) {
        r.notices.push(ahead);
    }
    w.record_merged(&installation, &file)?;
    Ok(r)
}

const MERGE_CACHE_KIB: u32 = 32 * 1024;

/// A day of tolerance: laptops' clocks drift by seconds or minutes, not days.
const AHEAD_MS: u64 = 86_400_000;

/// A notice when the source's clock reads more than a day ahead of this
/// computer's: its edits win over everything made here until real time
/// catches up or someone edits them again.
fn clock_ahead(source: &crate::store::Installation) -> Option<String> {
    let clock = source.clock?;
    let now = u64::try_from(chrono::Utc::now().timestamp_millis()).ok()?;
    (clock.millis > now + AHEAD_MS).then(|| {
        format!(
            "installation {}'s clock reads {}, more than a day ahead of this computer's: its edits win over later \
             ones made here until real time catches up or someone edits those fields after this merge",
            source.tag,
            clock.stamp().unwrap_or_default()
        )
    })
}
