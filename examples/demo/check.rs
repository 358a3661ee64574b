//! Reads the written fixtures back as plain JSON and CSV — not through the
//! types that wrote them — checks every row against the interchange contract,
//! re-derives each supplier's verdict with DOMAIN.md's default policy, and
//! panics if a story does not come out as told.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use casebook::model::Process;
use chrono::NaiveDate;
use serde_json::Value;

use super::{Story, as_of, d};
use crate::common::QUESTIONS;
use crate::common::lots::CSV_COLUMNS;
use crate::common::pchart::Chart;

/// What the app should show for one supplier as of [`as_of`].
pub struct Summary {
    pub code: String,
    pub lots: usize,
    pub chart: Option<Chart>,
    pub yield_status: &'static str,
    pub pillars: Vec<(String, &'static str)>,
    pub verdict: &'static str,
}

/// One lot as read back, reduced to what the checks need.
struct Row {
    supplier: String,
    lot: String,
    produced_on: NaiveDate,
    started: u32,
    nonconforming: u32,
}

pub fn check(dossier: &Path, csv: &Path, stories: &[Story]) -> Vec<Summary> {
    let text = std::fs::read_to_string(dossier).expect("the dossier was just written");
    let doc: Value = serde_json::from_str(&text).expect("the dossier is JSON");
    assert_eq!(doc["format"], "casebook-dossier/1");
    let suppliers = doc["suppliers"].as_array().expect("a suppliers array");
    assert_eq!(suppliers.len(), stories.len());
    let codes: HashSet<&str> = suppliers.iter().map(|s| s["code"].as_str().expect("a code")).collect();
    assert_eq!(codes.len(), suppliers.len(), "supplier codes are unique");
    check_audits(suppliers);

    let mut rows: Vec<Row> = Vec::new();
    for s in suppliers {
        let code = s["code"].as_str().expect("a code");
        for lot in s["lots"].as_array().expect("a lots array") {
            rows.push(json_lot(code, lot));
        }
    }
    let csv_rows = read_csv(csv, &codes);
    rows.extend(csv_rows);
    let mut seen = HashSet::new();
    for r in &rows {
        assert!(seen.insert((r.supplier.as_str(), r.lot.as_str())), "duplicate lot {} {}", r.supplier, r.lot);
        assert!((d("2024-11-11")..=d("2026-11-10")).contains(&r.produced_on), "lot {} out of the demo span", r.lot);
    }
    rows.sort_by(|a, b| (a.produced_on, &a.lot).cmp(&(b.produced_on, &b.lot)));

    suppliers
        .iter()
        .zip(stories)
        .map(|(s, story)| {
            let code = s["code"].as_str().expect("a code");
            assert_eq!(code, story.record.supplier.code);
            let own: Vec<&Row> = rows.iter().filter(|r| r.supplier == code).collect();
            let summary = assess(s, &own);
            assert_eq!(
                summary.verdict, story.verdict,
                "{code} should be {} but comes out {}",
                story.verdict, summary.verdict
            );
            check_stability(&summary, story.unstable);
            summary
        })
        .collect()
}

/// Audit ids unique, answers on known questions, due dates by severity,
/// amendments pointing at a submitted audit of the same supplier.
fn check_audits(suppliers: &[Value]) {
    let mut ids = HashSet::new();
    for s in suppliers {
        let audits = s["audits"].as_array().expect("an audits array");
        for a in audits {
            let id = a["id"].as_str().expect("an audit id");
            assert!(ids.insert(id.to_owned()), "audit id {id} is used twice");
            let visited = date(&a["visited_on"]);
            let mut asked = HashSet::new();
            for answer in a["answers"].as_array().expect("an answers array") {
                let q = answer["question"].as_str().expect("a question code");
                assert!(QUESTIONS.contains(&q) && asked.insert(q), "{id}: bad or repeated question {q}");
            }
            for f in a["findings"].as_array().map_or(&[][..], Vec::as_slice) {
                let days = match f["severity"].as_str() {
                    Some("critical") => 7,
                    Some("major") => 14,
                    _ => 30,
                };
                assert_eq!(date(&f["due_on"]), visited + chrono::Duration::days(days), "{id}: due date by severity");
                if f["status"] == "closed" {
                    assert!((visited..=as_of()).contains(&date(&f["closed_on"])), "{id}: closure date");
                }
            }
            if let Some(original) = a["amends"].as_str() {
                let target = audits.iter().find(|o| o["id"] == original).expect("amends an audit of the same supplier");
                assert_eq!(target["status"], "submitted", "{id} amends a submitted audit");
            }
        }
    }
}

fn json_lot(code: &str, lot: &Value) -> Row {
    let count = |field: &str| -> u32 {
        let n = lot[field].as_u64().unwrap_or_else(|| panic!("{code}: {field} is a non-negative integer"));
        u32::try_from(n).expect("a count fits u32")
    };
    let defects: u32 = lot["defects"].as_object().map_or(0, |m| {
        m.values().map(|v| u32::try_from(v.as_u64().expect("defect counts are integers")).expect("fits")).sum()
    });
    assert!(Process::parse(lot["process"].as_str().expect("a process")).is_some());
    let name = lot["lot"].as_str().expect("a lot code");
    valid_counts(name, [count("started"), count("passed_first"), count("reworked"), count("scrapped")], defects);
    Row {
        supplier: code.to_owned(),
        lot: name.to_owned(),
        produced_on: date(&lot["produced_on"]),
        started: count("started"),
        nonconforming: count("started") - count("passed_first"),
    }
}

/// The contract's row rules, plus the generator's own promises: rework and
/// scrap account for every nonconforming unit, and so do the defect counts.
fn valid_counts(lot: &str, [started, passed, reworked, scrapped]: [u32; 4], defects: u32) {
    assert!(started >= 1, "{lot}: started ≥ 1");
    assert!(passed <= started, "{lot}: passed_first ≤ started");
    assert!(passed + scrapped <= started, "{lot}: passed_first + scrapped ≤ started");
    assert_eq!(reworked + scrapped, started - passed, "{lot}: reworked + scrapped = nonconforming");
    assert_eq!(defects, started - passed, "{lot}: one defect per nonconforming unit");
}

fn read_csv(path: &Path, codes: &HashSet<&str>) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(path).expect("the CSV was just written");
    let headers = reader.headers().expect("a header row").clone();
    let column: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h, i)).collect();
    for name in CSV_COLUMNS {
        assert!(column.contains_key(name), "missing column {name}");
    }
    let defect_columns: Vec<usize> = (0..headers.len()).filter(|&i| !CSV_COLUMNS.contains(&&headers[i])).collect();
    for &i in &defect_columns {
        let code = headers[i].strip_prefix("defect:").expect("extra columns are defect:<code>");
        assert!(!code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    }
    let mut rows = Vec::new();
    let mut last_day = NaiveDate::MIN;
    for record in reader.records() {
        let record = record.expect("a well-formed CSV record");
        let field = |name: &str| &record[column[name]];
        let count = |text: &str| text.parse::<u32>().unwrap_or_else(|_| panic!("{text:?} is not a count"));
        let lot = field("lot");
        let day: NaiveDate = field("produced_on").parse().expect("a real date");
        assert_eq!(day.to_string(), field("produced_on"), "{lot}: date written YYYY-MM-DD");
        assert!(day >= last_day, "{lot}: rows ordered by produced_on");
        last_day = day;
        assert!(codes.contains(field("supplier")), "{lot}: unknown supplier");
        assert!(Process::parse(field("process")).is_some(), "{lot}: unknown process");
        let defects = defect_columns.iter().map(|&i| if record[i].is_empty() { 0 } else { count(&record[i]) }).sum();
        let counts = ["started", "passed_first", "reworked", "scrapped"].map(|c| count(field(c)));
        valid_counts(lot, counts, defects);
        rows.push(Row {
            supplier: field("supplier").to_owned(),
            lot: lot.to_owned(),
            produced_on: day,
            started: counts[0],
            nonconforming: counts[0] - counts[1],
        });
    }
    rows
}

