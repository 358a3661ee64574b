//! Recording through the app's update function, checked on the drawn
//! screen and in the database: a new supplier with an ODM claim is audited
//! from the keyboard (answers, evidence, hand-entered and imported lots),
//! the audit is submitted and the verdict turns `supported` at once; forms
//! refuse bad values next to the field and write nothing; every answer is
//! in the database the moment it is given; the editor reopens at the
//! question left off, also in a new process.

#![allow(clippy::unwrap_used)]

mod tui_support;

use std::fmt::Write as _;

use casebook::store::{OpenMode, Store};
use tui_support::{Demo, count, press, text};

const W: u16 = 120;
const H: u16 = 40;

/// Lots with the same first-pass yield (95%): stable on any p-chart.
fn lot(code: &str, day: &str) -> String {
    format!(
        "l{code}<Tab>NM-DUAL<Tab><Right><Tab>TPU+PC<Tab><C-u>{day}<Tab>1000<Tab>950<Tab>30<Tab>20<Tab>bubble=30<Enter>"
    )
}

#[test]
fn a_new_supplier_audited_from_the_keyboard_becomes_supported() {
    let demo = Demo::new();
    let mut app = demo.app();
    // A supplier: code, name (Chinese too), country (typed in lower case), city, manufacturer, ODM.
    press(
        &mut app,
        "nSZ-NEWMOULD<Tab>深圳新模具 New Mould Co.<Tab>cn<Tab>Shenzhen<Tab><Right><Tab><Right> <Tab>300<Tab>90<Enter>",
    );
    let screen = text(&app, W, H);
    // (Wide characters fill two cells; the test terminal shows the second as a space.)
    assert!(screen.contains("SZ-NEWMOULD · 深 圳 新 模 具  New Mould Co."), "{screen}");
    assert!(screen.contains("Shenzhen, CN · manufacturer · models odm · MOQ 300 · development 90 days"), "{screen}");

    // An ODM claim: material selection, from an RFQ response.
    press(&mut app, "n<Right><Tab><Right><Tab><Tab>TPU/PC dual-layer design in house<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("material_selection") && screen.contains("[unsupported]"), "{screen}");

    // An audit on today's date; every question answered yes.
    press(&mut app, "a<Enter>");
    assert!(text(&app, W, H).contains("of SZ-NEWMOULD · on_site · visited 2026-11-15 · tester"));
    press(&mut app, &"y".repeat(41));
    let screen = text(&app, W, H);
    assert!(screen.contains("score 100.0% · grade A · 41 of 41 answered"), "{screen}");

    // Material compatibility evidence, observed on site.
    press(&mut app, "e<Tab><Tab><Tab><Tab>TPU/PC peel tests, 12 batches<Tab>IMG_2041.jpg<Enter>");
    press(&mut app, "2");
    let screen = text(&app, W, H);
    assert!(screen.contains("material test_report       observed 2026-11-15 TPU/PC peel tests"), "{screen}");

    // Production yield: two lots by hand, four from a CSV, all in the last 12 months.
    press(&mut app, &lot("NM-001", "2026-06-10"));
    press(&mut app, &lot("NM-002", "2026-07-10"));
    let csv = demo.dir.path().join("nm.csv");
    let mut rows = String::new();
    for (i, day) in ["2026-08-10", "2026-09-10", "2026-10-10", "2026-11-10"].iter().enumerate() {
        writeln!(rows, "SZ-NEWMOULD,NM-10{i},NM-DUAL,co_molding,TPU+PC,{day},1000,950,30,20").unwrap();
    }
    std::fs::write(
        &csv,
        format!("supplier,lot,sku,process,material,produced_on,started,passed_first,reworked,scrapped\n{rows}"),
    )
    .unwrap();
    press(&mut app, &format!("i{}<Enter>", csv.display()));
    app.wait_for_assessment();
    let screen = text(&app, W, H);
    assert!(screen.contains("Import done") && screen.contains("inserted 4 lots"), "{screen}");
    press(&mut app, "<Esc>");

    // Submit: the confirmation shows the score; then the audit is locked.
    press(&mut app, "S");
    let screen = text(&app, W, H);
    assert!(screen.contains("score 100.0% · grade A · 41 of 41 answered"), "{screen}");
    press(&mut app, "<Enter>");
    let screen = text(&app, W, H);
    // Partial once the lots were in (yield evidenced, the evidence still in a draft); supported now.
    assert!(screen.contains("SZ-NEWMOULD's ODM verdict: partial → supported."), "{screen}");
    assert!(screen.contains("(sealed at submission)"), "the read-only view replaces the editor\n{screen}");
    press(&mut app, "<Esc><Esc>");
    assert!(text(&app, W, H).contains("New Mould Co.  [supported]"));
    press(&mut app, "<Esc>");
    let list = text(&app, W, H);
    let row = list.lines().find(|l| l.contains("SZ-NEWMOULD")).unwrap();
    assert!(row.contains("[supported]") && row.contains("A "), "{row}");

    // And in the database.
    let store = Store::open(&demo.db(), OpenMode::Existing).unwrap();
    let read = store.read();
    let id = read.require_supplier("SZ-NEWMOULD").unwrap();
    let audits = read.audits(id).unwrap();
    assert_eq!(audits.len(), 1);
    let audit = &audits[0];
    assert_eq!(audit.audit.status.as_str(), "submitted");
    assert_eq!(audit.audit.answers.len(), 41);
    assert_eq!(audit.audit.evidence.len(), 1);
    assert_eq!(audit.audit.evidence[0].pillar.as_str(), "material_compatibility");
    assert_eq!(audit.audit.evidence[0].reference.as_deref(), Some("IMG_2041.jpg"));
    let history = read.history(Some(id)).unwrap();
    let seen = |entity: &str, action: &str| {
        history.iter().filter(|h| h.entity.as_str() == entity && h.action.as_str() == action).count()
    };
    assert_eq!(seen("supplier", "create"), 1);
    assert_eq!(seen("claim", "create"), 1);
    assert_eq!(seen("audit", "create"), 1);
    assert_eq!(seen("answer", "update"), 41);
    assert_eq!(seen("evidence", "create"), 1);
    assert_eq!(seen("lots", "create"), 2);
    assert_eq!(seen("lots", "import"), 1);
    assert_eq!(seen("audit", "submit"), 1);
    assert!(history.iter().all(|h| h.actor == "tester"));
}

/// Runs `script` on a fresh demo and checks the form stays open with
/// `message` on screen and nothing at all was written.
#[track_caller]
fn refused(script: &str, message: &str) {
    let demo = Demo::new();
    let mut app = demo.app();
    let before = count(&demo, "SELECT count(*) FROM history");
    press(&mut app, script);
    let screen = text(&app, W, H);
    assert!(screen.contains(message), "{message:?} not shown\n{screen}");
    assert!(screen.contains("✗"), "the refusal is marked next to its field\n{screen}");
    assert!(app.popup().is_some(), "the form stays open");
    assert_eq!(count(&demo, "SELECT count(*) FROM history"), before, "nothing written");
    // Esc drops the form, still writing nothing.
    press(&mut app, "<Esc>");
    assert!(app.popup().is_none());
    assert_eq!(count(&demo, "SELECT count(*) FROM history"), before);
}

#[test]
fn forms_refuse_bad_values_next_to_the_field_and_write_nothing() {
    // A date that does not exist.
    refused("/armor<Enter><Enter>n<Tab><Tab><C-u>2026-02-30<Enter>", "is not a real calendar date");
    // A negative count.
    refused("/armor<Enter><Enter>lL-1<Tab>S<Tab><Tab>TPU<Tab><Tab>-5<Enter>", "must not be negative");
    // More passed first time than started.
    refused("/armor<Enter><Enter>lL-1<Tab>S<Tab><Tab>TPU<Tab><Tab>100<Tab>101<Enter>", "is more than started (100)");
    // A blank required field.
    refused("nSZ-BLANK<Tab><Tab>CN<Enter>", "is required and must not be blank");
    // A code that is already a supplier's.
    refused("nSZ-ARMOR<Tab>Armor again<Tab>CN<Enter>", "SZ-ARMOR is already a supplier's code");
    // A lot code the supplier already has.
    refused(
        "/armor<Enter><Enter>lAR241111-01<Tab>S<Tab><Tab>TPU<Tab><Tab>100<Tab>90<Enter>",
        "AR241111-01 is already recorded for this supplier",
    );
}

#[test]
fn every_answer_is_in_the_database_at_once_and_the_editor_reopens_where_it_was() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/armor<Enter><Enter>a<Enter>yp");
    let answers =
        |demo: &Demo| count(demo, "SELECT count(*) FROM answers WHERE audit_id = (SELECT max(id) FROM audits)");
    assert_eq!(answers(&demo), 2, "written as given, no save step");
    press(&mut app, "<Down><Down>");
    assert!(text(&app, W, H).contains("LG-05 · Legitimacy"));
    // Leave and come back through the Audits pane.
    press(&mut app, "<Esc>3<End><Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("(draft)") && screen.contains("LG-05 · Legitimacy"), "{screen}");
    // A new process (a new app on the same file) reopens there too.
    drop(app);
    let mut app = demo.app();
    press(&mut app, "/armor<Enter><Enter>3<End><Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("LG-05 · Legitimacy") && screen.contains("2 of 41 answered"), "{screen}");
    // Clearing an answer is written at once too.
    press(&mut app, "<Home><BS>");
    assert_eq!(answers(&demo), 1);
}

#[test]
fn a_finding_is_closed_by_a_new_record_also_after_submission() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/armor<Enter><Enter>a<Enter>f<Left>No peel test record<Tab>factory QA<Enter>");
    press(&mut app, "S<Enter><Esc><Esc>4");
    let screen = text(&app, W, H);
    assert!(
        screen.contains("critical") && screen.contains("due 2026-11-22"),
        "7 days for a critical finding\n{screen}"
    );
    let closures = || count(&demo, "SELECT count(*) FROM finding_closures");
    let before = closures();
    press(&mut app, "c<Tab>Peel tests now run per batch, records seen<Enter>");
    assert!(text(&app, W, H).contains("No open findings."));
    assert_eq!(closures(), before + 1);
    // Closing it again is refused: it has left the Open findings pane, so `c`
    // finds nothing to close and says where to select one; no second closure.
    press(&mut app, "c");
    let screen = text(&app, W, H);
    assert!(screen.contains("Select a finding in the Open findings pane (4) first"), "{screen}");
    assert!(app.popup().is_some(), "the refusal is a notice");
    press(&mut app, "<Esc>");
    assert!(app.popup().is_none());
    assert_eq!(closures(), before + 1, "a closure is recorded once");
    // The submitted audit shows the finding closed.
    press(&mut app, "3<End><Enter><End>");
    let screen = text(&app, W, H);
    assert!(screen.contains("closed 2026-11-15"), "{screen}");
}

#[test]
fn claims_are_added_and_retired_and_the_supplier_edited_with_history() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/armor<Enter><Enter>e<Tab><Tab><C-u>Dongguan<Enter>");
    assert!(text(&app, W, H).contains("Dongguan, CN · manufacturer"));
    press(&mut app, "5<End>r<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("retired 2026-11-15"), "{screen}");
    press(&mut app, "6");
    let screen = text(&app, W, H);
    assert!(screen.contains("retire claim") && screen.contains("retired_on: — → 2026-11-15"), "{screen}");
    assert!(screen.contains("update supplier SZ-ARMOR") && screen.contains("city: Shenzhen → Dongguan"), "{screen}");
}
