//! The Yield screen, for QA leads: one supplier's control chart (p, Laney
//! p′, u or Laney u′) with every lot visible, the lot under the cursor in
//! full, the lots that broke a run rule, FPY by material and by process, the
//! defect Pareto and FPY by month, narrowed by process, material and SKU.
//! The chart kind, the rule set, the window and where the limits come from
//! are always stated in the header. The chart's pieces are in `tui::chart`,
//! the other panes in `yield_charts`; this module holds the state and
//! routes messages.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::yield_charts::{self as panes, ViolationRow};
use super::{Outcome, Screen, View};
use crate::assess::spc::{ChartKind, Rule, RuleSet};
use crate::assess::strata::Stratum;
use crate::charts::{self, Window};
use crate::store::SupplierId;
use crate::tui::chart::inspector::Inspector;
use crate::tui::chart::plot::ControlPlot;
use crate::tui::chart::{ChartState, Mark, marks};
use crate::tui::data::{Dimensions, Fresh, Load, Write, YieldLoaded, YieldQuery};
use crate::tui::input::contains_folded;
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::{Listed, Listing, cycle};
use crate::tui::message::Message;
use crate::tui::record_forms::Purpose;
use crate::tui::theme::{Theme, Tone};
use crate::tui::widgets::pct;

/// What the query found.
#[derive(Debug)]
pub enum Loaded {
    Report(Box<YieldLoaded>),
    NoLots,
    Failed(String),
}

/// What fills the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Chart,
    By(Stratum),
    Defects,
}

impl Pane {
    fn next(self) -> Self {
        match self {
            Self::Chart => Self::By(Stratum::Material),
            Self::By(Stratum::Material) => Self::By(Stratum::Process),
            Self::By(Stratum::Process) => Self::Defects,
            Self::Defects => Self::Chart,
        }
    }
}

pub struct YieldScreen {
    id: SupplierId,
    code: String,
    name: String,
    dims: Dimensions,
    pub query: YieldQuery,
    /// The policy's yield window: its first day and length.
    window_start: NaiveDate,
    window_months: u32,
    as_of: NaiveDate,
    pub loaded: Loaded,
    /// Per lot: its mark and the rules it broke.
    marks: Vec<Mark>,
    rules: Vec<Vec<Rule>>,
    violations: Vec<ViolationRow>,
    /// Over the violations, filtered by `/`.
    list: Listing,
    pub chart: ChartState,
    pub pane: Pane,
    /// The query changed (or the screen just opened): load its lots.
    stale: bool,
}

/// What the Yield screen opens with, read by the app.
#[derive(Debug, Clone)]
pub struct YieldSetup {
    pub supplier: SupplierId,
    pub code: String,
    pub name: String,
    pub dims: Dimensions,
    /// The stored policy's chart and rules.
    pub chart: ChartKind,
    pub rules: RuleSet,
    /// The policy's yield window: its first day and its length.
    pub window_start: NaiveDate,
    pub window_months: u32,
    pub as_of: NaiveDate,
}

impl YieldScreen {
    /// The screen over the policy's window and chart; its lots load next.
    pub fn new(setup: YieldSetup) -> Self {
        let YieldSetup { supplier, code, name, dims, chart, rules, window_start, window_months, as_of } = setup;
        let query = YieldQuery { process: None, material: None, sku: None, since: Some(window_start), chart, rules };
        Self {
            id: supplier,
            code,
            name,
            dims,
            query,
            window_start,
            window_months,
            as_of,
            loaded: Loaded::NoLots,
            marks: Vec::new(),
            rules: Vec::new(),
            violations: Vec::new(),
            list: Listing::default(),
            chart: ChartState::default(),
            pane: Pane::Chart,
            stale: true,
        }
    }

    fn report(&self) -> Option<&YieldLoaded> {
        match &self.loaded {
            Loaded::Report(loaded) => Some(loaded),
            _ => None,
        }
    }

