//! The Yield screen's control chart: snapshots of DG-SWING at 80×24 and
//! 200×60, in colour and without (each with a grid of the cells' styles, so
//! what colour or its absence adds is in the snapshot too); the widget on
//! its own (one mark per lot in view, fit-all, at least five y labels,
//! steps, distinct glyphs); the cursor, Enter on a violation and the
//! inspector; the chart cycle; FPY by material and by process; and an
//! assignable cause recorded from the chart.
//!
//! Review changes with `INSTA_UPDATE=always cargo test --test tui_yield_chart`.

#![allow(clippy::unwrap_used)]

mod tui_support;

use casebook::assess::spc::{ChartKind, ChartOptions, RuleSet};
use casebook::assess::yield_stats::analyse;
use casebook::model::{Lot, Process};
use casebook::tui::Theme;
use casebook::tui::chart::plot::ControlPlot;
use casebook::tui::chart::{ChartState, Zoom, marks};
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::widgets::Widget;
use tui_support::{Demo, count, draw, press_at, text};

/// Each cell's style as one character: colour theme by foreground (`r` red,
/// `g` green, `y` yellow, `c` cyan, `d` dark grey) and `#` for a background;
/// plain theme by modifier (`#` reversed, `b` bold, `d` dim); `.` for none.
fn styles(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        for x in 0..area.width {
            let cell = &buffer[(x, y)];
            let c = if cell.bg != Color::Reset || cell.modifier.contains(Modifier::REVERSED) {
                '#'
            } else {
                match cell.fg {
                    Color::Red => 'r',
                    Color::Green => 'g',
                    Color::Yellow => 'y',
                    Color::Cyan => 'c',
                    Color::DarkGray => 'd',
                    _ if cell.modifier.contains(Modifier::BOLD) => 'b',
                    _ if cell.modifier.contains(Modifier::DIM) => 'd',
                    _ => '.',
                }
            };
            out.push(c);
        }
        out.push('\n');
    }
    out
}

#[test]
fn snapshots_at_80x24_and_200x60_with_and_without_colour() {
    for (theme, name) in [(Theme::plain(), "plain"), (Theme::colour(), "colour")] {
        for (w, h) in [(80, 24), (200, 60)] {
            let demo = Demo::new();
            let mut app = demo.app_with(theme);
            // Enter on the second violation: the chart scrolls back to the
            // spike SW251218-01, beyond 3σ, and the inspector shows it.
            press_at(&mut app, "/swing<Enter>y<Down><Enter>", (w, h));
            let screen = format!("{}\n--- styles ---\n{}", text(&app, w, h), styles(&draw(&app, w, h)));
            insta::assert_snapshot!(format!("yield_chart_{name}_{w}x{h}"), screen);
        }
    }
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n)
}

/// 99 lots: sizes alternating 500 and 4000 (so the limits step), 6% bad,
/// with spikes at 20, 50 and 80.
fn lots() -> Vec<Lot> {
    (0..99_u32)
        .map(|i| {
            let started = if i % 2 == 0 { 500 } else { 4000 };
            let bad = if [20, 50, 80].contains(&i) { started / 4 } else { started * 6 / 100 + i % 3 };
            Lot {
                lot: format!("L{i:03}"),
                sku: "S".into(),
                process: Process::Injection,
                material: "PC".into(),
                produced_on: day(u64::from(i)),
                started,
                passed_first: started - bad,
                reworked: 0,
                scrapped: 0,
                defects: Vec::new(),
            }
        })
        .collect()
}

fn render(state: &ChartState, width: u16, height: u16) -> (Buffer, Vec<String>) {
    let report = analyse(&lots(), &ChartOptions { kind: ChartKind::P, rules: RuleSet::Attribute, baseline: None });
    let report = report.unwrap();
    let (marks, _) = marks(&report);
    let mut buffer = Buffer::empty(Rect::new(0, 0, width, height));
    ControlPlot { report: &report, marks: &marks, state, theme: Theme::plain() }.render(buffer.area, &mut buffer);
    let rows = (0..height).map(|y| (0..width).map(|x| buffer[(x, y)].symbol()).collect::<String>()).collect();
    (buffer, rows)
}

/// Marks in the plot rows (all rows but the last three), right of the axis.
fn marks_in(rows: &[String]) -> Vec<char> {
    rows[..rows.len() - 3].iter().flat_map(|r| r.chars().skip(8)).filter(|c| "•◆□○".contains(*c)).collect()
}

