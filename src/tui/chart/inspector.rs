//! The lot under the chart's cursor, in full: lot, date, SKU, process,
//! material, units started and nonconforming (or defects), its value, its
//! limits and z, the rules it broke, its defects by code, and the
//! assignable cause noted for it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::assess::spc::{Rule, Statistic};
use crate::assess::yield_stats::LotPoint;
use crate::charts::format_value;
use crate::model::Lot;
use crate::tui::theme::{Theme, Tone};

pub struct Inspector<'a> {
    pub point: &'a LotPoint,
    /// The lot's record (SKU, process, material, defects).
    pub lot: Option<&'a Lot>,
    pub rules: &'a [Rule],
    pub statistic: Statistic,
    pub theme: Theme,
}

impl Inspector<'_> {
    fn lines(&self) -> Vec<Line<'static>> {
        let (p, t, s) = (self.point, self.theme, self.statistic);
        let value = |v: f64| format_value(s, v);
        let z = p
            .chart
            .z
            .map_or_else(|| if p.chart.rule_z() > 0.0 { "+∞".into() } else { "−∞".into() }, |z| format!("{z:+.2}"));
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("lot {}", p.lot), t.title()),
            Span::raw(format!("  {}", p.produced_on)),
        ])];
        if let Some(lot) = self.lot {
            lines.push(Line::raw(format!("SKU {} · {} · {}", lot.sku, lot.process, lot.material)));
        }
        lines.push(Line::raw(format!("started {} · {} {}", p.started, s.count_name(), p.count)));
        lines.push(Line::raw(format!(
            "{} {} · limits {} … {} · z {z}",
            s.name(),
            value(p.chart.value),
            value(p.chart.lcl),
            value(p.chart.ucl)
        )));
        let rules = if self.rules.is_empty() {
            Span::styled("rules: none broken", t.dim())
        } else {
            let names: Vec<&str> = self.rules.iter().map(|r| r.as_str()).collect();
            Span::styled(format!("rules: {}", names.join(", ")), t.tone(Tone::Bad))
        };
        lines.push(Line::from(rules));
        if let Some(a) = &p.annotation {
            let state = if a.excluded { "excluded from the limits" } else { "kept in the limits" };
            lines.push(Line::styled(format!("cause: {} ({state})", a.cause), t.tone(Tone::Warn)));
            if let Some(action) = &a.action {
                lines.push(Line::raw(format!("action: {action}")));
            }
            lines.push(Line::styled(format!("noted {} by {}", a.noted_on, a.noted_by), t.dim()));
        }
        if let Some(lot) = self.lot {
            let defects = if lot.defects.is_empty() {
                "defects: none recorded".to_owned()
            } else {
                let mut by_count: Vec<&(String, u32)> = lot.defects.iter().collect();
                by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let list: Vec<String> = by_count.iter().map(|(code, n)| format!("{code} {n}")).collect();
                format!("defects: {}", list.join(", "))
            };
            lines.push(Line::raw(defects));
        }
        lines
    }
}

impl Widget for Inspector<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Paragraph::new(Text::from(self.lines())).wrap(Wrap { trim: true }).render(area, buf);
    }
}
