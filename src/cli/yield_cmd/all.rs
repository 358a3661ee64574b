//! `casebook yield --all`: every supplier's chart over one window, from a
//! single pass over the lot index ([`Reader::scan_lots`]), one row each.
//!
//! The scan yields each supplier's lots in chart order (day, then lot code,
//! straight from the index), the order `--supplier` charts, so `σ_z` and the
//! run rules agree. Buffers live from one supplier to the next: lot codes are
//! copied into one reused arena, and into owned strings only for lots that
//! break a rule.

use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Serialize;

use super::render::{chart_line, rules_line};
use crate::assess::spc::{self, ChartKind, ChartOptions, Point, Rule, RuleSet};
use crate::cli::Context;
use crate::cli::output::{Format, Table, json_pretty, write_json};
use crate::error::{Error, Result};
use crate::store::{LotPoint, Reader, SupplierId};

/// One supplier's chart, summed up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct SupplierRow {
    pub supplier: String,
    pub lots: usize,
    pub center: f64,
    pub sigma_z: f64,
    /// Lots beyond their limits (the `beyond-3-sigma` violations).
    pub beyond_limits: usize,
    /// Violations of the rule set's other rules.
    pub other_violations: usize,
    pub overdispersed: bool,
    /// Pooled first-pass yield.
    pub fpy: f64,
    pub violations: Vec<Flagged>,
}

impl SupplierRow {
    fn violation_count(&self) -> usize {
        self.beyond_limits + self.other_violations
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Flagged {
    pub lot: String,
    pub rule: Rule,
}

/// The JSON document of `casebook yield --all`.
#[derive(Debug, Serialize)]
struct AllYield<'a> {
    chart: ChartKind,
    rules: RuleSet,
    since: NaiveDate,
    until: NaiveDate,
    suppliers: &'a [SupplierRow],
}

pub(super) fn run(
    ctx: &Context,
    read: Reader<'_>,
    (since, until): (NaiveDate, NaiveDate),
    options: ChartOptions,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let started = Instant::now();
    // Codes and ids only: the full supplier rows are not needed here.
    let codes: HashMap<SupplierId, String> = read.supplier_ids()?.into_iter().map(|(code, id)| (id, code)).collect();
    let mut scanner = Scanner::new(options, &codes);
    read.scan_lots(None, since, until, |id, lot| scanner.push(id, lot))?;
    let (rows, lots, chart_time) = scanner.finish()?;
    let computed = started.elapsed();
    let document = AllYield { chart: options.kind, rules: options.rules, since, until, suppliers: &rows };
    match format {
        Format::Json => write_json(out, &document, json_pretty(None))?,
        Format::Csv => csv(&rows, options).write_csv(out)?,
        Format::Table => print_table(out, &rows, options, (since, until))?,
    }
    if ctx.verbose {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        eprintln!(
            "casebook: {lots} lots of {} suppliers: scan and charts {:.1} ms (charts {:.1} ms), output {:.1} ms",
            rows.len(),
            ms(computed),
            ms(chart_time),
            ms(started.elapsed().saturating_sub(computed))
        );
    }
    Ok(())
}

fn print_table(
    out: &mut dyn Write,
    rows: &[SupplierRow],
    options: ChartOptions,
    (since, until): (NaiveDate, NaiveDate),
) -> Result<()> {
    let heading = format!(
        "{} suppliers with lots produced {since} … {until}, most violations first\n{}\n{}\n\n",
        rows.len(),
        chart_line(options.kind),
        rules_line(options.rules)
    );
    out.write_all(heading.as_bytes())?;
    out.write_all(table(rows).render().as_bytes())?;
    Ok(())
}

fn table(rows: &[SupplierRow]) -> Table {
    let headers = ["supplier", "lots", "p̄", "σ_z", "beyond 3σ", "other rules", "over-dispersed", "FPY"];
    let mut table = Table::new(&headers).right_aligned(&[1, 2, 3, 4, 5, 7]);
    for row in rows {
        table.push(vec![
            row.supplier.clone(),
            row.lots.to_string(),
            format!("{:.2}%", row.center * 100.0),
            format!("{:.2}", row.sigma_z),
            row.beyond_limits.to_string(),
            row.other_violations.to_string(),
            (if row.overdispersed { "yes" } else { "" }).to_owned(),
            format!("{:.1}%", row.fpy * 100.0),
        ]);
    }
    table
}

/// The table's columns with the JSON's names and full-precision numbers,
/// and the chart and rule set on every row, since a CSV has no heading.
fn csv(rows: &[SupplierRow], options: ChartOptions) -> Table {
    let headers = [
        "supplier",
        "lots",
        "center",
        "sigma_z",
        "beyond_limits",
        "other_violations",
        "overdispersed",
        "fpy",
        "chart",
        "rules",
    ];
    let mut table = Table::new(&headers);
    for row in rows {
        table.push(vec![
            row.supplier.clone(),
            row.lots.to_string(),
            row.center.to_string(),
            row.sigma_z.to_string(),
            row.beyond_limits.to_string(),
            row.other_violations.to_string(),
            row.overdispersed.to_string(),
            row.fpy.to_string(),
            options.kind.to_string(),
            options.rules.to_string(),
        ]);
    }
    table
}

/// Folds the scan into one row per supplier, charting each supplier as soon
/// as its last lot has been seen.
pub(super) struct Scanner<'a> {
    options: ChartOptions,
    codes: &'a HashMap<SupplierId, String>,
    current: Option<SupplierId>,
    /// The current supplier's lots: their points, and where each lot's code
    /// sits in the arena.
    points: Vec<Point>,
    codes_at: Vec<Range<usize>>,
    arena: String,
    started: u64,
    passed_first: u64,
    rows: Vec<SupplierRow>,
    lots: usize,
    chart_time: Duration,
    error: Option<Error>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(options: ChartOptions, codes: &'a HashMap<SupplierId, String>) -> Self {
        Self {
            options,
            codes,
            current: None,
            points: Vec::new(),
            codes_at: Vec::new(),
            arena: String::new(),
            started: 0,
            passed_first: 0,
            rows: Vec::new(),
            lots: 0,
            chart_time: Duration::ZERO,
            error: None,
        }
    }