    fn on_message(&mut self, msg: Message, view: View<'_>) -> Outcome {
        // Typing a filter takes every key; otherwise the chart's cursor keys
        // come first, then the violations list's.
        if !self.list.typing() && self.chart.apply(msg) {
            return Outcome::None;
        }
        match self.list.apply(msg) {
            Listed::Handled => return Outcome::None,
            Listed::Refilter => {
                self.refilter();
                return Outcome::None;
            }
            Listed::Ignored => {}
        }
        let q = &mut self.query;
        match msg {
            Message::ToggleChart => q.chart = q.chart.next_in_cycle(),
            Message::ToggleRules => {
                q.rules = match q.rules {
                    RuleSet::Attribute => RuleSet::WesternElectric,
                    RuleSet::WesternElectric => RuleSet::Attribute,
                };
            }
            Message::NextProcess => q.process = cycle(&self.dims.processes, q.process.as_ref()),
            Message::NextMaterial => q.material = cycle(&self.dims.materials, q.material.as_ref()),
            Message::NextSku => q.sku = cycle(&self.dims.skus, q.sku.as_ref()),
            Message::ClearDimensions => (q.process, q.material, q.sku) = (None, None, None),
            Message::ToggleWindow => q.since = if q.since.is_some() { None } else { Some(self.window_start) },
            Message::Mark => {
                let (supplier, on) = (self.id, !view.catalog.is_marked(self.id));
                return Outcome::Write(Write::Mark { supplier, on });
            }
            Message::Back => return Outcome::Back,
            other => return self.on_move(other),
        }
        Outcome::Load(Load::Yield(self.id, self.query.clone()))
    }

    /// Messages that change nothing but what is shown or selected.
    fn on_move(&mut self, msg: Message) -> Outcome {
        match msg {
            Message::NextView => self.pane = self.pane.next(),
            Message::Open => {
                if let Some(row) = self.list.selected().and_then(|i| self.violations.get(i)) {
                    self.chart.jump_to(row.index);
                }
            }
            Message::Annotate => return self.annotate(),
            Message::Void => return self.void_lot(),
            _ => {}
        }
        Outcome::None
    }

    /// The form for an assignable cause on the lot under the cursor.
    fn annotate(&self) -> Outcome {
        let Some(point) = self.report().zip(self.chart.selected()).and_then(|(r, i)| r.report.lots.get(i)) else {
            return Outcome::Info("No lot under the cursor to annotate.".to_owned());
        };
        let what = format!("Supplier {} · lot {} produced {}", self.code, point.lot, point.produced_on);
        Outcome::Form(Purpose::Annotate { supplier: self.id, lot: point.lot.clone(), what, excluded: point.excluded() })
    }

    /// The reason's form for voiding the lot under the cursor.
    fn void_lot(&self) -> Outcome {
        let Some(point) = self.report().zip(self.chart.selected()).and_then(|(r, i)| r.report.lots.get(i)) else {
            return Outcome::Info("No lot under the cursor to void.".to_owned());
        };
        let what = format!("Lot {} of {}, produced {}", point.lot, self.code, point.produced_on);
        let target = crate::tui::data::VoidTarget::Lot { supplier: self.id, lot: point.lot.clone() };
        Outcome::Form(Purpose::Void { target, what })
    }

    fn take(&mut self, found: std::result::Result<Option<Box<YieldLoaded>>, String>) {
        self.stale = false;
        // The cursor stays on its lot when the new lots still hold it.
        let before =
            self.report().zip(self.chart.selected()).and_then(|(r, i)| r.report.lots.get(i)).map(|l| l.lot.clone());
        self.loaded = match found {
            Ok(Some(loaded)) => Loaded::Report(loaded),
            Ok(None) => Loaded::NoLots,
            Err(e) => Loaded::Failed(e),
        };
        (self.marks, self.rules, self.violations) = match &self.loaded {
            Loaded::Report(loaded) => {
                let (marks, rules) = marks(&loaded.report);
                (marks, rules, panes::violation_rows(&loaded.report))
            }
            _ => Default::default(),
        };
        self.refilter();
        self.chart.set_len(self.marks.len());
        let lots = self.report().map(|r| r.report.lots.as_slice()).unwrap_or_default();
        let at = before.and_then(|code| lots.iter().position(|l| l.lot == code));
        self.chart.jump_to(at.unwrap_or(lots.len().saturating_sub(1)));
    }

