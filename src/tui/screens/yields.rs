//! The Yield screen, for QA leads: one supplier's p-chart (or Laney p′),
//! the lots that broke a run rule, the defect Pareto and FPY by month,
//! narrowed by process, material and SKU. The chart kind, the rule set
//! and the window in force are always stated in the header.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::yield_charts::{self as charts, Plot};
use super::{Outcome, Screen, View};
use crate::assess::spc::{ChartKind, RuleSet};
use crate::assess::yield_stats::YieldReport;
use crate::store::SupplierId;
use crate::tui::data::{Dimensions, Fresh, Load, Write, YieldQuery};
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::{Cursor, cycle};
use crate::tui::message::Message;
use crate::tui::theme::{Theme, Tone};
use crate::tui::widgets::pct;

/// What the query found.
#[derive(Debug)]
pub enum Loaded {
    Report(Box<YieldReport>),
    NoLots,
    Failed(String),
}

pub struct YieldScreen {
    id: SupplierId,
    code: String,
    name: String,
    dims: Dimensions,
    pub query: YieldQuery,
    /// Start of the policy's yield window: what "recent" means.
    window_start: NaiveDate,
    pub loaded: Loaded,
    plot: Plot,
    cursor: Cursor,
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
    /// Start of the policy's yield window.
    pub window_start: NaiveDate,
}

impl YieldScreen {
    /// The screen over the policy's window and chart; its lots load next.
    pub fn new(setup: YieldSetup) -> Self {
        let YieldSetup { supplier, code, name, dims, chart, rules, window_start } = setup;
        let query = YieldQuery { process: None, material: None, sku: None, since: Some(window_start), chart, rules };
        Self {
            id: supplier,
            code,
            name,
            dims,
            query,
            window_start,
            loaded: Loaded::NoLots,
            plot: Plot::default(),
            cursor: Cursor::default(),
            stale: true,
        }
    }

    fn on_message(&mut self, msg: Message, view: View<'_>) -> Outcome {
        let q = &mut self.query;
        match msg {
            Message::ToggleChart => q.chart = if q.chart == ChartKind::P { ChartKind::Laney } else { ChartKind::P },
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
            other => {
                self.cursor.apply(other);
                return Outcome::None;
            }
        }
        Outcome::Load(Load::Yield(self.id, self.query.clone()))
    }

    fn take(&mut self, found: std::result::Result<Option<Box<YieldReport>>, String>) {
        self.stale = false;
        self.loaded = match found {
            Ok(Some(report)) => Loaded::Report(report),
            Ok(None) => Loaded::NoLots,
            Err(e) => Loaded::Failed(e),
        };
        self.plot = match &self.loaded {
            Loaded::Report(report) => Plot::new(report),
            _ => Plot::default(),
        };
        self.cursor.set_len(self.plot.violations.len());
    }

    fn render_all(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let theme = view.theme;
        let [head, body] = Layout::vertical([Constraint::Length(4), Constraint::Fill(1)]).areas(area);
        self.render_header(frame, head, theme);
        let report = match &self.loaded {
            Loaded::Report(report) => report,
            Loaded::NoLots => {
                let text = "No lots match: try another process, material or SKU (x clears them), or all lots (w).";
                return frame.render_widget(Line::styled(text, theme.dim()), body);
            }
            Loaded::Failed(e) => return frame.render_widget(Line::styled(e.clone(), theme.tone(Tone::Bad)), body),
        };
        let [top, bottom] = Layout::vertical([Constraint::Percentage(60), Constraint::Fill(1)]).areas(body);
        let side = if area.width >= 100 { 44 } else { 32 };
        let [chart, list] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(side)]).areas(top);
        charts::render_chart(frame, chart, &self.plot, report, theme);
        charts::render_violations(frame, list, &self.plot, report.rules, &self.cursor, theme);
        let [pareto, months] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(side)]).areas(bottom);
        charts::render_pareto(frame, pareto, report, theme);
        charts::render_months(frame, months, report, theme);
    }

    fn render_header(&self, frame: &mut Frame, area: Rect, theme: Theme) {
        let q = &self.query;
        let chart = match q.chart {
            ChartKind::P => "p (classical limits)",
            ChartKind::Laney => "Laney p′ (limits × σ_z)",
        };
        let rules = match q.rules {
            RuleSet::Attribute => "attribute (beyond 3σ, nine in a row)",
            RuleSet::WesternElectric => "Western Electric (beyond 3σ, 2 of 3 > 2σ, 4 of 5 > 1σ, eight in a row)",
        };
        let window = q.since.map_or_else(|| "all lots".to_owned(), |d| format!("lots since {d}"));
        let all = |value: Option<String>| value.unwrap_or_else(|| "all".to_owned());
        let filters = format!(
            "{window} · process {} · material {} · SKU {}",
            all(q.process.map(|p| p.to_string())),
            all(q.material.clone()),
            all(q.sku.clone())
        );
        let mut lines = vec![
            Line::styled(format!("{} · {}", self.code, self.name), theme.title()),
            Line::from(vec![
                Span::styled("chart ", theme.dim()),
                Span::styled(chart, theme.header()),
                Span::styled(" · rules ", theme.dim()),
                Span::styled(rules, theme.header()),
            ]),
            Line::raw(filters),
        ];
        if let Loaded::Report(r) = &self.loaded {
            lines.push(summary_line(r, theme));
        }
        frame.render_widget(lines.into_iter().collect::<ratatui::text::Text<'_>>(), area);
    }
}

impl Screen for YieldScreen {
    fn keys(&self) -> &'static KeyMap {
        &keys::YIELD
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

fn summary_line(r: &YieldReport, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(format!(
        "{} lots · FPY {} · p̄ {} · σ_z {} · {} violation(s)",
        r.lots.len(),
        pct(r.rates.fpy),
        pct(r.center),
        r.sigma_z.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}")),
        r.violations.len()
    ))];
    if r.overdispersed && r.chart == ChartKind::P {
        spans.push(Span::styled(" · too tight for these lots: try Laney p′ (c)", theme.tone(Tone::Warn)));
    }
    Line::from(spans)
}
