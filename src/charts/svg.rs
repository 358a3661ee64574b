//! A control chart as a standalone SVG document: every lot one mark, the
//! limits as steps (they follow each lot's size), the centre line, the
//! lots that broke a rule drawn as diamonds and labelled with the rule,
//! lots left out for an assignable cause as hollow squares, and a title
//! that names the supplier, the chart, the rules, the window and where the
//! limits come from. Shapes and dash patterns, not colours, tell the parts
//! apart, so a grey print reads the same.
//!
//! [`render`] is pure (a model in, a string out): the CLI writes it to a
//! file and the reports embed it as it is.

use std::fmt::Write as _;

use super::svg_words::{esc, heading_text, marks, tooltip, violation_text, wrap};
use super::{ChartModel, axis_name, center_symbol, format_value, ticks, value_range, whole};
use crate::assess::yield_stats::{LimitsSource, LotPoint};

/// Size of the drawing. The width grows past `width` when the lots need it
/// (each lot gets at least [`MIN_STEP`] pixels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SvgOptions {
    pub width: u32,
    /// Height of the plot area itself; the title, axis, legend and the list
    /// of violations are added around it.
    pub plot_height: u32,
}

impl Default for SvgOptions {
    fn default() -> Self {
        Self { width: 960, plot_height: 360 }
    }
}

/// Horizontal pixels per lot, at least.
pub const MIN_STEP: f64 = 6.0;

const LEFT: f64 = 78.0;
const RIGHT: f64 = 110.0;
const LINE: f64 = 17.0;
const INK: &str = "#24292f";
const CENTRE: &str = "#1a7f37";
const LIMIT: &str = "#9a4d00";
const BROKEN: &str = "#c62828";
const GRID: &str = "#d0d7de";

/// The chart as an SVG document (UTF-8, with an XML declaration).
pub fn render(chart: &ChartModel<'_>, options: &SvgOptions) -> String {
    let frame = Frame::new(chart, options);
    let mut svg = String::with_capacity(4096 + chart.report.lots.len() * 400);
    let _ = write!(
        svg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"DejaVu Sans, Arial, \
         sans-serif\" font-size=\"12\">\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
        esc(&chart.title()),
        w = frame.width,
        h = frame.height
    );
    heading(&mut svg, chart, &frame);
    if chart.report.lots.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{LEFT}\" y=\"{:.1}\">No lots match: nothing to chart.</text>",
            frame.top + frame.plot_h / 2.0
        );
    } else {
        axes(&mut svg, chart, &frame);
        limit_lines(&mut svg, chart, &frame);
        lots(&mut svg, chart, &frame);
    }
    legend(&mut svg, chart, &frame);
    violation_list(&mut svg, chart, &frame);
    svg.push_str("</svg>\n");
    svg
}

/// Where things go: the plot's box and the y scale.
struct Frame {
    width: f64,
    height: f64,
    top: f64,
    plot_w: f64,
    plot_h: f64,
    step: f64,
    lo: f64,
    hi: f64,
    heading_lines: Vec<String>,
    list_lines: Vec<String>,
}

impl Frame {
    fn new(chart: &ChartModel<'_>, options: &SvgOptions) -> Self {
        let n = chart.report.lots.len().max(1) as f64;
        let plot_w = (f64::from(options.width) - LEFT - RIGHT).max(n * MIN_STEP).max(200.0);
        let width = plot_w + LEFT + RIGHT;
        let columns = whole((width - 2.0 * 16.0) / 7.4);
        let heading_lines = heading_text(chart).iter().flat_map(|l| wrap(l, columns)).collect::<Vec<_>>();
        let list_lines = violation_text(chart).iter().flat_map(|l| wrap(l, columns)).collect::<Vec<_>>();
        let top = 34.0 + heading_lines.len() as f64 * LINE + 14.0;
        let plot_h = f64::from(options.plot_height.max(120));
        let height = top + plot_h + 48.0 + 2.0 * LINE + list_lines.len() as f64 * LINE + 16.0;
        let (lo, hi) = value_range(chart.report);
        Self { width, height, top, plot_w, plot_h, step: plot_w / n, lo, hi, heading_lines, list_lines }
    }

    fn x(&self, index: usize) -> f64 {
        LEFT + (index as f64 + 0.5) * self.step
    }

    fn y(&self, value: f64) -> f64 {
        self.top + self.plot_h * (1.0 - (value - self.lo) / (self.hi - self.lo))
    }

    fn bottom(&self) -> f64 {
        self.top + self.plot_h
    }
}

fn heading(svg: &mut String, chart: &ChartModel<'_>, frame: &Frame) {
    let _ =
        writeln!(svg, "<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\">{}</text>", esc(&chart.title()));
    for (i, line) in frame.heading_lines.iter().enumerate() {
        let _ =
            writeln!(svg, "<text x=\"16\" y=\"{:.1}\" fill=\"#444c56\">{}</text>", 46.0 + i as f64 * LINE, esc(line));
    }
}

