//! The UI's data layer: screens show what is loaded here, through
//! [`workflow`] (verdicts, computed by `assess`) and the store's `Reader`
//! (records); they never run SQL nor judge anything themselves.
//!
//! Assessing every supplier takes a noticeable moment on a big database, so
//! it runs on a thread with its own connection and arrives through a
//! channel; the first frame needs only the supplier list.
//!
//! Screens never call this module: they return [`Load`]s and [`Write`]s in
//! their `Outcome`, and the app carries them out here ([`Data::load`],
//! [`Data::write`]) and hands the [`Fresh`] result back. The audit screens'
//! loads are in [`edits`], the writes in [`write`], imports in [`import`],
//! syncs with the hub in [`sync`].

mod attach;
mod edits;
mod import;
mod report;
mod sync;
mod void;
mod write;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use chrono::NaiveDate;

use super::catalog::Catalog;
use crate::assess::policy::Policy;
use crate::assess::spc::{ChartKind, RuleSet};
use crate::assess::strata::{self, Stratum, StratumYield};
use crate::assess::verdict::Assessment;
use crate::assess::yield_stats::{self, MonthYield, YieldOptions, YieldReport};
use crate::error::{Error, Result};
use crate::exchange::shortlist::{self as compare, Compared};
use crate::model::{Capability, FindingRow, Process, Supplier};
use crate::store::{AuditRow, ClaimRow, HistoryEntry, LotFilter, Store, SupplierId};
use crate::workflow;

pub use attach::{Attached, MAX_ATTACHMENT};
pub use edits::{AuditDetail, EditorDetail};
pub use import::{ImportJob, Started};
pub use report::{ReportJob, ReportStarted};
pub use sync::{SyncJob, SyncStarted};
pub use void::VoidTarget;
pub use write::{AuditStart, Refusal, Write, Written};

/// A read a screen asks for; the app carries it out with [`Data::load`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    Supplier(SupplierId),
    /// A draft, for the editor.
    Editor(i64),
    Yield(SupplierId, YieldQuery),
    Shortlist,
}

/// What a [`Load`] read, handed back to the screen that asked.
#[derive(Debug)]
pub enum Fresh {
    Supplier(Box<SupplierDetail>),
    Editor(Box<EditorDetail>),
    /// The lots the query selects (`None`: none), or why they could not be read.
    Yield(std::result::Result<Option<Box<YieldLoaded>>, String>),
    Shortlist(Vec<ShortlistItem>),
}

/// How the assessment of every supplier is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// On a thread, delivered later (the real UI).
    Background,
    /// Before the first frame (tests, or a database only in memory).
    Blocking,
}

pub struct Data {
    store: Store,
    pub as_of: NaiveDate,
    actor: String,
    pending: Option<Receiver<Result<Vec<Assessment>>>>,
}

/// Everything the Supplier screen shows.
#[derive(Debug, Clone)]
pub struct SupplierDetail {
    pub id: SupplierId,
    pub supplier: Supplier,
    pub assessment: Assessment,
    /// Active ODM claims: the rows of the claims × pillars matrix.
    pub claims: Vec<Capability>,
    /// Every claim on record (retired, voided and OEM ones too), with its row id.
    pub all_claims: Vec<ClaimRow>,
    /// Audit headers, oldest visit first.
    pub audits: Vec<AuditRow>,
    /// Each draft's live score (by audit row id): the sealed one is on its row.
    pub live_scores: std::collections::HashMap<i64, Option<f64>>,
    /// Findings open as of the day, soonest due first.
    pub open_findings: Vec<FindingRow>,
    pub fpy_by_month: Vec<MonthYield>,
    /// Every recorded change, newest first.
    pub history: Vec<HistoryEntry>,
}

/// What the Yield screen asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YieldQuery {
    pub process: Option<Process>,
    pub material: Option<String>,
    pub sku: Option<String>,
    /// `Some(day)`: lots produced from that day to the as-of day; `None`: all.
    pub since: Option<NaiveDate>,
    pub chart: ChartKind,
    pub rules: RuleSet,
}

/// What the Yield screen shows for a query: the chart (with the causes
/// and the plan in force), the lots behind it, and FPY by material and by
/// process.
#[derive(Debug, Clone)]
pub struct YieldLoaded {
    pub report: YieldReport,
    /// The lots of `report.lots`, in the same order.
    pub lots: Vec<crate::model::Lot>,
    pub by_material: Vec<StratumYield>,
    pub by_process: Vec<StratumYield>,
    /// The query's lots voided (left out of all of the above).
    pub voided: Vec<crate::store::VoidedLot>,
}

