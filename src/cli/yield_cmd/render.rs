//! Text and CSV for one supplier's yield report, laid out for an 80-column
//! terminal: fractions as percentages with one decimal, and each rule broken
//! marked on its lot with a short mark explained under the table.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

use unicode_width::UnicodeWidthStr;

use super::Filters;
use crate::assess::spc::{ChartKind, ChartPoint, Rule, RuleSet};
use crate::assess::yield_stats::YieldReport;
use crate::cli::output::Table;
use crate::error::Result;

/// Where wrapped summary values continue.
const INDENT: &str = "              ";

pub(super) fn print_report(
    code: &str,
    filters: &Filters<'_>,
    report: &YieldReport,
    voided: &[crate::store::VoidedLot],
) -> Result<()> {
    let mut text = heading(code, filters, report);
    text += &lot_table(report).render();
    text += &voided_lots(voided);
    text += &summary(report, filters);
    text += &pareto(report);
    text += &months(report);
    text += &rty(report);
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// The voided lots the filters select: listed, marked, counted nowhere.
fn voided_lots(voided: &[crate::store::VoidedLot]) -> String {
    if voided.is_empty() {
        return String::new();
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
    text
}

/// One row per lot, full precision, rule ids separated by `;`.
pub(super) fn lots_csv(report: &YieldReport) -> Result<()> {
    let rules = rules_by_lot(report, Rule::as_str, ";");
    let mut table =
        Table::new(&["lot", "produced_on", "started", "nonconforming", "p", "lcl", "ucl", "z", "violations"]);
    for lot in &report.lots {
        let c = &lot.chart;
        table.push(vec![
            lot.lot.clone(),
            lot.produced_on.to_string(),
            lot.started.to_string(),
            lot.nonconforming.to_string(),
            c.p.to_string(),
            c.lcl.to_string(),
            c.ucl.to_string(),
            c.z.map(|z| z.to_string()).unwrap_or_default(),
            rules.get(lot.lot.as_str()).cloned().unwrap_or_default(),
        ]);
    }
    table.write_csv(&mut std::io::stdout().lock())
}

fn heading(code: &str, filters: &Filters<'_>, report: &YieldReport) -> String {
    let mut narrowed: Vec<String> = Vec::new();
    if let Some(process) = filters.process {
        narrowed.push(format!("process {process}"));
    }
    if let Some(material) = filters.material {
        narrowed.push(format!("material {material}"));
    }
    if let Some(sku) = filters.sku {
        narrowed.push(format!("SKU {sku}"));
    }
    let span = match (report.lots.first(), report.lots.last()) {
        (Some(first), Some(last)) => format!("{} … {}", first.produced_on, last.produced_on),
        _ => "none".to_owned(),
    };
    let narrowed = if narrowed.is_empty() { String::new() } else { format!(" ({})", narrowed.join(", ")) };
    let text = format!("{code}: {} lots, produced {span}{narrowed}", report.lots.len());
    format!("{}\n{}\n{}\n\n", wrap(&text, "  "), chart_line(report.chart), rules_line(report.rules))
}

pub(super) fn chart_line(kind: ChartKind) -> String {
    let words = match kind {
        ChartKind::P => "classical p-chart, limits p̄ ± 3σ_i",
        ChartKind::Laney => "Laney p′ chart, limits p̄ ± 3σ_i·σ_z",
    };
    format!("chart: {kind} ({words})")
}

/// The rule set and the marks its rules get, wrapped to 80 columns.
pub(super) fn rules_line(rules: RuleSet) -> String {
    let legend: Vec<String> = rules.rules().iter().map(|&rule| format!("{} = {rule}", mark(rule))).collect();
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

/// A few characters for the rule column.
fn mark(rule: Rule) -> &'static str {
    match rule {
        Rule::Beyond3Sigma => "3σ",
        Rule::NineInARow => "9R",
        Rule::EightInARow => "8R",
        Rule::TwoOfThreeBeyond2Sigma => "2/3",
        Rule::FourOfFiveBeyond1Sigma => "4/5",
    }
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
    let marks = rules_by_lot(report, mark, ",");
    let mut table = Table::new(&["lot", "produced", "started", "nonconf", "p", "LCL", "UCL", "z", "rule"])
        .right_aligned(&[2, 3, 4, 5, 6, 7]);
    for lot in &report.lots {
        let c = &lot.chart;
        table.push(vec![
            lot.lot.clone(),
            lot.produced_on.to_string(),
            lot.started.to_string(),
            lot.nonconforming.to_string(),
            pct(c.p),
            pct(c.lcl),
            pct(c.ucl),
            z_text(c),
            marks.get(lot.lot.as_str()).cloned().unwrap_or_default(),
        ]);
    }
    table
}

fn summary(report: &YieldReport, filters: &Filters<'_>) -> String {
    let basis = match (report.baseline_lots, filters.baseline_until) {
        (Some(k), Some(day)) => format!("frozen on the {k} lots up to {day}"),
        _ => format!("from all {} lots", report.lots.len()),
    };
    let mut sigma_z = sigma_z_text(report);
    if report.overdispersed {
        sigma_z += "; over-dispersed: lots vary more than binomially, so these limits are too tight \
                    (try --chart laney)";
    }
    let r = &report.rates;
    let rates =
        format!("{}   rework {}   scrap {}", opt_pct(r.fpy, 1), opt_pct(r.rework_rate, 1), opt_pct(r.scrap_rate, 1));
    let lines = [
        ("limits", basis),
        ("centre p̄", opt_pct(report.center, 2)),
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