fn axes(svg: &mut String, chart: &ChartModel<'_>, frame: &Frame) {
    let statistic = chart.statistic();
    let (left, right, bottom) = (LEFT, LEFT + frame.plot_w, frame.bottom());
    svg.push_str("<g class=\"axes\">\n");
    for value in ticks(frame.lo, frame.hi, 6) {
        let y = frame.y(value);
        let _ = writeln!(
            svg,
            "<line x1=\"{left:.1}\" y1=\"{y:.1}\" x2=\"{right:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\" \
             stroke-width=\"0.6\"/><text class=\"y-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + 4.0,
            format_value(statistic, value)
        );
    }
    let _ = writeln!(
        svg,
        "<rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"{INK}\" \
         stroke-width=\"0.8\"/>",
        frame.top, frame.plot_w, frame.plot_h
    );
    let _ = writeln!(
        svg,
        "<text x=\"14\" y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">{}</text>",
        frame.top + frame.plot_h / 2.0,
        frame.top + frame.plot_h / 2.0,
        axis_name(statistic)
    );
    let lots = &chart.report.lots;
    let every = whole((lots.len() as f64 / (frame.plot_w / 90.0).max(1.0)).ceil()).max(1);
    for (i, lot) in lots.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let x = frame.x(i);
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{bottom:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/><text \
             class=\"x-label\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            bottom + 4.0,
            bottom + 17.0,
            lot.produced_on
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444c56\">lots in production order, \
         one mark each ({} lots)</text>",
        LEFT + frame.plot_w / 2.0,
        bottom + 34.0,
        lots.len()
    );
    svg.push_str("</g>\n");
}

/// Centre line, and each limit as a step per lot.
fn limit_lines(svg: &mut String, chart: &ChartModel<'_>, frame: &Frame) {
    let report = chart.report;
    let statistic = chart.statistic();
    let half = frame.step / 2.0;
    let (first, last) = (LEFT, LEFT + frame.plot_w);
    if let Some(center) = report.center {
        let y = frame.y(center);
        let _ = writeln!(
            svg,
            "<line class=\"centre\" x1=\"{first:.1}\" y1=\"{y:.1}\" x2=\"{last:.1}\" y2=\"{y:.1}\" \
             stroke=\"{CENTRE}\" stroke-width=\"1.6\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{CENTRE}\">{} {}</text>",
            last + 6.0,
            y + 4.0,
            center_symbol(statistic),
            format_value(statistic, center)
        );
    }
    for (class, name, pick) in [("ucl", "UCL", true), ("lcl", "LCL", false)] {
        let limit = |lot: &LotPoint| {
            let v = if pick { lot.chart.ucl } else { lot.chart.lcl };
            frame.y(v.min(frame.hi).max(frame.lo))
        };
        let mut d = String::new();
        for (i, lot) in report.lots.iter().enumerate() {
            let (x, y) = (frame.x(i), limit(lot));
            let _ = if i == 0 {
                write!(d, "M{:.1} {y:.1}H{:.1}", x - half, x + half)
            } else {
                write!(d, "V{y:.1}H{:.1}", x + half)
            };
        }
        let end = report.lots.last().map_or(0.0, |lot| if pick { lot.chart.ucl } else { lot.chart.lcl });
        let _ = writeln!(
            svg,
            "<path class=\"{class}\" d=\"{d}\" fill=\"none\" stroke=\"{LIMIT}\" stroke-width=\"1.3\" \
             stroke-dasharray=\"6 3\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{LIMIT}\">{name} {}</text>",
            last + 6.0,
            frame.y(end.min(frame.hi).max(frame.lo)) + 4.0,
            format_value(statistic, end)
        );
    }
    phase_boundary(svg, chart, frame);
}

/// With frozen limits, a dotted line after the last baseline lot.
fn phase_boundary(svg: &mut String, chart: &ChartModel<'_>, frame: &Frame) {
    let report = chart.report;
    let until = match (report.limits_from.source, &report.limits_from.plan) {
        (LimitsSource::Plan, Some(plan)) => Some(plan.baseline_until),
        (LimitsSource::Baseline, _) => chart.baseline_until,
        _ => None,
    };
    let Some(until) = until else { return };
    let judged = report.lots.partition_point(|lot| lot.produced_on <= until);
    if judged == 0 || judged >= report.lots.len() {
        return;
    }
    let x = LEFT + judged as f64 * frame.step;
    let _ = writeln!(
        svg,
        "<line class=\"phase\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" \
         stroke-dasharray=\"2 3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">baseline to {until} | judged \
         against its limits →</text>",
        frame.top,
        frame.bottom(),
        x + 4.0,
        frame.top + 12.0
    );
}

