//! Opening screens, as the app carries it out: what a [`Target`] shows is
//! read here and the screen pushed on the tab's stack (Yield over its
//! supplier, so Esc leads back through it); and the shortlist's export.

use std::path::Path;

use super::app::App;
use super::data::{self, ExportFormat};
use super::popup::Popup;
use super::screens::audit::AuditScreen;
use super::screens::audit_edit::AuditEditor;
use super::screens::supplier::SupplierScreen;
use super::screens::yields::{YieldScreen, YieldSetup};
use super::screens::{Screen, Target};
use super::theme::Tone;
use crate::error::{Error, Result};

impl App {
    /// Loads what `target` shows and puts it in front.
    pub(super) fn open(&mut self, target: Target) -> Result<()> {
        let screen: Box<dyn Screen> = match target {
            Target::Supplier(id) => Box::new(SupplierScreen::new(self.data.supplier_detail(id)?)),
            // A draft opens in the editor, a submitted audit read-only.
            Target::Audit(id) if self.data.is_draft(id)? => Box::new(AuditEditor::new(self.data.editor_detail(id)?)),
            Target::Audit(id) => Box::new(AuditScreen::new(self.data.audit_detail(id)?)),
            Target::Yield(id) => {
                // Yield opens over its supplier, so Esc leads back through it.
                if self.front().and_then(Screen::supplier) != Some(id) {
                    self.open(Target::Supplier(id))?;
                }
                Box::new(YieldScreen::new(self.yield_setup(id)?))
            }
        };
        self.stacks.of_mut(self.tab).push(screen);
        self.refresh_front();
        Ok(())
    }

    fn yield_setup(&self, id: crate::store::SupplierId) -> Result<YieldSetup> {
        let row = self.catalog.row(id).ok_or_else(|| Error::NotFound(format!("supplier {}", id.0)))?;
        let (chart, rules, window_start, window_months) = self.data.yield_defaults()?;
        Ok(YieldSetup {
            supplier: id,
            code: row.supplier.code.clone(),
            name: row.supplier.name.clone(),
            dims: self.data.dimensions(id)?,
            chart,
            rules,
            window_start,
            window_months,
            as_of: self.data.as_of,
        })
    }

    pub(super) fn export(&mut self, format: ExportFormat, path: &Path) {
        let items = match self.data.shortlist(&self.catalog) {
            Ok(items) => items,
            Err(e) => return self.popup = Some(Popup::error(format!("The shortlist was not exported: {e}"))),
        };
        self.popup = Some(match data::export_shortlist(self.data.database(), &items, format, self.data.as_of, path) {
            Ok(written) => Popup::Notice {
                title: "Shortlist exported".to_owned(),
                lines: vec![
                    format!("{} supplier(s) written as {} to", items.len(), format.label()),
                    written.display().to_string(),
                ],
                tone: Tone::Good,
            },
            Err(e) => Popup::error(format!("The shortlist was not exported: {e}")),
        });
    }
}
