//! Text and CSV for one supplier's yield report, laid out for an 80-column
//! terminal: fractions as percentages with one decimal, and each rule broken
//! marked on its lot with a short mark explained under the table.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

use unicode_width::UnicodeWidthStr;

use crate::assess::spc::{ChartKind, ChartPoint, Rule, RuleSet, Statistic};
use crate::assess::yield_stats::YieldReport;
use crate::charts::{ChartModel, format_value};
use crate::cli::output::Table;
use crate::error::Result;

/// Where wrapped summary values continue.
const INDENT: &str = "              ";

pub(super) fn print_report(model: &ChartModel<'_>, out: &mut dyn Write) -> Result<()> {
    let report = model.report;
    let mut text = heading(model);
    text += &lot_table(report).render();
    text += &summary(model);
    text += &pareto(report);
    text += &months(report);
    text += &rty(report);
    // Lot codes, SKUs and materials are people's text: no control sequences.
    out.write_all(crate::exchange::cells::terminal(&text).as_bytes())?;
    Ok(())
}

/// The voided lots the filters select: listed, marked, counted nowhere.
pub(super) fn voided_lots(voided: &[crate::store::VoidedLot], out: &mut dyn Write) -> Result<()> {
    if voided.is_empty() {
        return Ok(());
    }
    let mut text = format!("\nvoided lots ({}; in no statistic above):\n", voided.len());
    for v in voided {
        let l = &v.lot;
        let _ = writeln!(
            text,
            "  VOIDED {} {}  {} of {} passed first time — voided {} by {}: {}",
            l.lot, l.produced_on, l.passed_first, l.started, v.voided.at, v.voided.by, v.voided.reason
        );
    }
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// One row per lot, full precision, rule ids separated by `;`.
pub(super) fn lots_csv(report: &YieldReport, out: &mut dyn Write) -> Result<()> {
    let rules = rules_by_lot(report, Rule::as_str, ";");
    let statistic = report.chart.statistic();
    let mut table = Table::new(&[
        "lot",
        "produced_on",
        "started",
        statistic.count_name(),
        statistic.name(),
        "lcl",
        "ucl",
        "z",
        "violations",
        "excluded",
        "cause",
    ]);
    for lot in &report.lots {
        let c = &lot.chart;
        table.push(vec![
            lot.lot.clone(),
            lot.produced_on.to_string(),
            lot.started.to_string(),
            lot.count.to_string(),
            c.value.to_string(),
            c.lcl.to_string(),
            c.ucl.to_string(),
            c.z.map(|z| z.to_string()).unwrap_or_default(),
            rules.get(lot.lot.as_str()).cloned().unwrap_or_default(),
            lot.excluded().to_string(),
            lot.annotation.as_ref().map(|a| a.cause.clone()).unwrap_or_default(),
        ]);
    }
    table.write_csv(out)
}

fn heading(model: &ChartModel<'_>) -> String {
    let report = model.report;
    let span = match (report.lots.first(), report.lots.last()) {
        (Some(first), Some(last)) => format!("{} … {}", first.produced_on, last.produced_on),
        _ => "none".to_owned(),
    };
    let narrowed = if model.narrowed.is_empty() { String::new() } else { format!(" ({})", model.narrowed.join(", ")) };
    let text = format!("{}: {} lots, produced {span}{narrowed}", model.supplier, report.lots.len());
    format!(
        "{}\n{}\n{}\n{}\n\n",
        wrap(&text, "  "),
        wrap(&format!("window: {}", model.window.describe()), "        "),
        chart_line(report.chart),
        rules_line(report.rules)
    )
}

pub(super) fn chart_line(kind: ChartKind) -> String {
    wrap(&format!("chart: {kind} ({})", kind.describe()), "       ")
}

/// The rule set and the marks its rules get, wrapped to 80 columns.
pub(super) fn rules_line(rules: RuleSet) -> String {
    let legend: Vec<String> = rules.rules().iter().map(|&rule| format!("{} = {rule}", rule.mark())).collect();
    wrap(&format!("rules: {rules} ({})", legend.join(", ")), "       ")
}

/// Breaks `text` at spaces so no line passes 80 columns.
fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for (i, word) in text.split(' ').enumerate() {
        let length = word.chars().count();
        if i > 0 && !word.is_empty() && width + 1 + length > 80 {
            out.push('\n');
            out.push_str(indent);
            width = indent.chars().count();
        } else if i > 0 {
            out.push(' ');
            width += 1;
        }
        out.push_str(word);
        width += length;
    }
    out
}

/// Each violating lot's rules, written by `word` and joined by `separator`.
fn rules_by_lot<'r>(
    report: &'r YieldReport,
    word: fn(Rule) -> &'static str,
    separator: &str,
) -> HashMap<&'r str, String> {
    let mut marks: HashMap<&str, String> = HashMap::new();
    for violation in &report.violations {
        let text = marks.entry(violation.lot.as_str()).or_default();
        if !text.is_empty() {
            text.push_str(separator);
        }
        text.push_str(word(violation.rule));
    }
    marks
}

fn lot_table(report: &YieldReport) -> Table {
    let marks = rules_by_lot(report, Rule::mark, ",");
    let statistic = report.chart.statistic();
    let count = if statistic == Statistic::Rate { "defects" } else { "nonconf" };
    let mut table = Table::new(&["lot", "produced", "started", count, statistic.name(), "LCL", "UCL", "z", "rule"])
        .right_aligned(&[2, 3, 4, 5, 6, 7]);
    let value = |v: f64| format_value(statistic, v);
    for lot in &report.lots {
        let c = &lot.chart;
        let broken = marks.get(lot.lot.as_str()).cloned().unwrap_or_default();
        let rule = match (lot.excluded(), lot.annotation.is_some()) {
            (true, _) => "excluded".to_owned(),
            (false, true) if broken.is_empty() => "noted".to_owned(),
            (false, true) => format!("{broken} noted"),
            (false, false) => broken,
        };
        table.push(vec![
            lot.lot.clone(),
            lot.produced_on.to_string(),
            lot.started.to_string(),
            lot.count.to_string(),
            value(c.value),
            value(c.lcl),
            value(c.ucl),
            z_text(c),
            rule,
        ]);
    }
    table
}