fn date(value: &Value) -> NaiveDate {
    value.as_str().and_then(|s| s.parse().ok()).expect("a YYYY-MM-DD date")
}

/// DOMAIN.md's default policy, written again from the text.
fn assess(supplier: &Value, rows: &[&Row]) -> Summary {
    let year_ago = d("2025-11-15");
    let recent: Vec<(u32, u32)> =
        rows.iter().filter(|r| r.produced_on > year_ago).map(|r| (r.started, r.nonconforming)).collect();
    let chart = Chart::new(&recent);
    let yield_status = match &chart {
        None => "insufficient_lots",
        Some(c) if c.lots < 6 => "insufficient_lots",
        Some(c) if c.fpy() < 0.85 => "low_fpy",
        Some(c) if c.beyond_limits() > 0 => "out_of_control",
        Some(_) => "evidenced",
    };
    let mut required: Vec<&str> = Vec::new();
    for claim in supplier["claims"].as_array().expect("a claims array") {
        let active = date(&claim["stated_on"]) <= as_of() && claim.get("retired_on").is_none_or(|r| date(r) > as_of());
        let pillars: &[&str] = match claim["capability"].as_str() {
            Some("structural_design") => &["dfm_evaluation", "assembly_constraints", "production_yield"],
            Some("material_selection") => &["material_compatibility", "production_yield"],
            Some("manufacturability") => &["assembly_constraints", "production_yield"],
            Some("feasibility") => &["dfm_evaluation", "production_yield"],
            _ => &[],
        };
        if active {
            for p in pillars {
                if !required.contains(p) {
                    required.push(p);
                }
            }
        }
    }
    let audits = supplier["audits"].as_array().expect("an audits array");
    let pillars: Vec<(String, &'static str)> = required
        .iter()
        .map(|&p| (p.to_owned(), if p == "production_yield" { yield_status } else { document_pillar(audits, p) }))
        .collect();
    let evidenced = pillars.iter().filter(|(_, s)| *s == "evidenced").count();
    let verdict = match evidenced {
        _ if pillars.is_empty() => "not_claimed",
        0 => "unsupported",
        n if n == pillars.len() => "supported",
        _ => "partial",
    };
    Summary {
        code: supplier["code"].as_str().expect("a code").to_owned(),
        lots: rows.len(),
        chart,
        yield_status,
        pillars,
        verdict,
    }
}

/// The best status any evidence item gives a document pillar.
fn document_pillar(audits: &[Value], pillar: &str) -> &'static str {
    const RANK: [&str; 5] = ["missing", "stated_only", "draft_only", "stale", "evidenced"];
    let mut best = 0;
    for audit in audits {
        let submitted = audit["status"] == "submitted";
        for e in audit["evidence"].as_array().expect("an evidence array").iter().filter(|e| e["pillar"] == pillar) {
            let status = if e["strength"] == "stated" {
                "stated_only"
            } else if !submitted {
                "draft_only"
            } else if date(&e["collected_on"]) >= d("2024-11-15") {
                "evidenced"
            } else {
                "stale"
            };
            best = best.max(RANK.iter().position(|r| *r == status).expect("a ranked status"));
        }
    }
    RANK[best]
}

