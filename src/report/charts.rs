//! Drawings in reports. The yield chart is the one `casebook yield --format
//! svg` draws (`crate::charts::svg`); this is its only call site in the
//! reports, so both formats embed the same SVG (HTML inline, PDF as an SVG
//! image).

use crate::assess::yield_stats::YieldReport;
use crate::charts::svg::{self, SvgOptions};
use crate::charts::{ChartModel, Window};

/// The p-chart (or Laney p′) of `report` as an SVG document, `None` when
/// there is no lot to draw.
pub fn yield_chart(supplier: &str, report: &YieldReport, window: Window) -> Option<String> {
    if report.lots.is_empty() {
        return None;
    }
    let model = ChartModel { supplier, report, window, narrowed: &[], baseline_until: None };
    Some(svg::render(&model, &SvgOptions::default()))
}
