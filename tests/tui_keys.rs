//! Key sequences through the app's update function, checked on the drawn
//! screen (and, for marks and exports, in the database and the file):
//! filtering, sorting, the verdict filter, opening a supplier and its
//! screens, Esc and Tab navigation, marking for the shortlist, removing,
//! exporting, the help overlay, the mouse wheel and quitting.

#![allow(clippy::unwrap_used)]

mod tui_support;

use casebook::tui::Message;
use tui_support::{Demo, empty_app, listed_codes, press, text};

const W: u16 = 120;
const H: u16 = 40;

#[test]
fn the_list_starts_in_code_order_with_every_supplier() {
    let demo = Demo::new();
    let app = demo.app();
    let codes = listed_codes(&text(&app, W, H));
    assert_eq!(codes.len(), 14);
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
}

#[test]
fn a_text_filter_keeps_only_matching_suppliers_and_esc_clears_it() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/SZ<Enter>");
    let screen = text(&app, W, H);
    let codes = listed_codes(&screen);
    assert_eq!(codes.len(), 6, "{screen}");
    assert!(codes.iter().all(|c| c.starts_with("SZ-")), "{codes:?}");
    assert!(screen.contains("6 of 14"));

    // By name and city too, case-insensitively.
    press(&mut app, "/<C-u>xiamen<Enter>");
    assert!(listed_codes(&text(&app, W, H)).iter().all(|c| c.starts_with("XM-")));
    press(&mut app, "/<C-u>bamboo<Enter>");
    assert_eq!(listed_codes(&text(&app, W, H)), ["XM-BAMBOO"]);

    press(&mut app, "<Esc>");
    assert_eq!(listed_codes(&text(&app, W, H)).len(), 14);
}

#[test]
fn typing_a_filter_takes_letters_that_are_keys_elsewhere() {
    let demo = Demo::new();
    let mut app = demo.app();
    // q, s, m and ? would quit, sort, mark and help outside the filter box.
    press(&mut app, "/qsm?");
    assert!(app.is_running());
    assert!(app.popup().is_none());
    let screen = text(&app, W, H);
    assert!(screen.contains("/ qsm?"), "{screen}");
    assert!(listed_codes(&screen).is_empty());
    press(&mut app, "<BS><BS><BS><BS><Esc>");
    assert_eq!(listed_codes(&text(&app, W, H)).len(), 14);
}

/// The verdict words of the listed rows, top to bottom.
fn verdicts(screen: &str) -> Vec<&'static str> {
    screen
        .lines()
        .skip(2)
        .filter(|line| line.starts_with("  ") || line.starts_with("* "))
        .filter_map(|line| {
            ["[supported]", "[partial]", "[unsupported]", "[not claimed]"].into_iter().find(|b| line.contains(b))
        })
        .collect()
}

#[test]
fn sorting_by_verdict_puts_supported_first_and_flipping_reverses_it() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "sssss");
    let screen = text(&app, W, H);
    assert!(screen.contains("ODM verdict↑"), "{screen}");
    let order = ["[supported]", "[partial]", "[unsupported]", "[not claimed]"];
    let rank = |v: &&str| order.iter().position(|o| o == v).unwrap();
    let shown = verdicts(&screen);
    assert_eq!(shown.len(), 14);
    assert!(shown.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])), "{shown:?}");
    // Ties stay in code order.
    assert_eq!(&listed_codes(&screen)[..5], ["DG-MAGFIT", "SZ-ARMOR", "SZ-RUGGED", "SZ-SILIK", "XM-BAMBOO"]);

    press(&mut app, "d");
    let screen = text(&app, W, H);
    assert!(screen.contains("ODM verdict↓"));
    let shown = verdicts(&screen);
    assert!(shown.windows(2).all(|w| rank(&w[0]) >= rank(&w[1])), "{shown:?}");
}

#[test]
fn sorting_by_flags_puts_the_most_high_flags_first() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &"s".repeat(10));
    let screen = text(&app, W, H);
    assert!(screen.contains("sorted by flags (high, medium, low) ↓"), "{screen}");
    assert_eq!(&listed_codes(&screen)[..2], ["SZ-TRADEX", "SZ-NEWCO"]);
}

