//! Recording, as the app carries it out: every [`Write`] a screen, a form
//! or a confirmation asks for goes through [`App::write`] (one transaction
//! each), then the screens are made true again: the changed supplier is
//! re-assessed at once (not the whole catalog), every screen hears which
//! supplier was touched, and the one in front reloads what it shows. Also
//! opening and saving forms, submitting, and imports in the background.

use std::path::Path;

use super::app::App;
use super::data::{Started, Write, Written};
use super::popup::{Popup, SubmitConfirm, VoidConfirm};
use super::record_forms::{self, FormPopup, Purpose, Submitted};
use super::screens::audit::AuditScreen;
use super::screens::{Screen, Target};
use super::theme::Tone;
use crate::assess::checklist::Score;
use crate::assess::verdict::{Assessment, Verdict};
use crate::error::Result;
use crate::exchange::ImportReport;
use crate::store::SupplierId;

impl App {
    pub(super) fn open_form(&mut self, purpose: Purpose) -> Result<()> {
        self.popup = Some(Popup::Form(Box::new(record_forms::open(purpose, &self.data)?)));
        Ok(())
    }

    /// Enter on a valid form: write it, or put it back with the refusal.
    pub(super) fn save_form(&mut self, mut form: FormPopup) {
        let submitted = match record_forms::save(&form) {
            Ok(submitted) => submitted,
            Err(refusal) => {
                form.form.refuse(refusal.field, refusal.message);
                self.popup = Some(Popup::Form(Box::new(form)));
                return;
            }
        };
        match submitted {
            Submitted::Write(change @ Write::Void { .. }) => {
                let confirm = VoidConfirm::new(change, form, self.data.actor());
                self.popup = Some(Popup::ConfirmVoid(Box::new(confirm)));
            }
            Submitted::Write(change) => match self.data.write(&change) {
                Ok(written) => self.written(written),
                Err(refusal) => {
                    form.form.refuse(refusal.field, refusal.message);
                    self.popup = Some(Popup::Form(Box::new(form)));
                }
            },
            Submitted::Import(path) => self.start_import(&path),
        }
    }

    /// Carries out a change; a refusal is shown as a notice.
    pub(super) fn write(&mut self, change: &Write) {
        match self.data.write(change) {
            Ok(written) => self.written(written),
            Err(refusal) => self.popup = Some(Popup::error(refusal.message)),
        }
    }

    /// After a write: what it changed is shown again.
    fn written(&mut self, written: Written) {
        let shown = match written {
            Written::Quietly => Ok(()),
            Written::Marked { supplier, on } => {
                if on {
                    self.catalog.marked.insert(supplier);
                } else {
                    self.catalog.marked.remove(&supplier);
                }
                self.catalog_changed();
                Ok(())
            }
            Written::NewSupplier(id) => self.changed(id).and_then(|_| self.open(Target::Supplier(id))),
            Written::Supplier(id) | Written::Draft { supplier: id, .. } => self.changed(id).map(drop),
            Written::Answered { supplier, .. } => {
                self.touched(supplier);
                Ok(())
            }
            Written::NewAudit { audit, supplier } => self.drafts_changed().and_then(|()| {
                self.touched(supplier);
                self.open(Target::Audit(audit))
            }),
            Written::Submitted { audit, supplier, score } => self.submitted(audit, supplier, &score),
            Written::Attached { supplier, attached, .. } => {
                self.touched(supplier);
                self.popup = Some(Popup::Notice {
                    title: "File attached".to_owned(),
                    lines: vec![
                        attached.path.clone(),
                        format!("{} · {}", attached.kind, super::paths::size_words(attached.size)),
                        format!("sha256 {}", attached.sha256),
                    ],
                    tone: Tone::Good,
                });
                Ok(())
            }
        };
        if let Err(e) = shown {
            self.popup = Some(Popup::error(e.to_string()));
        }
    }

    /// A supplier's record changed: re-assess it now, so lists, flags and
    /// its verdict show the change at once, and reload its screens.
    pub(super) fn changed(&mut self, id: SupplierId) -> Result<Assessment> {
        let assessment = self.data.assess_one(id)?;
        self.catalog.upsert(id, self.data.supplier_record(id)?, assessment.clone());
        self.touched(id);
        self.catalog_changed();
        Ok(assessment)
    }