/// The values the Yield screen's filters cycle through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dimensions {
    pub processes: Vec<Process>,
    pub materials: Vec<String>,
    pub skus: Vec<String>,
}

impl Data {
    pub fn new(store: Store, as_of: NaiveDate, actor: &str) -> Self {
        Self { store, as_of, actor: actor.to_owned(), pending: None }
    }

    /// The database file (`:memory:` for one in memory).
    pub fn database(&self) -> &Path {
        self.store.path()
    }

    /// The supplier list and the shortlist: one quick read, no verdicts.
    pub fn catalog(&self) -> Result<Catalog> {
        let read = self.store.read();
        let marked = read.shortlist()?.into_iter().map(|e| e.id).collect();
        let mut catalog = Catalog::new(read.suppliers()?, marked);
        catalog.drafts = read.drafts()?;
        Ok(catalog)
    }

    /// Every draft audit (after one is started or submitted).
    pub fn drafts(&self) -> Result<Vec<crate::store::DraftRef>> {
        self.store.read().drafts()
    }

    /// Starts assessing every supplier. Blocking (or in memory, where a
    /// second connection would see another database) returns the result;
    /// otherwise it arrives through [`Data::poll`].
    pub fn start_assessment(&mut self, loading: Loading) -> Option<Result<Vec<Assessment>>> {
        let second = match loading {
            Loading::Blocking => None,
            Loading::Background => self.store.reopen().ok().flatten(),
        };
        let Some(second) = second else {
            return Some(workflow::assess(&self.store, None, self.as_of));
        };
        let (sender, receiver) = mpsc::channel();
        let as_of = self.as_of;
        let spawned = std::thread::Builder::new().name("casebook-assess".into()).spawn(move || {
            let result = workflow::assess(&second, None, as_of);
            drop(second);
            // The receiver is gone only when the UI has quit.
            let _ = sender.send(result);
        });
        match spawned {
            Ok(_) => {
                self.pending = Some(receiver);
                None
            }
            Err(e) => Some(Err(Error::Io(e))),
        }
    }