#[test]
fn the_verdict_filter_cycles_through_each_verdict_then_all() {
    let demo = Demo::new();
    let mut app = demo.app();
    let expected = [("[supported]", 5), ("[partial]", 5), ("[unsupported]", 2), ("[not claimed]", 2)];
    for (badge, n) in expected {
        press(&mut app, "v");
        let screen = text(&app, W, H);
        let shown = verdicts(&screen);
        assert_eq!(shown.len(), n, "{badge}\n{screen}");
        assert!(shown.iter().all(|v| *v == badge));
    }
    press(&mut app, "v");
    assert_eq!(verdicts(&text(&app, W, H)).len(), 14);
}

#[test]
fn enter_opens_the_supplier_with_its_claims_and_pillars() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/armor<Enter><Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("SZ-ARMOR · Armor Case Works (Shenzhen) Co., Ltd.  [supported]"), "{screen}");
    assert!(screen.contains("Suppliers › SZ-ARMOR"));
    for pillar in ["material compatibility", "assembly constraints", "production yield", "DFM evaluation"] {
        assert!(screen.contains(pillar), "{pillar} missing\n{screen}");
    }
    let claims: Vec<&str> =
        screen.lines().filter(|l| l.starts_with("structural_design") || l.starts_with("material_selection")).collect();
    assert_eq!(claims.len(), 2);
    assert!(claims.iter().all(|l| l.contains("evidenced")));

    press(&mut app, "<Esc>");
    let screen = text(&app, W, H);
    assert!(screen.contains("/ armor"), "Esc returns to the filtered list\n{screen}");
}

#[test]
fn panes_switch_with_brackets_and_digits_and_enter_opens_an_audit() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/rugged<Enter><Enter>]]");
    let screen = text(&app, W, H);
    assert!(screen.contains("A-2026-012") && screen.contains("A-2026-019"), "{screen}");
    // The amendment, then the audit view.
    press(&mut app, "<End><Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("Audit A-2026-019 of SZ-RUGGED"), "{screen}");
    assert!(screen.contains("amends A-2026-012"));
    assert!(screen.contains("Suppliers › SZ-RUGGED › A-2026-019"));
    press(&mut app, "<Esc>4");
    assert!(text(&app, W, H).contains("No open findings."));
    press(&mut app, "[[");
    assert!(text(&app, W, H).contains("pillar   kind"));
}

#[test]
fn y_opens_the_yield_charts_and_the_toggles_say_what_is_in_force() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/swing<Enter>y");
    let screen = text(&app, W, H);
    assert!(screen.contains("Suppliers › DG-SWING › Yield"), "{screen}");
    assert!(screen.contains("chart p (classical limits) · rules attribute"));
    assert!(screen.contains("31 violation(s)"));
    press(&mut app, "c");
    assert!(text(&app, W, H).contains("chart Laney p′"));
    press(&mut app, "r");
    let screen = text(&app, W, H);
    assert!(screen.contains("rules Western Electric"));
    assert!(screen.contains("western-electric rules"));
    press(&mut app, "p");
    assert!(text(&app, W, H).contains("process co_molding"));
    press(&mut app, "xw");
    assert!(text(&app, W, H).contains("all lots · process all"));
    // Esc goes back through the supplier to the list.
    press(&mut app, "<Esc>");
    assert!(text(&app, W, H).contains("DG-SWING · Swing Mould"));
    press(&mut app, "<Esc>");
    assert_eq!(listed_codes(&text(&app, W, H)), ["DG-SWING"]);
}

#[test]
fn flags_list_every_flag_and_enter_jumps_to_the_supplier() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "<Tab>");
    let screen = text(&app, W, H);
    assert!(screen.contains("28 of 28 flags"), "{screen}");
    press(&mut app, "/trading-company<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("1 of 28 flags"), "{screen}");
    press(&mut app, "<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("SZ-TRADEX · Tradex Global Sourcing"), "{screen}");
    assert!(screen.contains("Flags (28) › SZ-TRADEX"));
    // Tab keeps each tab's screens: back on Suppliers, then Flags again.
    press(&mut app, "<S-Tab>");
    assert_eq!(listed_codes(&text(&app, W, H)).len(), 14);
    press(&mut app, "<Tab>");
    assert!(text(&app, W, H).contains("SZ-TRADEX · Tradex Global Sourcing"));
}

#[test]
fn flags_sort_by_rule_and_supplier() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "<Tab>s");
    let screen = text(&app, W, H);
    assert!(screen.contains("rule↑"), "{screen}");
    let first_rules: Vec<&str> = screen.lines().skip(2).take(2).filter_map(|l| l.split_whitespace().nth(2)).collect();
    assert_eq!(first_rules, ["pillar-missing", "pillar-stated-only"]);
    press(&mut app, "s");
    let screen = text(&app, W, H);
    assert!(screen.contains("supplier↑"));
    assert!(screen.lines().nth(2).unwrap().starts_with("DG-FOLIO"));
}