    /// Takes the next lot of the scan (grouped by supplier, in chart order).
    pub(super) fn push(&mut self, supplier: SupplierId, lot: LotPoint<'_>) {
        if self.current != Some(supplier) {
            self.close_supplier();
            self.current = Some(supplier);
        }
        let start = self.arena.len();
        self.arena.push_str(lot.lot);
        self.points.push(Point::new(lot.started, lot.passed_first));
        self.codes_at.push(start..self.arena.len());
        self.started += u64::from(lot.started);
        self.passed_first += u64::from(lot.passed_first);
        self.lots += 1;
    }

    /// The rows, most violations first (then by code), the lots seen, and
    /// the time spent charting.
    pub(super) fn finish(mut self) -> Result<(Vec<SupplierRow>, usize, Duration)> {
        self.close_supplier();
        if let Some(error) = self.error {
            return Err(error);
        }
        self.rows
            .sort_by(|a, b| b.violation_count().cmp(&a.violation_count()).then_with(|| a.supplier.cmp(&b.supplier)));
        Ok((self.rows, self.lots, self.chart_time))
    }

    fn close_supplier(&mut self) {
        let Some(id) = self.current.take() else { return };
        let clock = Instant::now();
        let code = self.codes.get(&id).cloned().unwrap_or_else(|| format!("#{}", id.0));
        match self.chart_row(code) {
            Ok(Some(row)) => self.rows.push(row),
            Ok(None) => {}
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
        self.chart_time += clock.elapsed();
        self.points.clear();
        self.codes_at.clear();
        self.arena.clear();
        (self.started, self.passed_first) = (0, 0);
    }

    fn chart_row(&self, supplier: String) -> Result<Option<SupplierRow>> {
        let chart =
            spc::chart(&self.points, &self.options).map_err(|e| Error::Invalid(format!("supplier {supplier}: {e}")))?;
        let Some(limits) = chart.limits else { return Ok(None) };
        let violations: Vec<Flagged> = chart
            .violations
            .iter()
            .map(|v| Flagged { lot: self.arena[self.codes_at[v.index].clone()].to_owned(), rule: v.rule })
            .collect();
        let beyond_limits = violations.iter().filter(|v| v.rule == Rule::Beyond3Sigma).count();
        Ok(Some(SupplierRow {
            supplier,
            lots: self.points.len(),
            center: limits.center,
            sigma_z: limits.sigma_z,
            beyond_limits,
            other_violations: violations.len() - beyond_limits,
            overdispersed: limits.overdispersed(),
            fpy: self.passed_first as f64 / self.started as f64,
            violations,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::yield_stats;
    use crate::model::{Lot, Process};

    // (lot, day, started, passed_first)
    type Row = (&'static str, &'static str, u32, u32);

    fn scan(rows: &[(i64, Row)], options: ChartOptions) -> Vec<SupplierRow> {
        let codes = HashMap::from([(SupplierId(1), "B-ONE".to_owned()), (SupplierId(2), "A-TWO".to_owned())]);
        let mut scanner = Scanner::new(options, &codes);
        for &(id, (lot, produced_on, started, passed_first)) in rows {
            scanner.push(SupplierId(id), LotPoint { lot, produced_on, started, passed_first });
        }
        scanner.finish().unwrap().0
    }

    fn lot(&(code, day, started, passed_first): &Row) -> Lot {
        Lot {
            lot: code.to_owned(),
            sku: "S".to_owned(),
            process: Process::Injection,
            material: "PC".to_owned(),
            produced_on: day.parse().unwrap(),
            started,
            passed_first,
            reworked: 0,
            scrapped: 0,
            defects: Vec::new(),
        }
    }

    // Nine calm lots then a spike, in chart order as the scan hands them
    // over; two days hold several lots.
    fn swinging() -> Vec<Row> {
        vec![
            ("L01", "2026-01-01", 1000, 950),
            ("L02", "2026-01-02", 1000, 940),
            ("L03", "2026-01-02", 500, 470),
            ("L04", "2026-01-02", 900, 860),
            ("L05", "2026-01-03", 1000, 955),
            ("L06", "2026-01-04", 1000, 948),
            ("L07", "2026-01-04", 400, 370),
            ("L08", "2026-01-05", 1000, 952),
            ("L09", "2026-01-06", 1000, 951),
            ("L10", "2026-01-07", 1000, 700),
        ]
    }

    #[test]
    fn the_scan_charts_a_supplier_like_one_supplier_report() {
        let options = ChartOptions { kind: ChartKind::Laney, rules: RuleSet::WesternElectric, baseline: None };
        let rows: Vec<(i64, Row)> = swinging().into_iter().map(|r| (1, r)).collect();
        let scanned = scan(&rows, options);

        let lots: Vec<Lot> = swinging().iter().map(lot).collect();
        let report = yield_stats::analyse(&lots, &options).unwrap();
        assert_eq!(scanned.len(), 1);
        let row = &scanned[0];
        assert_eq!((row.supplier.as_str(), row.lots), ("B-ONE", 10));
        assert!((row.center - report.center.unwrap()).abs() < 1e-15);
        assert!((row.sigma_z - report.sigma_z.unwrap()).abs() < 1e-12, "σ_z depends on the order");
        let expected: Vec<(&str, Rule)> = report.violations.iter().map(|v| (v.lot.as_str(), v.rule)).collect();
        let found: Vec<(&str, Rule)> = row.violations.iter().map(|v| (v.lot.as_str(), v.rule)).collect();
        assert_eq!(found, expected);
        assert!((row.fpy - report.rates.fpy.unwrap()).abs() < 1e-15);
    }

    #[test]
    fn rows_come_most_violations_first_then_by_code() {
        let mut rows: Vec<(i64, Row)> = swinging().into_iter().map(|r| (1, r)).collect();
        // Supplier 2 starts on the day supplier 1 ended: its lots must not join that day.
        rows.extend([(2, ("M1", "2026-01-07", 100, 95)), (2, ("M2", "2026-01-08", 100, 96))]);
        rows.push((3, ("N1", "2026-01-01", 100, 90)));
        let scanned = scan(&rows, ChartOptions::default());
        let order: Vec<(&str, usize)> = scanned.iter().map(|r| (r.supplier.as_str(), r.violation_count())).collect();
        assert_eq!(order[0].0, "B-ONE");
        assert!(order[0].1 > 0);
        assert_eq!(&order[1..], [("#3", 0), ("A-TWO", 0)]);
        let spike = Flagged { lot: "L10".into(), rule: Rule::Beyond3Sigma };
        assert!(scanned[0].violations.contains(&spike));
        // By hand: p̄ = 704 / 8800 = 0.08; with n = 1000 the limits are 0.0543–0.1057, so
        // L01, L05, L06, L08, L09 (and L04: 0.044 < 0.0529 at n = 900) fall below, L10 above;
        // L01–L09 all sit below the centre line: nine in a row at L09.
        assert_eq!((scanned[0].beyond_limits, scanned[0].other_violations), (7, 1));
        assert!(scanned[0].violations.contains(&Flagged { lot: "L09".into(), rule: Rule::NineInARow }));
        assert_eq!(scanned[2].lots, 2);
    }

    #[test]
    fn an_empty_scan_gives_no_rows() {
        assert!(scan(&[], ChartOptions::default()).is_empty());
    }
}
