//! Drawings in reports. The yield chart is the one `casebook yield --format
//! svg` draws; this is its only call site in the reports, so both formats
//! embed the same SVG (HTML inline, PDF as an SVG image).

use crate::assess::yield_stats::YieldReport;

/// The p-chart (or Laney p′) of `report` as an SVG document, or `None` when
/// there is nothing to draw or this build has no chart drawing.
pub fn yield_chart(report: &YieldReport) -> Option<String> {
    // The shared SVG chart module is not part of this build yet; until it
    // is, the report shows the figures and says the drawing is missing.
    let _ = report;
    None
}