#[test]
fn marks_make_the_shortlist_in_the_database_and_x_removes() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/armor<Enter>m<Esc>/magfit<Enter><Enter>m<Esc><Esc>");
    let list = text(&app, W, H);
    assert!(list.contains("Shortlist (2)"), "{list}");
    let marked: Vec<&str> = list.lines().filter(|l| l.starts_with("* ")).collect();
    assert_eq!(marked.len(), 2, "{list}");

    press(&mut app, "<Tab><Tab>");
    let screen = text(&app, W, H);
    let header = screen.lines().nth(1).unwrap();
    assert!(header.contains("SZ-ARMOR") && header.contains("DG-MAGFIT"), "{screen}");
    assert!(screen.contains("ODM verdict") && screen.contains("[supported]"));
    assert!(screen.contains("development lead time"));

    let codes =
        |demo: &Demo| -> Vec<String> { demo.store().read().shortlist().unwrap().into_iter().map(|e| e.code).collect() };
    assert_eq!(codes(&demo), ["SZ-ARMOR", "DG-MAGFIT"]);

    press(&mut app, "<Right>x");
    let screen = text(&app, W, H);
    assert!(screen.contains("Shortlist (1)") && !screen.lines().nth(1).unwrap().contains("DG-MAGFIT"), "{screen}");
    assert_eq!(codes(&demo), ["SZ-ARMOR"]);
    let history = demo.store().read().history(demo.store().read().supplier_id("DG-MAGFIT").unwrap()).unwrap();
    let actions: Vec<&str> =
        history.iter().filter(|h| h.entity.as_str() == "shortlist").map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["create", "delete"]);
}

#[test]
fn m_twice_unmarks() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "mm");
    assert!(text(&app, W, H).contains("Shortlist (0)"));
    assert!(demo.store().read().shortlist().unwrap().is_empty());
}

#[test]
fn export_writes_markdown_and_csv_where_the_prompt_says() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/swing<Enter>m<Esc>/armor<Enter>m<Esc><Tab><Tab>e");
    let default = demo.dir.path().join("shortlist-2026-11-15.md");
    assert!(text(&app, W, H).contains(&default.display().to_string()));
    press(&mut app, "<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("Shortlist exported"), "{screen}");
    assert!(screen.contains("2 supplier(s) written as Markdown to"));
    let markdown = std::fs::read_to_string(&default).unwrap();
    assert!(markdown.starts_with("# Supplier shortlist, as of 2026-11-15\n"), "{markdown}");
    assert!(markdown.contains("| | DG-SWING | SZ-ARMOR |"), "{markdown}");
    assert!(markdown.contains("| ODM verdict | partial | supported |"), "{markdown}");
    assert!(markdown.contains("| production yield | out of control | evidenced |"), "{markdown}");
    assert!(markdown.contains("| FPY, 12 months | 88.8% | 94.0% |"), "{markdown}");

    // A typed path, as CSV.
    let csv_path = demo.dir.path().join("picked.csv");
    press(&mut app, &format!("<Esc>E<C-u>{}<Enter>", csv_path.display()));
    assert!(text(&app, W, H).contains("written as CSV"));
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("code,name,verdict,grade,material_compatibility"));
    let swing = lines.next().unwrap();
    assert!(
        swing.starts_with("DG-SWING,\"Swing Mould Technology (Dongguan) Co., Ltd.\",partial,A,evidenced,"),
        "{swing}"
    );
    assert!(swing.contains(",out_of_control,"), "{swing}");
    assert_eq!(csv.lines().count(), 3);
}

#[test]
fn a_failed_export_says_why_and_leaves_the_app_running() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "m<Tab><Tab>e<C-u>/no/such/dir/x.md<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("The shortlist was not exported"), "{screen}");
    press(&mut app, "<Esc>");
    assert!(app.popup().is_none());
    assert!(app.is_running());
}

#[test]
fn help_opens_on_question_mark_lists_this_screens_keys_and_esc_closes_it() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "?");
    let screen = text(&app, W, H);
    assert!(screen.contains("Help: Suppliers keys"), "{screen}");
    assert!(screen.contains("verdict") && screen.contains("flip sort direction"));
    press(&mut app, "<Esc>");
    assert!(app.popup().is_none());
    assert!(!text(&app, W, H).contains("Help:"));
    press(&mut app, "<Enter>?");
    assert!(text(&app, W, H).contains("Help: Supplier keys"));
}