fn summary(model: &ChartModel<'_>) -> String {
    let report = model.report;
    let basis = model.limits_text();
    let mut sigma_z = sigma_z_text(report);
    if report.overdispersed {
        let laney = if report.chart.counts_defects() { "laney-u" } else { "laney" };
        let _ = write!(
            sigma_z,
            "; over-dispersed: lots vary more than the classical limits allow, so these limits are too tight \
             (try --chart {laney})"
        );
    }
    let r = &report.rates;
    let rates =
        format!("{}   rework {}   scrap {}", opt_pct(r.fpy, 1), opt_pct(r.rework_rate, 1), opt_pct(r.scrap_rate, 1));
    let lines = [
        ("limits", basis),
        (centre_label(report.chart.statistic()), centre_text(report)),
        ("σ_z", sigma_z),
        ("violations", violation_counts(report)),
        ("FPY", rates),
    ];
    let lines: Vec<String> = lines
        .iter()
        .map(|(label, value)| {
            // Padded by display width: the macron of p̄ takes no column.
            let pad = " ".repeat(10_usize.saturating_sub(label.width()));
            wrap(&format!("  {label}{pad}  {value}"), INDENT)
        })
        .collect();
    format!("\nSummary ({}, {} rules)\n{}\n", report.chart, report.rules, lines.join("\n"))
}

fn centre_label(statistic: Statistic) -> &'static str {
    match statistic {
        Statistic::Fraction => "centre p̄",
        Statistic::Count => "centre np̄",
        Statistic::Rate => "centre ū",
    }
}

fn centre_text(report: &YieldReport) -> String {
    match (report.center, report.chart.statistic()) {
        (None, _) => "—".to_owned(),
        (Some(c), Statistic::Fraction) => format!("{:.2}%", c * 100.0),
        (Some(c), Statistic::Count) => format!("{c:.2} units per lot"),
        (Some(c), Statistic::Rate) => format!("{c:.4} defects per unit"),
    }
}

fn sigma_z_text(report: &YieldReport) -> String {
    match report.sigma_z {
        Some(_) if report.moving_ranges == 0 => "1 (assumed: fewer than two lots)".to_owned(),
        Some(sigma_z) => format!("{sigma_z:.2} (from {} moving ranges)", report.moving_ranges),
        None => "—".to_owned(),
    }
}

/// "3 beyond-3-sigma, 1 nine-in-a-row on 4 lots", in rule-set order.
fn violation_counts(report: &YieldReport) -> String {
    if report.violations.is_empty() {
        return format!("none ({} rules)", report.rules);
    }
    let counts: Vec<String> = report
        .rules
        .rules()
        .iter()
        .map(|&rule| (rule, report.violations.iter().filter(|v| v.rule == rule).count()))
        .filter(|&(_, n)| n > 0)
        .map(|(rule, n)| format!("{n} {rule}"))
        .collect();
    let lots = rules_by_lot(report, Rule::as_str, "").len();
    format!("{} on {lots} lots", counts.join(", "))
}

fn pareto(report: &YieldReport) -> String {
    if report.pareto.is_empty() {
        return "\nDefect Pareto: no defect counts recorded\n".to_owned();
    }
    let mut table = Table::new(&["defect", "count", "share", "cumulative"]).right_aligned(&[1, 2, 3]);
    for row in &report.pareto {
        table.push(vec![row.code.clone(), row.count.to_string(), pct(row.share), pct(row.cumulative_share)]);
    }
    format!("\nDefect Pareto\n{}", table.render())
}

fn months(report: &YieldReport) -> String {
    let mut table = Table::new(&["month", "lots", "started", "passed first", "FPY"]).right_aligned(&[1, 2, 3, 4]);
    for m in &report.fpy_by_month {
        table.push(vec![
            m.month.clone(),
            m.lots.to_string(),
            m.started.to_string(),
            m.passed_first.to_string(),
            pct(m.fpy),
        ]);
    }
    format!("\nFPY by month\n{}", table.render())
}

/// One row per process step; the SKU and its RTY on its first step.
fn rty(report: &YieldReport) -> String {
    let mut table = Table::new(&["SKU", "RTY", "process", "lots", "started", "FPY"]).right_aligned(&[1, 3, 4, 5]);
    for sku in &report.rty_by_sku {
        for (i, step) in sku.steps.iter().enumerate() {
            let (name, rty) = if i == 0 { (sku.sku.clone(), pct(sku.rty)) } else { (String::new(), String::new()) };
            table.push(vec![
                name,
                rty,
                step.process.to_string(),
                step.lots.to_string(),
                step.started.to_string(),
                pct(step.fpy),
            ]);
        }
    }
    format!("\nRTY by SKU (product of the steps' FPY)\n{}", table.render())
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn opt_pct(share: Option<f64>, decimals: usize) -> String {
    share.map_or_else(|| "—".to_owned(), |s| format!("{:.*}%", decimals, s * 100.0))
}

/// z with a sign; a point off a zero-width centre line is infinitely far.
fn z_text(point: &ChartPoint) -> String {
    let z = point.rule_z();
    if z.is_infinite() { (if z > 0.0 { "+∞" } else { "−∞" }).to_owned() } else { format!("{z:+.2}") }
}