fn lots(svg: &mut String, chart: &ChartModel<'_>, frame: &Frame) {
    let report = chart.report;
    let statistic = chart.statistic();
    let mut path = String::new();
    for (i, lot) in report.lots.iter().enumerate() {
        let _ = write!(path, "{}{:.1} {:.1}", if i == 0 { "M" } else { "L" }, frame.x(i), frame.y(lot.chart.value));
    }
    let _ = writeln!(svg, "<path d=\"{path}\" fill=\"none\" stroke=\"#8c959f\" stroke-width=\"0.7\"/>");
    svg.push_str("<g class=\"lots\">\n");
    for ((i, lot), rules) in report.lots.iter().enumerate().zip(chart.rules_at()) {
        let (x, y) = (frame.x(i), frame.y(lot.chart.value));
        let tip = esc(&tooltip(lot, &rules, statistic));
        let code = esc(&lot.lot);
        let r = (frame.step * 0.4).clamp(2.0, 4.0);
        if lot.excluded() {
            let _ = writeln!(
                svg,
                "<rect class=\"mark excluded\" data-lot=\"{code}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
                 height=\"{:.1}\" fill=\"#ffffff\" stroke=\"{INK}\" stroke-width=\"1.4\"><title>{tip}</title></rect>",
                x - r,
                y - r,
                2.0 * r,
                2.0 * r
            );
        } else if rules.is_empty() {
            let _ = writeln!(
                svg,
                "<circle class=\"mark lot\" data-lot=\"{code}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{:.1}\" \
                 fill=\"{INK}\"><title>{tip}</title></circle>",
                r * 0.8
            );
        } else {
            let d = r * 1.5;
            let _ = writeln!(
                svg,
                "<path class=\"mark violation\" data-lot=\"{code}\" d=\"M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} \
                 {:.1}L{:.1} {y:.1}Z\" fill=\"{BROKEN}\" stroke=\"{INK}\" stroke-width=\"0.8\"><title>{tip}</title></path>",
                y - d,
                x + d,
                y + d,
                x - d
            );
            let above = lot.chart.z.is_none_or(|z| z >= 0.0);
            let ly = if above { y - d - 3.0 } else { y + d + 11.0 };
            let _ = writeln!(
                svg,
                "<text class=\"violation-label\" x=\"{x:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" font-size=\"10\" \
                 fill=\"{BROKEN}\">{}</text>",
                esc(&marks(&rules))
            );
        }
    }
    svg.push_str("</g>\n");
}

fn legend(svg: &mut String, chart: &ChartModel<'_>, frame: &Frame) {
    let y = frame.bottom() + 56.0;
    let statistic = chart.statistic();
    let mut x = LEFT;
    let _ = write!(
        svg,
        "<g class=\"legend\">\n<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{INK}\"/><text x=\"{:.1}\" \
         y=\"{y:.1}\">lot</text>\n",
        x + 4.0,
        y - 4.0,
        x + 12.0
    );
    x += 50.0;
    let _ = writeln!(
        svg,
        "<path d=\"M{:.1} {:.1}l6 6l-6 6l-6 -6Z\" fill=\"{BROKEN}\" stroke=\"{INK}\" stroke-width=\"0.8\"/><text \
         x=\"{:.1}\" y=\"{y:.1}\">rule broken (labelled with its mark)</text>",
        x + 6.0,
        y - 10.0,
        x + 16.0
    );
    x += 240.0;
    let _ = writeln!(
        svg,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"#ffffff\" stroke=\"{INK}\" \
         stroke-width=\"1.4\"/><text x=\"{:.1}\" y=\"{y:.1}\">left out of the limits (assignable cause)</text>",
        x,
        y - 8.0,
        x + 14.0
    );
    let y2 = y + LINE;
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{CENTRE}\" stroke-width=\"1.6\"/><text \
         x=\"{:.1}\" y=\"{y2:.1}\">centre line {} (solid)</text>",
        y2 - 4.0,
        LEFT + 26.0,
        y2 - 4.0,
        LEFT + 32.0,
        center_symbol(statistic)
    );
    let _ = write!(
        svg,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{LIMIT}\" stroke-width=\"1.3\" \
         stroke-dasharray=\"6 3\"/><text x=\"{:.1}\" y=\"{y2:.1}\">control limits UCL / LCL (dashed steps: each \
         lot's own)</text>\n</g>\n",
        LEFT + 190.0,
        y2 - 4.0,
        LEFT + 216.0,
        y2 - 4.0,
        LEFT + 222.0
    );
}

fn violation_list(svg: &mut String, _chart: &ChartModel<'_>, frame: &Frame) {
    let top = frame.bottom() + 56.0 + 2.0 * LINE + 4.0;
    svg.push_str("<g class=\"violations\">\n");
    for (i, line) in frame.list_lines.iter().enumerate() {
        let _ = writeln!(svg, "<text x=\"16\" y=\"{:.1}\">{}</text>", top + i as f64 * LINE, esc(line));
    }
    svg.push_str("</g>\n");
}
