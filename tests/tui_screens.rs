//! Snapshots of every screen of the UI on the demo data, as of 2026-11-15,
//! at 80×24 (the smallest supported terminal) and 120×40: Suppliers,
//! Supplier (each pane), the read-only audit view, Yield, Flags, Shortlist,
//! the help overlay, the export prompt and its confirmation, and an empty
//! database. Drawn with `NO_COLOR`'s plain theme, so the text is the whole
//! picture; a separate test checks that the plain theme uses no colour and
//! that badges still carry their words.
//!
//! Review changes with `INSTA_UPDATE=always cargo test --test tui_screens`
//! and `git diff tests/snapshots`.

#![allow(clippy::unwrap_used)]

mod tui_support;

use casebook::tui::Theme;
use ratatui::style::Color;
use tui_support::{Demo, draw, empty_app, press, snap, text};

/// What the snapshot headers record as the expression (see `snap_then!`).
const SNAPSHOT_EXPRESSION: &str = "screen";

#[test]
fn suppliers() {
    snap!("suppliers", "");
}

#[test]
fn suppliers_filtered_and_sorted() {
    snap!("suppliers_filtered", "/sz<Enter>sssss");
}

#[test]
fn supplier_flags_pane() {
    // DG-MAGFIT: supported, with flags, an open critical finding and two audits.
    snap!("supplier_flags", "/magfit<Enter><Enter>");
}

#[test]
fn supplier_evidence_pane() {
    snap!("supplier_evidence", "/armor<Enter><Enter>2");
}

#[test]
fn supplier_audits_pane() {
    snap!("supplier_audits", "/rugged<Enter><Enter>3");
}

#[test]
fn supplier_findings_pane() {
    snap!("supplier_findings", "/magfit<Enter><Enter>4");
}

#[test]
fn supplier_without_odm_claims() {
    snap!("supplier_not_claimed", "/prime<Enter><Enter>");
}

#[test]
fn audit_view() {
    snap!("audit", "/magfit<Enter><Enter>3<End><Enter>");
}

#[test]
fn audit_view_scrolled() {
    snap!("audit_scrolled", "/magfit<Enter><Enter>3<End><Enter><PgDn>");
}

#[test]
fn yield_chart_with_violations() {
    // DG-SWING: seven spike lots beyond 3σ on the classical chart.
    snap!("yield_swing", "/swing<Enter>y");
}

#[test]
fn yield_laney_and_western_electric() {
    snap!("yield_swing_laney_we", "/swing<Enter>ycr");
}

#[test]
fn yield_filtered_by_sku_over_all_lots() {
    snap!("yield_armor_sku_all", "/armor<Enter>ysw");
}

#[test]
fn flags() {
    snap!("flags", "<Tab>");
}

#[test]
fn flags_sorted_by_rule_and_filtered() {
    snap!("flags_rule_filtered", "<Tab>s/stale<Enter>");
}

#[test]
fn shortlist() {
    snap!("shortlist", "/armor<Enter>m<Esc>/swing<Enter>m<Esc>/tradex<Enter>m<Esc><Tab><Tab>");
}

#[test]
fn shortlist_empty() {
    snap!("shortlist_empty", "<S-Tab>");
}

#[test]
fn export_prompt_and_confirmation() {
    snap!("export_prompt", "m<Tab><Tab>e");
    snap!("export_done", "m<Tab><Tab>e<Enter>");
}

#[test]
fn help_overlay() {
    snap!("help_suppliers", "?");
    snap!("help_yield", "y?");
}

#[test]
fn empty_database_shows_how_to_import() {
    let app = empty_app();
    insta::assert_snapshot!("empty_80x24", text(&app, 80, 24));
}

#[test]
fn plain_theme_has_no_colour_and_badges_keep_their_words() {
    let demo = Demo::new();
    let plain = draw(&demo.app_with(Theme::plain()), 120, 40);
    let coloured = draw(&demo.app_with(Theme::colour()), 120, 40);
    let colours = |b: &ratatui::buffer::Buffer| {
        b.content().iter().filter(|c| c.fg != Color::Reset || c.bg != Color::Reset).count()
    };
    assert_eq!(colours(&plain), 0, "NO_COLOR must mean no colour at all");
    assert!(colours(&coloured) > 100, "the colour theme colours the badges");
    let words: String = plain.content().iter().map(ratatui::buffer::Cell::symbol).collect();
    for badge in ["[supported]", "[partial]", "[unsupported]", "[not claimed]"] {
        assert!(words.contains(badge), "{badge} missing");
    }
}

#[test]
fn every_size_from_80x24_up_draws_without_panicking() {
    let demo = Demo::new();
    let mut app = demo.app();
    for script in ["", "<Enter>", "2", "3", "4", "y", "<Esc><Esc><Tab>", "<Tab>", "?"] {
        press(&mut app, script);
        for (w, h) in [(80, 24), (81, 25), (100, 30), (120, 40), (200, 60), (40, 12), (20, 5)] {
            let _ = draw(&app, w, h);
        }
    }
}
