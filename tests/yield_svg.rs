//! `casebook yield --format svg`: the drawing parses as XML, has one mark
//! per lot (checked against the JSON report of the same chart), draws the
//! limits as steps and the violations with their own mark, says what it
//! shows, escapes whatever the codes hold, and opens in `rsvg-convert`.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use casebook::assess::spc::{ChartKind, ChartOptions, RuleSet};
use casebook::assess::yield_stats::analyse;
use casebook::charts::svg::{SvgOptions, render};
use casebook::charts::{ChartModel, Window};
use casebook::model::{Lot, Process};
use chrono::NaiveDate;
use common::Sandbox;
use serde_json::Value;

const AS_OF: &str = "2026-11-15";

fn svg_and_json(db: &Sandbox, args: &[&str]) -> (String, Value) {
    let file = db.path("chart.svg");
    let file_arg = file.to_str().expect("a UTF-8 path");
    let mut svg_args = vec!["--as-of", AS_OF, "yield"];
    svg_args.extend_from_slice(args);
    svg_args.extend(["--format", "svg", "-o", file_arg]);
    let run = db.run(&svg_args);
    run.assert_success();
    assert!(run.stdout.is_empty(), "with -o nothing goes to stdout");
    let mut json_args = vec!["--as-of", AS_OF, "yield"];
    json_args.extend_from_slice(args);
    json_args.extend(["--format", "json"]);
    let json = db.run(&json_args);
    json.assert_success();
    let svg = std::fs::read_to_string(&file).expect("the SVG file");
    (svg, serde_json::from_str(&json.stdout).expect("JSON"))
}

fn with_class<'a, 'i>(doc: &'a roxmltree::Document<'i>, class: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|word| word == class))).collect()
}

fn text_of(doc: &roxmltree::Document<'_>) -> String {
    doc.descendants().filter(roxmltree::Node::is_text).filter_map(|n| n.text()).collect::<Vec<_>>().join(" ")
}

#[test]
fn dg_swing_svg_has_one_mark_per_lot_and_a_diamond_per_violating_lot() {
    let db = Sandbox::demo();
    let (svg, report) = svg_and_json(&db, &["--supplier", "DG-SWING"]);
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert_eq!(doc.root_element().tag_name().namespace(), Some("http://www.w3.org/2000/svg"));

    let lots: Vec<&str> = report["lots"].as_array().unwrap().iter().map(|l| l["lot"].as_str().unwrap()).collect();
    assert!(lots.len() > 90, "DG-SWING has about 99 lots in the window, got {}", lots.len());
    let marks: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-lot")).collect();
    assert_eq!(marks, lots, "one mark per lot, in chart order");

    let violating: BTreeSet<&str> =
        report["violations"].as_array().unwrap().iter().map(|v| v["lot"].as_str().unwrap()).collect();
    assert!(!violating.is_empty());
    let diamonds: BTreeSet<&str> =
        with_class(&doc, "violation").iter().filter_map(|n| n.attribute("data-lot")).collect();
    assert_eq!(diamonds, violating);
    // Ordinary lots are circles, violations paths: a shape, not only a colour.
    for node in with_class(&doc, "violation") {
        assert_eq!(node.tag_name().name(), "path");
    }
    assert!(with_class(&doc, "lot").iter().all(|n| n.tag_name().name() == "circle"));
    assert_eq!(with_class(&doc, "violation-label").len(), violating.len(), "each violating lot is labelled");

    // Limits are steps: one horizontal run per lot, and dashed, unlike the centre line.
    for class in ["ucl", "lcl"] {
        let path = &with_class(&doc, class)[0];
        let d = path.attribute("d").unwrap();
        assert_eq!(d.matches('H').count(), lots.len(), "{class}: one step per lot");
        assert!(path.attribute("stroke-dasharray").is_some());
    }
    let centre = &with_class(&doc, "centre")[0];
    assert!(centre.attribute("stroke-dasharray").is_none());

    let text = text_of(&doc);
    for needed in ["DG-SWING", "p chart", "attribute rules", "2025-11-15", "2026-11-15", "12-month yield window"] {
        assert!(text.contains(needed), "the drawing should say {needed:?}");
    }
    assert!(text.contains("nine lots in a row on one side of the centre line"), "the rules say what they see");
    for part in ["centre line", "control limits", "rule broken", "left out of the limits"] {
        assert!(text.contains(part), "the legend names {part:?}");
    }
    // At least five labelled values on the y axis.
    assert!(with_class(&doc, "y-label").len() >= 5);
}