    /// Shows the violations whose lot, day or rule has the filter's text.
    fn refilter(&mut self) {
        let rows = &self.violations;
        self.list.refilter(rows.len(), |i, needle| {
            let v = &rows[i];
            let day = v.produced_on.to_string();
            [v.lot.as_str(), &day, panes::rule_label(v.rule), v.rule.as_str()]
                .iter()
                .any(|t| contains_folded(t, needle))
        });
    }

    fn window(&self) -> Window {
        let policy_months = (self.query.since == Some(self.window_start)).then_some(self.window_months);
        Window { since: self.query.since, until: self.as_of, policy_months }
    }

    fn render_all(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let theme = view.theme;
        let [head, body] = Layout::vertical([Constraint::Length(5), Constraint::Fill(1)]).areas(area);
        self.render_header(frame, head, theme);
        let loaded = match &self.loaded {
            Loaded::Report(loaded) => loaded,
            Loaded::NoLots => {
                let text = "No lots match: try another process, material or SKU (x clears them), or all lots (w).";
                return frame.render_widget(Line::styled(text, theme.dim()), body);
            }
            Loaded::Failed(e) => return frame.render_widget(Line::styled(e.clone(), theme.tone(Tone::Bad)), body),
        };
        let side = if area.width >= 120 {
            48
        } else if area.width >= 100 {
            44
        } else {
            32
        };
        match self.pane {
            Pane::Chart if body.height >= 30 => {
                let [top, bottom] = Layout::vertical([Constraint::Percentage(68), Constraint::Fill(1)]).areas(body);
                self.render_chart_pane(frame, top, side, loaded, theme);
                render_defects(frame, bottom, side, loaded, theme);
            }
            Pane::Chart => self.render_chart_pane(frame, body, side, loaded, theme),
            Pane::By(Stratum::Material) => {
                panes::render_strata(frame, body, Stratum::Material, &loaded.by_material, theme);
            }
            Pane::By(Stratum::Process) => {
                panes::render_strata(frame, body, Stratum::Process, &loaded.by_process, theme);
            }
            Pane::Defects => render_defects(frame, body, side, loaded, theme),
        }
    }