    /// Screens showing this supplier are out of date; the one in front
    /// reloads now, the others when they come back in front.
    pub(super) fn touched(&mut self, id: SupplierId) {
        for screen in self.stacks.all_mut() {
            screen.touched(id);
        }
        self.refresh_front();
    }

    /// Seals the audit, shows it read-only in the editor's place, and
    /// re-assesses its supplier so the verdict reflects it at once.
    pub(super) fn submit(&mut self, confirm: &SubmitConfirm) {
        if let Err(refusal) = self.data.write(&Write::Submit(confirm.audit)).map(|w| self.written(w)) {
            self.popup = Some(Popup::error(format!("The audit was not submitted: {refusal}")));
        }
    }

    /// A draft was started or submitted: the lists' drafts line follows.
    fn drafts_changed(&mut self) -> Result<()> {
        self.catalog.drafts = self.data.drafts()?;
        Ok(())
    }

    fn submitted(&mut self, audit: i64, supplier: SupplierId, score: &Score) -> Result<()> {
        self.drafts_changed()?;
        let before = self.catalog.row(supplier).and_then(super::catalog::SupplierRow::verdict);
        let view: Box<dyn Screen> = Box::new(AuditScreen::new(self.data.audit_detail(audit)?));
        let stack = self.stacks.of_mut(self.tab);
        if stack.last().and_then(|s| s.draft()) == Some(audit) {
            stack.pop();
        }
        stack.push(view);
        self.changed(supplier)?;
        let after = self.catalog.row(supplier).and_then(super::catalog::SupplierRow::verdict);
        let code = self.catalog.row(supplier).map(|r| r.supplier.code.clone()).unwrap_or_default();
        let reference = self.front().map(Screen::title).unwrap_or_default();
        self.popup = Some(Popup::Notice {
            title: format!("{reference} submitted"),
            lines: vec![
                format!("Locked with score {}, grade {}.", pct(score.pct), score.grade),
                verdict_change(&code, before, after),
            ],
            tone: Tone::Good,
        });
        Ok(())
    }

    fn start_import(&mut self, path: &Path) {
        match self.data.start_import(path) {
            Started::Running(job) => self.popup = Some(Popup::Importing(job)),
            Started::Done(result) => self.imported(*result),
        }
    }

    /// Takes in a finished import; `true` if one finished.
    pub(super) fn poll_import(&mut self) -> bool {
        let Some(Popup::Importing(job)) = &self.popup else { return false };
        let Some(result) = job.poll() else { return false };
        self.imported(result);
        true
    }

    fn imported(&mut self, result: Result<ImportReport>) {
        let report = match result {
            Ok(report) => report,
            Err(e) => {
                self.popup = Some(Popup::error(format!("The import failed: {e}")));
                return;
            }
        };
        let (title, lines, tone) = super::popup::report_lines(&report);
        self.popup = Some(Popup::Report { title, lines, tone, scroll: super::list::Scroll::default() });
        if report.committed {
            self.reassess_all();
        }
    }

    /// After an import or a sync: new suppliers into the list, every verdict again (in
    /// the background), and the supplier in front at once.
    pub(super) fn reassess_all(&mut self) {
        match self.data.catalog() {
            Ok(fresh) => self.catalog.replace(fresh),
            Err(e) => self.catalog.fail(e.to_string()),
        }
        if let Some(result) = self.data.start_assessment(self.loading) {
            self.assessed(result);
        }
        self.catalog_changed();
        if let Some(id) = self.front().and_then(Screen::supplier)
            && let Err(e) = self.changed(id)
        {
            self.popup = Some(Popup::error(e.to_string()));
        }
    }
}

fn pct(score: Option<f64>) -> String {
    score.map_or_else(|| "no score".to_owned(), crate::assess::checklist::score_text)
}

fn verdict_change(code: &str, before: Option<Verdict>, after: Option<Verdict>) -> String {
    match (before, after) {
        (Some(b), Some(a)) if a != b => format!("{code}'s ODM verdict: {} → {}.", b.label(), a.label()),
        (_, Some(a)) => format!("{code}'s ODM verdict stays {}.", a.label()),
        _ => String::new(),
    }
}