/// Stable stories must be in control with no long runs; the unstable one
/// must show clear spikes.
fn check_stability(summary: &Summary, unstable: bool) {
    let Some(chart) = &summary.chart else { return };
    if unstable {
        assert!(chart.above(4.0) >= 4, "{}: needs several spikes beyond 4σ", summary.code);
        assert_eq!(chart.beyond_limits(), chart.above(4.0), "{}: only the spikes are out of control", summary.code);
    } else {
        assert!(chart.max_abs_z() < 3.0, "{}: a stable supplier has a lot beyond 3σ", summary.code);
        assert!(chart.longest_run() < 9, "{}: nine in a row on one side", summary.code);
    }
}

pub fn table(summaries: &[Summary]) -> String {
    let mut out = String::from(
        "supplier       lots  12 mo  FPY 12 mo  max |z|  >3σ  run  production_yield   verdict       pillars\n",
    );
    for s in summaries {
        let (n, fpy, z, beyond, run) = s.chart.as_ref().map_or_else(
            || ("0".to_owned(), "—".to_owned(), "—".to_owned(), "—".to_owned(), "—".to_owned()),
            |c| {
                (
                    c.lots.to_string(),
                    format!("{:.1}%", 100.0 * c.fpy()),
                    format!("{:.2}", c.max_abs_z()),
                    c.beyond_limits().to_string(),
                    c.longest_run().to_string(),
                )
            },
        );
        let pillars: Vec<String> = s.pillars.iter().map(|(p, st)| format!("{p}={st}")).collect();
        writeln!(
            out,
            "{:<13} {:>5} {:>6} {:>10} {:>8} {:>4} {:>4}  {:<18} {:<13} {}",
            s.code,
            s.lots,
            n,
            fpy,
            z,
            beyond,
            run,
            s.yield_status,
            s.verdict,
            pillars.join(" ")
        )
        .expect("writing to a String cannot fail");
    }
    out
}