    fn render_chart_pane(&self, frame: &mut Frame, area: Rect, side: u16, loaded: &YieldLoaded, theme: Theme) {
        let report = &loaded.report;
        let [chart, list] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(side)]).areas(area);
        let title = format!(
            " {}: {} · {} lots · {} ",
            charts::chart_name(report.chart),
            charts::axis_name(report.chart.statistic()),
            report.lots.len(),
            self.chart.zoom.label()
        );
        let block = Block::new().borders(Borders::TOP).border_style(theme.border()).title(title);
        let inner = block.inner(chart);
        frame.render_widget(block, chart);
        let plot = ControlPlot { report, marks: &self.marks, state: &self.chart, theme };
        frame.render_widget(plot, inner);
        let [inspect, violations] = Layout::vertical([Constraint::Length(9), Constraint::Fill(1)]).areas(list);
        self.render_inspector(frame, inspect, loaded, theme);
        let kinds = (report.rules, report.chart.statistic());
        panes::render_violations(frame, violations, &self.violations, kinds, &self.list, theme);
    }

    fn render_inspector(&self, frame: &mut Frame, area: Rect, loaded: &YieldLoaded, theme: Theme) {
        let block =
            Block::new().borders(Borders::TOP | Borders::LEFT).border_style(theme.border()).title(" lot (a: cause) ");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(i) = self.chart.selected() else { return };
        let Some(point) = loaded.report.lots.get(i) else { return };
        let inspector = Inspector {
            point,
            lot: loaded.lots.get(i),
            rules: self.rules.get(i).map_or(&[], Vec::as_slice),
            statistic: loaded.report.chart.statistic(),
            theme,
        };
        frame.render_widget(inspector, inner);
    }

    fn render_header(&self, frame: &mut Frame, area: Rect, theme: Theme) {
        let q = &self.query;
        let all = |value: Option<String>| value.unwrap_or_else(|| "all".to_owned());
        let filters = format!(
            "{} · process {} · material {} · SKU {}",
            self.window().describe(),
            all(q.process.map(|p| p.to_string())),
            all(q.material.clone()),
            all(q.sku.clone())
        );
        let rules = match q.rules {
            RuleSet::Attribute => "attribute (beyond 3σ, nine in a row)",
            RuleSet::WesternElectric => "Western Electric (beyond 3σ, 2 of 3 > 2σ, 4 of 5 > 1σ, eight in a row)",
        };
        let mut title = vec![Span::raw(format!("{} · {}", self.code, self.name))];
        if let Some(v) = self.report().map(|r| &r.voided).filter(|v| !v.is_empty()) {
            let listed: Vec<String> = v.iter().map(|v| format!("{} ({})", v.lot.lot, v.voided.reason)).collect();
            let dim = theme.dim().remove_modifier(ratatui::style::Modifier::BOLD);
            title.push(Span::styled(format!("  · voided, left out: {}", listed.join(", ")), dim));
        }
        let mut lines = vec![
            Line::from(title).style(theme.title()),
            Line::from(vec![
                Span::styled("chart ", theme.dim()),
                Span::styled(q.chart.describe(), theme.header()),
                Span::styled(" · rules ", theme.dim()),
                Span::styled(rules, theme.header()),
            ]),
            Line::raw(filters),
        ];
        if let Some(loaded) = self.report() {
            lines.push(summary_line(&loaded.report, theme));
            lines.push(Line::styled(charts::limits_text(&loaded.report, None), theme.dim()));
        }
        frame.render_widget(lines.into_iter().collect::<ratatui::text::Text<'_>>(), area);
    }
}

fn render_defects(frame: &mut Frame, area: Rect, side: u16, loaded: &YieldLoaded, theme: Theme) {
    let [pareto, months] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(side)]).areas(area);
    panes::render_pareto(frame, pareto, &loaded.report, theme);
    panes::render_months(frame, months, &loaded.report, theme);
}

impl Screen for YieldScreen {
    fn keys(&self) -> &'static KeyMap {
        if self.list.typing() { &keys::FILTER } else { &keys::YIELD }
    }

    fn paste(&mut self, text: &str, _view: View<'_>) {
        if self.list.paste(text) {
            self.refilter();
        }
    }

    fn title(&self) -> String {
        "Yield".to_owned()
    }

    fn update(&mut self, msg: Message, view: View<'_>) -> Outcome {
        self.on_message(msg, view)
    }

    fn render(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        self.render_all(frame, area, view);
    }

    fn receive(&mut self, fresh: Fresh) {
        if let Fresh::Yield(found) = fresh {
            self.take(found);
        }
    }

    fn wants(&self) -> Option<Load> {
        self.stale.then(|| Load::Yield(self.id, self.query.clone()))
    }

    fn touched(&mut self, supplier: SupplierId) {
        self.stale |= supplier == self.id;
    }

    fn supplier(&self) -> Option<SupplierId> {
        Some(self.id)
    }
}

fn summary_line(r: &crate::assess::yield_stats::YieldReport, theme: Theme) -> Line<'static> {
    let statistic = r.chart.statistic();
    let centre = r.center.map_or_else(|| "—".to_owned(), |c| charts::format_value(statistic, c));
    let mut spans = vec![Span::raw(format!(
        "{} lots · FPY {} · {} {centre} · σ_z {} · {} violation(s)",
        r.lots.len(),
        pct(r.rates.fpy),
        charts::center_symbol(statistic),
        r.sigma_z.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}")),
        r.violations.len()
    ))];
    if r.overdispersed {
        spans.push(Span::styled(" · too tight for these lots: try Laney's chart (c)", theme.tone(Tone::Warn)));
    }
    Line::from(spans)
}