#[test]
fn a_u_chart_svg_says_defects_per_unit() {
    let db = Sandbox::demo();
    let (svg, report) = svg_and_json(&db, &["--supplier", "SZ-ARMOR", "--chart", "u", "--all-lots"]);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed");
    let text = text_of(&doc);
    assert!(text.contains("u chart") && text.contains("defects per unit") && text.contains("every lot"));
    let marks = doc.descendants().filter(|n| n.attribute("data-lot").is_some()).count();
    assert_eq!(marks, report["lots"].as_array().unwrap().len());
}

#[test]
fn the_svg_opens_in_rsvg_convert() {
    if std::env::var_os("CASEBOOK_SKIP_RSVG").is_some_and(|v| v == "1") {
        eprintln!("skipped: CASEBOOK_SKIP_RSVG=1");
        return;
    }
    let db = Sandbox::demo();
    let (_, _) = svg_and_json(&db, &["--supplier", "DG-SWING", "--chart", "laney"]);
    let png = db.path("chart.png");
    let status = Command::new("rsvg-convert")
        .arg(db.path("chart.svg"))
        .arg("-o")
        .arg(&png)
        .status()
        .expect("rsvg-convert runs (apt-get install librsvg2-bin, or CASEBOOK_SKIP_RSVG=1)");
    assert!(status.success());
    let bytes = std::fs::read(&png).expect("a PNG");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000);
}

#[test]
fn svg_needs_a_supplier_and_lots() {
    let db = Sandbox::demo();
    let run = db.run(&["--as-of", AS_OF, "yield", "--all", "--format", "svg"]);
    run.assert_failure().assert_stderr_has("--supplier");
    let run = db.run(&["--as-of", AS_OF, "yield", "--supplier", "SZ-TRADEX", "--format", "svg"]);
    run.assert_failure().assert_stderr_has("no production lots");
}

fn lot(code: &str, day: u32, started: u32, passed_first: u32) -> Lot {
    Lot {
        lot: code.to_owned(),
        sku: "S".to_owned(),
        process: Process::Injection,
        material: "PC".to_owned(),
        produced_on: NaiveDate::from_ymd_opt(2026, 1, day).expect("a January day"),
        started,
        passed_first,
        reworked: 0,
        scrapped: 0,
        defects: Vec::new(),
    }
}

#[test]
fn markup_in_codes_is_escaped_and_round_trips() {
    let lots = [lot("A&B<1>", 1, 100, 95), lot("Q\"'2", 2, 100, 94), lot("]]>3", 3, 100, 40)];
    let options = ChartOptions { kind: ChartKind::P, rules: RuleSet::WesternElectric, baseline: None };
    let report = analyse(&lots, &options).unwrap();
    let narrowed = vec!["material <b>PC</b>".to_owned()];
    let until = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
    let model = ChartModel {
        supplier: "S&P <Cases>",
        report: &report,
        window: Window { since: None, until, policy_months: None },
        narrowed: &narrowed,
        baseline_until: None,
    };
    let svg = render(&model, &SvgOptions::default());
    let doc = roxmltree::Document::parse(&svg).expect("well-formed despite the markup in the codes");
    let marks: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-lot")).collect();
    assert_eq!(marks, ["A&B<1>", "Q\"'2", "]]>3"]);
    assert!(text_of(&doc).contains("S&P <Cases>"));
    assert!(text_of(&doc).contains("material <b>PC</b>"));
}

#[test]
fn many_lots_widen_the_drawing_so_each_keeps_its_own_column() {
    let lots: Vec<Lot> = (0..1000)
        .map(|i| Lot {
            produced_on: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i / 3),
            ..lot(&format!("L{i:04}"), 1, 1000, 950 - u32::try_from(i % 7).unwrap())
        })
        .collect();
    let report = analyse(&lots, &ChartOptions::default()).unwrap();
    let until = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
    let model = ChartModel {
        supplier: "GEN",
        report: &report,
        window: Window { since: None, until, policy_months: None },
        narrowed: &[],
        baseline_until: None,
    };
    let svg = render(&model, &SvgOptions::default());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let width: f64 = doc.root_element().attribute("width").unwrap().parse().unwrap();
    assert!(width >= 1000.0 * casebook::charts::svg::MIN_STEP, "width {width}");
    let xs: Vec<f64> =
        with_class(&doc, "lot").iter().map(|n| n.attribute("cx").unwrap().parse::<f64>().unwrap()).collect();
    assert!(xs.windows(2).all(|w| w[1] - w[0] >= casebook::charts::svg::MIN_STEP - 0.2));
}
