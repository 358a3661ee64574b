//! The Supplier screen: who the supplier is, its ODM claims against the
//! four evidence pillars, and one focused pane at a time (flags, evidence,
//! audits, open findings, claims, history), with FPY by month underneath.
//! From here an auditor edits the supplier, adds and retires claims, starts
//! an audit, closes findings and enters or imports yield lots (each a form).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::supplier_panes as panes;
use super::{Outcome, Screen, Target, View, supplier_log};
use crate::exchange::shortlist::status_label;
use crate::model::Pillar;
use crate::store::SupplierId;
use crate::tui::data::SupplierDetail;
use crate::tui::data::{Fresh, Load, VoidTarget, Write};
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::{Listed, Listing, switch_pane};
use crate::tui::message::Message;
use crate::tui::record_forms::Purpose;
use crate::tui::theme::{Theme, status_tone};
use crate::tui::widgets::{opt, pct};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Flags,
    Evidence,
    Audits,
    Findings,
    Claims,
    History,
}

impl Pane {
    pub const ALL: [Self; 6] = [Self::Flags, Self::Evidence, Self::Audits, Self::Findings, Self::Claims, Self::History];

    pub fn title(self) -> &'static str {
        match self {
            Self::Flags => "Flags",
            Self::Evidence => "Evidence",
            Self::Audits => "Audits",
            Self::Findings => "Open findings",
            Self::Claims => "Claims",
            Self::History => "History",
        }
    }

    /// The title on a narrow terminal.
    pub fn short_title(self) -> &'static str {
        match self {
            Self::Findings => "Findings",
            other => other.title(),
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or_default()
    }
}

pub struct SupplierScreen {
    pub detail: SupplierDetail,
    pane: Pane,
    /// Each pane's list, filtered by `/`.
    lists: [Listing; 6],
    /// Something of this supplier's changed under another screen: reload
    /// when back in front.
    pub stale: bool,
}

impl SupplierScreen {
    pub fn new(detail: SupplierDetail) -> Self {
        let mut screen = Self { detail, pane: Pane::Flags, lists: Default::default(), stale: false };
        screen.sync_lengths();
        screen
    }

    /// Takes in what is stored now, keeping the pane and the selections.
    pub fn reload(&mut self, detail: SupplierDetail) {
        self.detail = detail;
        self.stale = false;
        self.sync_lengths();
    }

    fn sync_lengths(&mut self) {
        for pane in Pane::ALL {
            self.refilter(pane);
        }
    }

    /// Shows the items of `pane` its filter lets through.
    fn refilter(&mut self, pane: Pane) {
        let len = self.pane_len(pane);
        let detail = &self.detail;
        self.lists[pane.index()].refilter(len, |i, needle| super::supplier_filter::says(detail, pane, i, needle));
    }