    /// The background assessment, once it has arrived.
    pub fn poll(&mut self) -> Option<Result<Vec<Assessment>>> {
        let receiver = self.pending.as_ref()?;
        let outcome = match receiver.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err(Error::Invalid("the assessment thread stopped".into())),
        };
        self.pending = None;
        Some(outcome)
    }

    pub fn is_loading(&self) -> bool {
        self.pending.is_some()
    }

    /// Carries out a screen's read.
    pub fn load(&self, load: &Load, catalog: &Catalog) -> Result<Fresh> {
        Ok(match load {
            Load::Supplier(id) => Fresh::Supplier(Box::new(self.supplier_detail(*id)?)),
            Load::Editor(audit) => Fresh::Editor(Box::new(self.editor_detail(*audit)?)),
            Load::Yield(id, query) => {
                Fresh::Yield(self.yield_report(*id, query).map(|r| r.map(Box::new)).map_err(|e| e.to_string()))
            }
            Load::Shortlist => Fresh::Shortlist(self.shortlist(catalog)?),
        })
    }

    pub fn supplier_detail(&self, id: SupplierId) -> Result<SupplierDetail> {
        self.supplier_detail_with(id, self.assess_one(id)?)
    }

    /// [`Data::supplier_detail`] with its assessment already computed
    /// (after a write, the one just put in the catalog).
    pub fn supplier_detail_with(&self, id: SupplierId, assessment: Assessment) -> Result<SupplierDetail> {
        let read = self.store.read();
        let all_claims = read.claim_rows(id)?;
        let mut claims: Vec<Capability> = all_claims
            .iter()
            .filter(|c| c.voided.is_none())
            .map(|c| &c.claim)
            .filter(|c| c.capability.is_odm() && c.active_on(self.as_of))
            .map(|c| c.capability)
            .collect();
        claims.sort_unstable();
        claims.dedup();
        let audits = read.audit_headers(id)?;
        let mut live_scores = std::collections::HashMap::new();
        for a in audits.iter().filter(|a| a.audit.status == crate::model::AuditStatus::Draft) {
            live_scores.insert(a.id, workflow::scored_audit(read, a.id)?.score.pct);
        }
        let mut open_findings: Vec<FindingRow> = read.all_findings(Some(id))?.remove(&id).unwrap_or_default();
        open_findings.retain(|f| f.visited_on <= self.as_of && f.finding.is_open_on(self.as_of));
        open_findings.sort_by_key(|f| (f.finding.due_on, f.finding.severity, f.id));
        let lots = read.lots(id, &LotFilter { until: Some(self.as_of), ..LotFilter::default() })?;
        let fpy_by_month = yield_stats::fpy_by_month(&lots);
        let mut history = read.history(Some(id))?;
        history.reverse();
        Ok(SupplierDetail {
            id,
            supplier: read.supplier(id)?,
            assessment,
            claims,
            all_claims,
            audits,
            live_scores,
            open_findings,
            fpy_by_month,
            history,
        })
    }

    /// The stored policy's chart, rules, yield window start and its length in months.
    pub fn yield_defaults(&self) -> Result<(ChartKind, RuleSet, NaiveDate, u32)> {
        let policy = self.store.read().policy()?;
        let months = policy.yield_window_months;
        Ok((policy.chart, policy.rules, Policy::window_start(self.as_of, months), months))
    }

    pub fn dimensions(&self, id: SupplierId) -> Result<Dimensions> {
        let (processes, materials, skus) = self.store.read().lot_dimensions(id)?;
        Ok(Dimensions { processes, materials, skus })
    }

    /// The chart, Pareto, FPY by month and by stratum of the lots `query`
    /// selects, with the assignable causes and control plan in force;
    /// `None` when it selects no lot.
    pub fn yield_report(&self, id: SupplierId, query: &YieldQuery) -> Result<Option<YieldLoaded>> {
        let filter = LotFilter {
            process: query.process,
            material: query.material.clone(),
            sku: query.sku.clone(),
            since: query.since,
            until: Some(self.as_of),
        };
        let read = self.store.read();
        let lots = read.lots(id, &filter)?;
        if lots.is_empty() {
            return Ok(None);
        }
        let options = YieldOptions { kind: query.chart, rules: query.rules, baseline: None };
        let report = workflow::chart_lots(read, id, &lots, &filter, &options, self.as_of)?;
        let by_material = strata::compare(&lots, Stratum::Material);
        let by_process = strata::compare(&lots, Stratum::Process);
        let voided = read.voided_lots(id, &filter)?;
        Ok(Some(YieldLoaded { report, lots, by_material, by_process, voided }))
    }

    /// The shortlist in the order it was made, each supplier with its
    /// assessment (from the catalog when there, else computed now).
    pub fn shortlist(&self, catalog: &Catalog) -> Result<Vec<ShortlistItem>> {
        let read = self.store.read();
        let mut out = Vec::new();
        for entry in read.shortlist()? {
            let id = entry.id;
            let known = catalog.row(id).and_then(|r| r.assessment.clone().map(|a| (r.supplier.clone(), a)));
            let (supplier, assessment) =
                if let Some(pair) = known { pair } else { (read.supplier(id)?, self.assess_one(id)?) };
            out.push(ShortlistItem { id, supplier, assessment });
        }
        Ok(out)
    }
}

/// A supplier on the shortlist, with its assessment.
#[derive(Debug, Clone)]
pub struct ShortlistItem {
    pub id: SupplierId,
    pub supplier: Supplier,
    pub assessment: Assessment,
}

/// The shortlist's two export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Markdown,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Csv => "csv",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Markdown => "Markdown",
            Self::Csv => "CSV",
        }
    }
}

/// Writes the shortlist to `path` (through a temporary file beside it, so
/// a failure never leaves half a file); returns the absolute path.
pub fn export_shortlist(
    db: &Path,
    items: &[ShortlistItem],
    format: ExportFormat,
    as_of: NaiveDate,
    path: &Path,
) -> Result<PathBuf> {
    crate::store::refuse_database_file(db, path, "write the shortlist over")?;
    let compared: Vec<Compared<'_>> =
        items.iter().map(|i| Compared { supplier: &i.supplier, assessment: &i.assessment }).collect();
    let bytes = match format {
        ExportFormat::Markdown => compare::markdown(as_of, &compared).into_bytes(),
        ExportFormat::Csv => {
            let mut out = Vec::new();
            compare::write_csv(&compared, &mut out)?;
            out
        }
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let at = |e: std::io::Error| Error::Invalid(format!("{}: {e}", path.display()));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(at)?;
    std::io::Write::write_all(&mut file, &bytes).map_err(at)?;
    file.persist(path).map_err(|e| at(e.error))?;
    Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_owned()))
}
