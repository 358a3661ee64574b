//! `casebook yield --supplier CODE --by material|process`: FPY of each
//! material or process side by side, each with its 95% Wilson interval, the
//! lots behind it, and whether it stands apart from the others pooled.

use std::io::Write;

use serde::Serialize;

use super::{Filters, YieldFormat};
use crate::assess::strata::{Standing, Stratum, StratumYield};
use crate::charts::listed;
use crate::cli::output::{Table, json_pretty, write_json};
use crate::error::Result;

pub(super) use crate::assess::strata::compare;

/// The JSON document of `--by`.
#[derive(Debug, Serialize)]
struct ByStratum<'a> {
    supplier: &'a str,
    by: Stratum,
    /// The interval's confidence level.
    confidence: f64,
    strata: &'a [StratumYield],
    filters: &'a Filters<'a>,
}

pub(super) fn print(
    code: &str,
    by: Stratum,
    filters: &Filters<'_>,
    rows: &[StratumYield],
    format: YieldFormat,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        YieldFormat::Json => {
            let doc = ByStratum { supplier: code, by, confidence: 0.95, strata: rows, filters };
            write_json(out, &doc, json_pretty(None))
        }
        YieldFormat::Csv => table(rows, false).write_csv(out),
        YieldFormat::Table => {
            let heading = format!(
                "{code}: first-pass yield by {by}, {}\n95% Wilson intervals over units started; \
                 \"lower\"/\"higher\": the interval lies wholly below/above the other {by}s pooled\n\n",
                filters.window().describe()
            );
            out.write_all(heading.as_bytes())?;
            out.write_all(table(rows, true).render().as_bytes())?;
            Ok(())
        }
        YieldFormat::Svg => Err(crate::Error::Invalid(
            "--by compares strata in a table, JSON or CSV; --format svg draws the control chart (drop --by)".into(),
        )),
    }
}

fn table(rows: &[StratumYield], people: bool) -> Table {
    let headers: &[&'static str] = if people {
        &["stratum", "lots", "started", "FPY", "95% interval", "others", "stands out", "lots behind it"]
    } else {
        &["stratum", "lots", "started", "passed_first", "fpy", "low", "high", "others_fpy", "standing", "lot_codes"]
    };
    let mut table = Table::new(headers).right_aligned(if people { &[1, 2, 3, 5] } else { &[] });
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    for r in rows {
        let row = if people {
            vec![
                r.key.clone(),
                r.lots.len().to_string(),
                r.started.to_string(),
                pct(r.fpy),
                format!("{} – {}", pct(r.low), pct(r.high)),
                r.others_fpy.map_or_else(|| "—".to_owned(), pct),
                match r.standing {
                    Standing::Within => String::new(),
                    other => other.to_string(),
                },
                listed(&r.lots, 3),
            ]
        } else {
            vec![
                r.key.clone(),
                r.lots.len().to_string(),
                r.started.to_string(),
                r.passed_first.to_string(),
                r.fpy.to_string(),
                r.low.to_string(),
                r.high.to_string(),
                r.others_fpy.map(|f| f.to_string()).unwrap_or_default(),
                r.standing.to_string(),
                r.lots.join(";"),
            ]
        };
        table.push(row);
    }
    table
}
