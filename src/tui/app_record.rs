//! Recording, as the app routes it: opening a form and saving it (one
//! transaction), confirming and submitting an audit, running an import in
//! the background, and keeping the screens true after a write: the changed
//! supplier is re-assessed at once (not the whole catalog) and its open
//! screens reloaded.

use std::path::Path;

use super::app::{App, Screen};
use super::data::Started;
use super::forms::{self, FormPopup, Purpose, Saved};
use super::popup::{Popup, SubmitConfirm};
use super::screens::Target;
use super::screens::audit::AuditScreen;
use super::screens::supplier::SupplierScreen;
use super::theme::Tone;
use crate::assess::verdict::Assessment;
use crate::error::{Error, Result};
use crate::exchange::ImportReport;
use crate::store::SupplierId;

impl App {
    pub(super) fn open_form(&mut self, purpose: Purpose) -> Result<()> {
        self.popup = Some(Popup::Form(Box::new(forms::open(purpose, &self.data)?)));
        Ok(())
    }

    /// Enter on a valid form: write it, or put it back with the refusal.
    pub(super) fn save_form(&mut self, mut form: FormPopup) {
        let Some(saved) = forms::save(&mut form, &mut self.data) else {
            self.popup = Some(Popup::Form(Box::new(form)));
            return;
        };
        let shown = match saved {
            Saved::NewSupplier(id) => self.changed(id).and_then(|assessment| {
                let detail = self.data.supplier_detail_with(id, assessment)?;
                self.stack_mut().push(Screen::Supplier(Box::new(SupplierScreen::new(detail))));
                Ok(())
            }),
            Saved::Supplier(id) => self.changed(id).map(drop),
            Saved::NewAudit(audit) => self.open(Target::Audit(audit)).map(|()| {
                if let Some(id) = self.editor_supplier() {
                    self.touched(id);
                }
            }),
            Saved::Audit(audit) => self.reload_editor(audit).and_then(|id| self.changed(id)).map(drop),
            Saved::Import(path) => {
                self.start_import(&path);
                Ok(())
            }
        };
        if let Err(e) = shown {
            self.popup = Some(Popup::error(e.to_string()));
        }
    }

    fn editor_supplier(&self) -> Option<SupplierId> {
        match self.front() {
            Some(Screen::AuditEdit(e)) => Some(e.detail.supplier),
            _ => None,
        }
    }

    /// Reloads the editor in front (after a form wrote under its audit);
    /// returns its supplier.
    fn reload_editor(&mut self, audit: i64) -> Result<SupplierId> {
        let detail = self.data.editor_detail(audit)?;
        let supplier = detail.supplier;
        if let Some(Screen::AuditEdit(editor)) = self.front_mut()
            && editor.audit() == audit
        {
            editor.reload(detail);
        }
        Ok(supplier)
    }

    /// A supplier's record changed: re-assess it now, so lists, flags and
    /// its verdict show the change at once, and reload its screens; returns
    /// the new assessment.
    pub(super) fn changed(&mut self, id: SupplierId) -> Result<Assessment> {
        let assessment = self.data.assess_one(id)?;
        self.catalog.upsert(id, self.data.supplier_record(id)?, assessment.clone());
        self.catalog_changed();
        self.touched(id);
        self.reload_front(Some((id, &assessment)));
        Ok(assessment)
    }

    /// Screens showing this supplier are out of date; reloaded when in front.
    pub(super) fn touched(&mut self, id: SupplierId) {
        for screen in self.stacks.all_mut() {
            if let Screen::Supplier(s) = screen
                && s.detail.id == id
            {
                s.stale = true;
            }
        }
    }

    /// Reloads the screen in front if something under it changed.
    pub(super) fn refresh_front(&mut self) {
        self.reload_front(None);
    }

    /// [`App::refresh_front`], with one supplier's assessment as of the day
    /// already computed (not computed again if that supplier is in front).
    fn reload_front(&mut self, known: Option<(SupplierId, &Assessment)>) {
        // The stack itself, not `front_mut`: loading borrows the data too.
        let Some(Screen::Supplier(s)) = self.stacks.of_mut(self.tab).last_mut() else { return };
        if !s.stale {
            return;
        }
        let id = s.detail.id;
        let detail = match known {
            Some((k, assessment)) if k == id => self.data.supplier_detail_with(id, assessment.clone()),
            _ => self.data.supplier_detail(id),
        };
        match detail {
            Ok(detail) => s.reload(detail),
            Err(e) => self.popup = Some(Popup::error(e.to_string())),
        }
    }

    pub(super) fn confirm_submit(&mut self, audit: i64) {
        let Some(Screen::AuditEdit(editor)) = self.front() else { return };
        let d = &editor.detail;
        self.popup = Some(Popup::Submit(Box::new(SubmitConfirm {
            audit,
            reference: d.row.audit.id.clone(),
            supplier: d.row.supplier.clone(),
            score: d.score.clone(),
        })));
    }

    /// Seals the audit, shows it read-only in the editor's place, and
    /// re-assesses its supplier so the verdict reflects it at once.
    pub(super) fn submit(&mut self, confirm: &SubmitConfirm) {
        if let Err(e) = self.try_submit(confirm) {
            self.popup = Some(Popup::error(format!("The audit was not submitted: {e}")));
        }
    }

    fn try_submit(&mut self, confirm: &SubmitConfirm) -> Result<()> {
        let id = self.editor_supplier().ok_or_else(|| Error::Invalid("the audit editor is not in front".into()))?;
        let before = self.catalog.row(id).and_then(super::catalog::SupplierRow::verdict);
        let score = self.data.submit(confirm.audit)?;
        let view = Screen::Audit(Box::new(AuditScreen::new(self.data.audit_detail(confirm.audit)?)));
        if let Some(front) = self.front_mut() {
            *front = view;
        }
        self.changed(id)?;
        let after = self.catalog.row(id).and_then(super::catalog::SupplierRow::verdict);
        let pct = score.pct.map_or_else(|| "no score".to_owned(), crate::assess::checklist::score_text);
        let verdict = match (before, after) {
            (Some(b), Some(a)) if a != b => {
                format!("{}'s ODM verdict: {} → {}.", confirm.supplier, b.label(), a.label())
            }
            (_, Some(a)) => format!("{}'s ODM verdict stays {}.", confirm.supplier, a.label()),
            _ => String::new(),
        };
        self.popup = Some(Popup::Notice {
            title: format!("{} submitted", confirm.reference),
            lines: vec![format!("Locked with score {pct}, grade {}.", score.grade), verdict],
            tone: Tone::Good,
        });
        Ok(())
    }

    fn start_import(&mut self, path: &Path) {
        match self.data.start_import(path) {
            Started::Running(job) => self.popup = Some(Popup::Importing(job)),
            Started::Done(result) => self.imported(result),
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

    /// After an import: new suppliers into the list, every verdict again (in
    /// the background), and the supplier in front at once.
    fn reassess_all(&mut self) {
        match self.data.catalog() {
            Ok(fresh) => self.catalog.replace(fresh),
            Err(e) => self.catalog.fail(e.to_string()),
        }
        if let Some(result) = self.data.start_assessment(self.loading) {
            self.assessed(result);
        }
        self.suppliers.sync(&self.catalog);
        self.flags.sync(&self.catalog);
        let front = match self.front() {
            Some(Screen::Supplier(s)) => Some(s.detail.id),
            Some(Screen::AuditEdit(e)) => Some(e.detail.supplier),
            _ => None,
        };
        if let Some(id) = front
            && let Err(e) = self.changed(id)
        {
            self.popup = Some(Popup::error(e.to_string()));
        }
    }
}