    fn pane_len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Flags => self.detail.assessment.flags.len(),
            Pane::Evidence => panes::evidence_items(&self.detail).count(),
            Pane::Audits => self.detail.audits.len(),
            Pane::Findings => self.detail.open_findings.len(),
            Pane::Claims => self.detail.all_claims.len(),
            Pane::History => self.detail.history.len(),
        }
    }

    fn list(&self, pane: Pane) -> &Listing {
        &self.lists[pane.index()]
    }

    fn on_message(&mut self, msg: Message, view: View<'_>) -> Outcome {
        let id = self.detail.id;
        match self.lists[self.pane.index()].apply(msg) {
            Listed::Handled => return Outcome::None,
            Listed::Refilter => {
                self.refilter(self.pane);
                return Outcome::None;
            }
            Listed::Ignored => {}
        }
        match msg {
            Message::NextPane | Message::PrevPane | Message::Pane(_) => {
                self.pane = switch_pane(&Pane::ALL, self.pane, msg);
            }
            Message::Open => return self.open_selected(),
            Message::OpenYield => return Outcome::Open(Target::Yield(id)),
            Message::Mark => return Outcome::Write(Write::Mark { supplier: id, on: !view.catalog.is_marked(id) }),
            Message::Back => return Outcome::Back,
            Message::EditSupplier => return Outcome::Form(Purpose::EditSupplier(id)),
            Message::AddClaim => return Outcome::Form(Purpose::AddClaim(id)),
            Message::StartAudit => return Outcome::Form(Purpose::StartAudit(id)),
            Message::AddLot => return Outcome::Form(Purpose::Lot(id)),
            Message::ImportLots => return Outcome::Form(Purpose::Import),
            Message::RetireClaim => return self.retire_selected(),
            Message::Void => return self.void_selected(),
            Message::Amend => return self.amend_selected(),
            Message::OpenDraft => return self.open_draft(),
            Message::CloseFinding => return self.close_selected(),
            Message::WriteReport => {
                return Outcome::Report(crate::report::Subject::Supplier(self.detail.supplier.code.clone()));
            }
            _ => {}
        }
        Outcome::None
    }

    /// Enter opens the audit behind the selected audit, evidence item or finding.
    fn open_selected(&self) -> Outcome {
        let Some(i) = self.list(self.pane).selected() else { return Outcome::None };
        let reference = match self.pane {
            Pane::Flags | Pane::Claims | Pane::History => None,
            Pane::Audits => self.detail.audits.get(i).map(|a| a.audit.id.as_str()),
            Pane::Evidence => panes::evidence_items(&self.detail).nth(i).map(|(_, j)| j.audit.as_str()),
            Pane::Findings => self.detail.open_findings.get(i).map(|f| f.audit.as_str()),
        };
        let row = reference.and_then(|r| self.detail.audits.iter().find(|a| a.audit.id == r));
        row.map_or(Outcome::None, |a| Outcome::Open(Target::Audit(a.id)))
    }

    fn retire_selected(&self) -> Outcome {
        let Some((claim, c)) = self.selected_claim() else {
            return Outcome::Info("Select a claim in the Claims pane (5) first; r retires it.".to_owned());
        };
        if c.voided.is_some() {
            return Outcome::Info("This claim is voided: it counts nowhere.".to_owned());
        }
        let c = &c.claim;
        if let Some(day) = c.retired_on {
            return Outcome::Info(format!("This claim was retired on {day} already."));
        }
        let what = format!("{} ({}, stated {})", c.capability, c.source, c.stated_on);
        Outcome::Form(Purpose::RetireClaim { supplier: self.detail.id, claim, what })
    }

    /// The claim selected in the Claims pane (when it is the pane in view).
    fn selected_claim(&self) -> Option<(i64, &crate::store::ClaimRow)> {
        let selected = self.list(Pane::Claims).selected().and_then(|i| self.detail.all_claims.get(i));
        selected.filter(|_| self.pane == Pane::Claims).map(|c| (c.id, c))
    }

    /// The reason's form for voiding the selected claim.
    fn void_selected(&self) -> Outcome {
        let Some((claim, c)) = self.selected_claim() else {
            return Outcome::Info("Select a claim in the Claims pane (5) first; X voids it.".to_owned());
        };
        if let Some(v) = &c.voided {
            return Outcome::Info(format!("This claim was voided on {} by {}: {}", v.at, v.by, v.reason));
        }
        let c = &c.claim;
        let what = format!(
            "Claim {claim} of {}: {} ({}, stated {})",
            self.detail.supplier.code, c.capability, c.source, c.stated_on
        );
        let target = VoidTarget::Claim { supplier: self.detail.id, claim };
        Outcome::Form(Purpose::Void { target, what })
    }

    /// The latest draft audit of this supplier, in the editor.
    fn open_draft(&self) -> Outcome {
        let draft = self.detail.audits.iter().rev().find(|a| a.audit.status == crate::model::AuditStatus::Draft);
        draft.map_or_else(
            || Outcome::Info(format!("{} has no draft audit; a starts one.", self.detail.supplier.code)),
            |a| Outcome::Open(Target::Audit(a.id)),
        )
    }

    fn amend_selected(&self) -> Outcome {
        let selected = self.list(Pane::Audits).selected().and_then(|i| self.detail.audits.get(i));
        let Some(a) = selected.filter(|_| self.pane == Pane::Audits) else {
            return Outcome::Info("Select a submitted audit in the Audits pane (3) first; A amends it.".to_owned());
        };
        if a.audit.status == crate::model::AuditStatus::Draft {
            return Outcome::Info(format!("{} is a draft: Enter opens it to change it directly.", a.audit.id));
        }
        Outcome::Form(Purpose::Amend { supplier: self.detail.id, original: a.id, reference: a.audit.id.clone() })
    }

    fn close_selected(&self) -> Outcome {
        let selected = self.list(Pane::Findings).selected().and_then(|i| self.detail.open_findings.get(i));
        let Some(f) = selected.filter(|_| self.pane == Pane::Findings) else {
            return Outcome::Info("Select a finding in the Open findings pane (4) first; c closes it.".to_owned());
        };
        let what =
            format!("{} · {} · due {} · {}", f.audit, f.finding.severity, f.finding.due_on, f.finding.description);
        Outcome::Form(Purpose::CloseFinding { supplier: self.detail.id, finding: f.id, what })
    }

    /// The supplier's notes, wrapped, at most two lines (the rest cut with `…`).
    fn notes(&self, width: usize) -> Vec<String> {
        let Some(notes) = self.detail.supplier.notes.as_deref() else { return Vec::new() };
        let mut lines = crate::tui::widgets::wrap(&format!("notes: {notes}"), width);
        if lines.len() > 2 {
            lines.truncate(2);
            lines[1] = crate::tui::widgets::fit(&format!("{} …", lines[1]), width);
        }
        lines
    }

    fn render_all(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let claims = u16::try_from(self.detail.claims.len().max(1)).unwrap_or(u16::MAX);
        let notes = u16::try_from(self.notes(usize::from(area.width)).len()).unwrap_or(0);
        let [header, matrix, bar, pane, spark] = Layout::vertical([
            Constraint::Length(3 + notes),
            Constraint::Length(claims + 2),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(3),
        ])
        .areas(area);
        self.render_header(frame, header, view);
        self.render_matrix(frame, matrix, view.theme);
        panes::render_bar(frame, bar, self.pane, |p| self.pane_len(p), self.list(self.pane), view.theme);
        let cursor = self.list(self.pane);
        match self.pane {
            Pane::Flags => panes::render_flags(frame, pane, &self.detail, cursor, view.theme),
            Pane::Evidence => panes::render_evidence(frame, pane, &self.detail, cursor, view.theme),
            Pane::Audits => panes::render_audits(frame, pane, &self.detail, cursor, view.theme),
            Pane::Findings => panes::render_findings(frame, pane, &self.detail, cursor, view),
            Pane::Claims => supplier_log::render_claims(frame, pane, &self.detail, cursor, view),
            Pane::History => supplier_log::render_history(frame, pane, &self.detail, cursor, view.theme),
        }
        panes::render_sparkline(frame, spark, &self.detail, view.theme);
    }

    fn render_header(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let (s, a, theme) = (&self.detail.supplier, &self.detail.assessment, view.theme);
        let mut first = vec![Span::styled(format!("{} · {}", s.code, s.name), theme.title()), Span::raw("  ")];
        first.push(theme.verdict_badge(Some(a.verdict)));
        if view.catalog.is_marked(self.detail.id) {
            first.push(Span::styled("  * on the shortlist", theme.key()));
        }
        let place = s.city.as_ref().map_or_else(|| s.country.clone(), |c| format!("{c}, {}", s.country));
        let second = format!(
            "{place} · {} · models {} · MOQ {} · development {}",
            s.business_type.label(),
            s.models.label(),
            opt(s.moq),
            s.dev_lead_days.map_or_else(|| opt::<u32>(None), |d| format!("{d} days")),
        );
        let window = &a.yield_summary;
        let third = format!(
            "grade {} · audited {} · FPY {}, {} lots in {} months · {} open finding(s)",
            opt(a.grade),
            opt(a.last_audit),
            pct(window.fpy),
            window.lots,
            a.policy.yield_window_months,
            a.open_findings
        );
        let mut lines = vec![Line::from(first), Line::raw(second), Line::raw(third)];
        lines.extend(self.notes(usize::from(area.width)).into_iter().map(|l| Line::styled(l, theme.dim())));
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn render_matrix(&self, frame: &mut Frame, area: Rect, theme: Theme) {
        let a = &self.detail.assessment;
        if self.detail.claims.is_empty() {
            let text = "No active ODM claim: there is nothing for evidence to back (verdict: not claimed).";
            frame.render_widget(Paragraph::new(vec![Line::raw(""), Line::styled(text, theme.dim())]), area);
            return;
        }
        let wide = area.width >= 100;
        let header = std::iter::once(Cell::from("ODM claim × pillar"))
            .chain(Pillar::ALL.iter().map(|p| Cell::from(if wide { p.label() } else { short_pillar(*p) })));
        let rows = self.detail.claims.iter().map(|claim| {
            let cells = Pillar::ALL.iter().map(|p| match a.pillar(*p) {
                Some(pa) if pa.required_by.contains(claim) => {
                    Cell::from(Span::styled(status_label(pa.status), theme.tone(status_tone(pa.status))))
                }
                _ => Cell::from(""),
            });
            Row::new(std::iter::once(Cell::from(claim.as_str())).chain(cells))
        });
        let widths = [
            Constraint::Length(19),
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ];
        let table = Table::new(rows, widths).header(Row::new(header).style(theme.header())).column_spacing(1);
        frame.render_widget(table, area);
    }
}