#[test]
fn every_lot_in_view_is_one_mark_and_fit_all_shows_them_all() {
    let mut state = ChartState::default();
    state.set_len(99);
    let (_, rows) = render(&state, 48, 16);
    // 48 columns less the 8 of the axis: 40 lots, the latest (the cursor's) among them.
    let layout = state.layout(40);
    assert_eq!((layout.first, layout.count), (59, 40));
    assert_eq!(marks_in(&rows).len(), 40, "{rows:#?}");
    assert_eq!(marks_in(&rows).iter().filter(|c| **c == '◆').count(), 1, "the spike at lot 80 is a diamond");
    assert!(rows[13].contains('▲'), "the cursor is pointed at: {rows:#?}");
    let labels = rows.iter().filter(|r| r.chars().nth(7) == Some('┤')).count();
    assert!(labels >= 5, "{labels} y labels");
    assert!(rows.iter().any(|r| r.contains('─')) && rows.iter().any(|r| r.contains('┄')), "centre and limits");
    assert!(rows[15].starts_with("•lot ◆rule"), "legend: {}", rows[15]);
    // Limits step with the lot size: the first two columns' UCL rows differ.
    let ucl_row = |column: usize| rows.iter().position(|r| r.chars().nth(8 + column) == Some('┄'));
    assert_ne!(ucl_row(0), ucl_row(1));

    state.zoom = Zoom::Fit;
    let (_, rows) = render(&state, 48, 16);
    assert_eq!(marks_in(&rows).len(), 33, "99 lots, 3 to a column: one mark in each of 33 columns");
    assert_eq!(marks_in(&rows).iter().filter(|c| **c == '◆').count(), 3, "every spike still shows");
    assert!(rows[14].contains('═') && !rows[14].contains('─'), "the map shows every lot in view");
}

#[test]
fn arrows_move_the_lot_cursor_and_enter_jumps_to_a_violation() {
    let demo = Demo::new();
    let mut app = demo.app();
    let size = (120, 40);
    press_at(&mut app, "/swing<Enter>y", size);
    let screen = text(&app, size.0, size.1);
    assert!(screen.contains("lot SW261108-01  2026-11-08"), "opens on the latest lot:\n{screen}");
    press_at(&mut app, "<Home>", size);
    let screen = text(&app, size.0, size.1);
    assert!(screen.contains("lot SW251116-01  2025-11-16") && screen.contains("rules: none broken"), "{screen}");
    // The second violation in the list is the first spike, SW251218-01.
    press_at(&mut app, "<Down><Enter>", size);
    let screen = text(&app, size.0, size.1);
    assert!(screen.contains("lot SW251218-01  2025-12-18"), "{screen}");
    assert!(screen.contains("rules: beyond-3-sigma") && screen.contains("p 26.5%"), "{screen}");
    assert!(screen.contains("SKU S25-DUAL · co_molding · TPU+PC") && screen.contains("defects: "), "{screen}");
    press_at(&mut app, "<Right>", size);
    assert!(text(&app, size.0, size.1).contains("lot SW251221-01"));
}

#[test]
fn c_cycles_p_laney_u_laney_u_and_v_compares_strata() {
    let demo = Demo::new();
    let mut app = demo.app();
    let size = (120, 40);
    press_at(&mut app, "/armor<Enter>y", size);
    let mut seen = Vec::new();
    for _ in 0..5 {
        let screen = text(&app, size.0, size.1);
        let title = screen.lines().find(|l| l.contains(" lots · ") && l.contains("chart:")).unwrap_or_default();
        seen.push(title.split(':').next().unwrap_or_default().trim().to_owned());
        press_at(&mut app, "c", size);
    }
    assert_eq!(seen, ["p chart", "Laney p′ chart", "u chart", "Laney u′ chart", "p chart"]);
    press_at(&mut app, "v", size);
    let screen = text(&app, size.0, size.1);
    assert!(screen.contains("FPY by material: 95% Wilson intervals"), "{screen}");
    assert!(screen.contains("├") && screen.contains("●"), "the interval is drawn:\n{screen}");
    press_at(&mut app, "v", size);
    assert!(text(&app, size.0, size.1).contains("FPY by process"));
    press_at(&mut app, "v", size);
    assert!(text(&app, size.0, size.1).contains("defect Pareto"));
    press_at(&mut app, "v", size);
    assert!(text(&app, size.0, size.1).contains("Laney p′ chart: fraction nonconforming"));
}

#[test]
fn a_cause_noted_on_the_chart_excludes_the_lot_from_the_limits() {
    let demo = Demo::new();
    let mut app = demo.app();
    let size = (120, 40);
    press_at(&mut app, "/swing<Enter>y<Down><Enter>a", size);
    let screen = text(&app, size.0, size.1);
    assert!(screen.contains("Assignable cause") && screen.contains("lot SW251218-01"), "{screen}");
    press_at(&mut app, "regrind ratio doubled<Tab>ratio locked<Tab><Right><Enter>", size);
    let screen = text(&app, size.0, size.1);
    assert!(!screen.contains("Assignable cause"), "the form closed:\n{screen}");
    assert!(screen.contains("limits from 98 of the 99 lots charted; 1 left out for an assignable cause"), "{screen}");
    assert!(screen.contains("cause: regrind ratio doubled (excluded from the"), "{screen}");
    assert_eq!(count(&demo, "SELECT count(*) FROM lot_annotations WHERE excluded = 1 AND lot = 'SW251218-01'"), 1);
    // Esc on an empty form writes nothing.
    press_at(&mut app, "a<Esc>", size);
    assert_eq!(count(&demo, "SELECT count(*) FROM lot_annotations"), 1);
}