#[test]
fn the_footer_shows_the_screens_main_keys_from_its_table() {
    let demo = Demo::new();
    let mut app = demo.app();
    let footer = |app: &casebook::tui::App| text(app, 80, 24).lines().last().unwrap().to_owned();
    assert!(footer(&app).contains("/ filter") && footer(&app).ends_with("? help  q quit"), "{}", footer(&app));
    press(&mut app, "y");
    assert!(footer(&app).contains("c p/p′") && footer(&app).ends_with("C-c quit"), "{}", footer(&app));
    // The Yield screen has no filter: `/` is not one of its keys and changes nothing.
    let before = text(&app, 80, 24);
    press(&mut app, "/");
    assert_eq!(text(&app, 80, 24), before, "`/` on the Yield screen changed it");
    assert!(!footer(&app).contains("Esc cancel"), "{}", footer(&app));
    assert!(app.popup().is_none() && app.is_running());
    // Back on the Suppliers screen `/` opens the filter box, and the footer shows its keys.
    press(&mut app, "<Esc><Esc>");
    assert!(footer(&app).contains("/ filter"), "{}", footer(&app));
    press(&mut app, "/");
    assert!(footer(&app).contains("Esc cancel"), "{}", footer(&app));
}

#[test]
fn page_keys_and_the_wheel_move_through_a_long_list() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "<Tab><End>");
    let screen = text(&app, W, H);
    assert!(screen.contains("XM-BAMBOO   low"), "the last flag is in view\n{screen}");
    press(&mut app, "<Home><WheelDown><WheelDown>");
    let screen = text(&app, W, H);
    // The detail box shows the selected (7th) flag.
    assert!(screen.contains(" DG-FOLIO · medium · yield-low-fpy "), "{screen}");
    press(&mut app, "<WheelUp><PgDn><PgUp>");
    assert!(text(&app, W, H).contains(" DG-MAGFIT · high · finding-critical-open "));
}

#[test]
fn q_quits_from_the_top_level_only() {
    let demo = Demo::new();
    // From each of the three lists; over help, q first closes the help.
    for script in ["q", "<Tab>q", "<Tab><Tab>q", "?qq"] {
        let mut app = demo.app();
        press(&mut app, script);
        assert!(!app.is_running(), "{script}");
    }
    // Not from a screen opened on a list, nor from a filter being typed:
    // typing `/quality` where `/` filters must never quit.
    for script in ["<Enter>q", "<Enter>yq", "<Enter>3<End><Enter>q", "/quality", "<Enter>/quality"] {
        let mut app = demo.app();
        press(&mut app, script);
        assert!(app.is_running(), "{script} quit");
    }
    let mut app = demo.app();
    app.update(Message::Quit);
    assert!(!app.is_running());
}

#[test]
fn quitting_asks_first_when_a_form_or_a_draft_is_open() {
    let demo = Demo::new();
    // A form: C-c asks; n goes back to the form as it was.
    let mut app = demo.app();
    press(&mut app, "nSZ-HALF");
    app.update(Message::Quit);
    assert!(app.is_running());
    let screen = text(&app, W, H);
    assert!(screen.contains("Quit casebook?") && screen.contains("form open is not saved"), "{screen}");
    press(&mut app, "n");
    let screen = text(&app, W, H);
    assert!(screen.contains("New supplier") && screen.contains("SZ-HALF"), "{screen}");
    app.update(Message::Quit);
    press(&mut app, "y");
    assert!(!app.is_running());
    // A draft open in the editor: q on the list asks, y quits.
    let mut app = demo.app();
    press(&mut app, "/armor<Enter><Enter>a<Enter><Tab><Tab>q");
    assert!(app.is_running());
    assert!(text(&app, W, H).contains("A draft audit is open"));
    press(&mut app, "<Esc>");
    assert!(app.is_running() && app.popup().is_none());
    press(&mut app, "qy");
    assert!(!app.is_running());
}

#[test]
fn an_empty_database_lists_nothing_and_every_key_is_harmless() {
    let mut app = empty_app();
    press(&mut app, "<Enter>msdvy/x<Enter><Tab><Enter>m<Tab><Enter>xeE<Esc><Left><Right>");
    assert!(app.is_running());
}