impl Screen for SupplierScreen {
    fn keys(&self) -> &'static KeyMap {
        if self.list(self.pane).typing() { &keys::FILTER } else { &keys::SUPPLIER }
    }

    fn paste(&mut self, text: &str, _view: View<'_>) {
        if self.lists[self.pane.index()].paste(text) {
            self.refilter(self.pane);
        }
    }

    fn title(&self) -> String {
        self.detail.supplier.code.clone()
    }

    fn update(&mut self, msg: Message, view: View<'_>) -> Outcome {
        self.on_message(msg, view)
    }

    fn render(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        self.render_all(frame, area, view);
    }

    fn receive(&mut self, fresh: Fresh) {
        if let Fresh::Supplier(detail) = fresh {
            self.reload(*detail);
        }
    }

    fn wants(&self) -> Option<Load> {
        self.stale.then_some(Load::Supplier(self.detail.id))
    }

    fn touched(&mut self, supplier: SupplierId) {
        if supplier == self.detail.id {
            self.stale = true;
        }
    }

    fn supplier(&self) -> Option<SupplierId> {
        Some(self.detail.id)
    }
}

pub fn short_pillar(pillar: Pillar) -> &'static str {
    match pillar {
        Pillar::MaterialCompatibility => "material",
        Pillar::AssemblyConstraints => "assembly",
        Pillar::ProductionYield => "yield",
        Pillar::DfmEvaluation => "DFM",
    }
}
