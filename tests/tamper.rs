//! Tampering with a casebook file from outside casebook, as an attacker with
//! the sqlite3 shell would: each test is one hole, named after what it
//! protects, and shows the change refused by the schema or seen by `casebook
//! check` (and, for a full re-seal or a rolled-back file, seen only against
//! a chain head noted down earlier). BENCHMARKS.md tabulates the classes.

// Test helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::Sandbox;
use rusqlite::Connection;
use serde_json::Value;

fn check(sandbox: &Sandbox, extra: &[&str]) -> (bool, Value) {
    let mut args = vec!["--as-of", "2026-11-15", "check", "--format", "json"];
    args.extend_from_slice(extra);
    let run = sandbox.run(&args);
    (run.code == Some(0), serde_json::from_str(&run.stdout).expect("check prints JSON"))
}

fn problems_of(results: &Value, check: &str) -> Vec<String> {
    results.as_array().unwrap().iter().find(|r| r["check"] == check).unwrap()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

/// Every check that failed, with its problems.
fn failures(results: &Value) -> Vec<(String, Vec<String>)> {
    results
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ok"] == false)
        .map(|r| (r["check"].as_str().unwrap().to_owned(), problems_of(results, r["check"].as_str().unwrap())))
        .collect()
}

/// The audit chain head `check` prints, as `SEQ:HASH`.
fn head(results: &Value, check: &str) -> String {
    let summary = results.as_array().unwrap().iter().find(|r| r["check"] == check).unwrap()["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    summary.rsplit(' ').next().unwrap().to_owned()
}

fn refused(conn: &Connection, sql: &str, fragment: &str) {
    let err = conn.execute_batch(sql).expect_err(sql);
    assert!(err.to_string().contains(fragment), "{sql}: refused with {err}, expected {fragment:?}");
}

/// The SQL of a schema object, to drop it and put it back as it was.
fn schema_sql(conn: &Connection, name: &str) -> String {
    conn.query_row("SELECT sql FROM sqlite_schema WHERE name = ?1", [name], |r| r.get(0)).unwrap()
}

#[test]
fn insert_or_replace_cannot_swap_a_submitted_audit_for_a_draft() {
    let sandbox = Sandbox::demo();
    let conn = sandbox.sql();
    // The attack of issue 11: re-insert the newest sealed audit as a draft
    // (REPLACE deletes the old row without firing its DELETE trigger), then
    // change its answers and submit it again.
    refused(
        &conn,
        "INSERT OR REPLACE INTO audits (id, ref, supplier_id, auditor, visited_on, kind, status, template, gid)
         SELECT id, ref, supplier_id, auditor, visited_on, kind, 'draft', template, gid FROM audits
         WHERE chain_seq = (SELECT max(chain_seq) FROM audits)",
        "audits are never replaced",
    );
    refused(
        &conn,
        "REPLACE INTO audits (ref, supplier_id, auditor, visited_on, kind, status, template, gid)
         SELECT ref, supplier_id, 'x', visited_on, kind, 'draft', template, gid FROM audits WHERE ref = 'A-2026-014'",
        "audits are never replaced",
    );
    drop(conn);
    assert!(check(&sandbox, &[]).0);
}

#[test]
fn replace_is_refused_on_every_protected_table() {
    let sandbox = Sandbox::demo();
    let photo = sandbox.write("IMG_1.jpg", b"a photo");
    sandbox.run(&["attach", "1", photo.to_str().unwrap()]).assert_success();
    let draft = sandbox.run(&["audit", "new", "SZ-NEWCO", "--visited", "2026-11-10"]);
    let reference = draft.stdout.trim().to_owned();
    let evidence = sandbox.run(&[
        "audit",
        "evidence",
        &reference,
        "--pillar",
        "dfm_evaluation",
        "--kind",
        "dfm_report",
        "--strength",
        "document",
        "--description",
        "DFM report",
    ]);
    let id = evidence.stdout.trim().to_owned();
    let lot = sandbox.sql().query_row("SELECT min(lot) FROM lots", [], |r| r.get::<_, String>(0)).unwrap();
    let supplier: String = sandbox
        .sql()
        .query_row("SELECT code FROM suppliers s JOIN lots l ON l.supplier_id = s.id WHERE l.lot = ?1", [&lot], |r| {
            r.get(0)
        })
        .unwrap();
    let annotate = ["--as-of", "2026-11-15", "lot", "annotate", "--supplier", &supplier, "--lot", &lot, "--cause", "x"];
    sandbox.run(&annotate).assert_success();
    let freeze = ["--as-of", "2026-11-15", "plan", "freeze", "--supplier", &supplier, "--baseline-until", "2026-11-15"];
    sandbox.run(&freeze).assert_success();
    let before = sandbox.snapshot();
    let conn = sandbox.sql();
    // Each statement re-inserts an existing row unchanged: REPLACE would
    // delete it and insert it again, bypassing every DELETE trigger.
    for (table, fragment) in [
        ("audits", "audits are never replaced"),
        ("answers", "answers are never replaced"),
        ("evidence", "evidence is never replaced"),
        ("findings", "findings are never replaced"),
        ("finding_closures", "a closure is recorded once and never replaced"),
        ("history", "history is append-only"),
        ("attachments", "attachments are never replaced"),
        ("checklist_templates", "a changed checklist is a new template version"),
        ("checklist_questions", "the questions of a sealed checklist template never change"),
        ("suppliers", "suppliers are never replaced"),
        ("claims", "claims are never replaced"),
        ("lots", "lots are never replaced"),
        ("lot_annotations", "annotations are never replaced"),
        ("control_plans", "plans are never replaced"),
    ] {
        for verb in ["INSERT OR REPLACE", "REPLACE", "INSERT OR IGNORE", "INSERT"] {
            refused(&conn, &format!("{verb} INTO {table} SELECT * FROM {table} LIMIT 1"), fragment);
        }
    }
    // UPDATE OR REPLACE onto another row's key would delete that row.
    refused(&conn, &format!("UPDATE OR REPLACE evidence SET id = 1 WHERE id = {id}"), "never change");
    refused(
        &conn,
        &format!("UPDATE OR REPLACE audits SET ref = 'A-2026-014' WHERE ref = '{reference}'"),
        "never change",
    );
    refused(&conn, "UPDATE OR REPLACE suppliers SET code = 'SZ-ARMOR' WHERE code = 'SZ-NEWCO'", "never change");
    drop(conn);
    sandbox.assert_unchanged(&before);
    assert!(check(&sandbox, &[]).0);
}

#[test]
fn a_same_named_do_nothing_trigger_is_seen() {
    let sandbox = Sandbox::demo();
    let conn = sandbox.sql();
    conn.execute_batch(
        "DROP TRIGGER evidence_frozen_update;
         CREATE TRIGGER evidence_frozen_update BEFORE UPDATE ON evidence WHEN 0
         BEGIN SELECT RAISE(ABORT, 'audit is submitted; its evidence cannot be changed'); END;
         UPDATE evidence SET description = 'edited' WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    let (ok, results) = check(&sandbox, &[]);
    assert!(!ok);
    assert_eq!(
        problems_of(&results, "schema"),
        ["trigger evidence_frozen_update differs from casebook's: its definition was changed (a CHECK, a condition \
          or a column), e.g. to let a change through"]
    );
    assert!(problems_of(&results, "seals")[0].contains("was changed after it was submitted"));
}

#[test]
fn a_dropped_check_an_extra_trigger_and_an_extra_table_are_seen() {
    let sandbox = Sandbox::demo();
    let conn = sandbox.sql();
    // writable_schema: the lots table without its count CHECKs.
    let lots = schema_sql(&conn, "lots");
    let loosened = lots.replace("CHECK (started > 0)", "");
    assert_ne!(lots, loosened);
    conn.execute_batch("PRAGMA writable_schema = ON").unwrap();
    conn.execute("UPDATE sqlite_schema SET sql = ?1 WHERE name = 'lots'", [&loosened]).unwrap();
    conn.execute_batch(
        "PRAGMA writable_schema = OFF;
         CREATE TRIGGER quietly BEFORE INSERT ON lots BEGIN SELECT 1; END;
         CREATE TABLE notes_of_mine (x);",
    )
    .unwrap();
    drop(conn);
    let (ok, results) = check(&sandbox, &[]);
    assert!(!ok);
    let schema = problems_of(&results, "schema");
    assert!(schema.iter().any(|p| p.starts_with("table lots differs from casebook's")), "{schema:?}");
    assert!(schema.contains(&"trigger quietly is not part of casebook's schema: it was added outside casebook".into()));
    assert!(
        schema.contains(&"table notes_of_mine is not part of casebook's schema: it was added outside casebook".into())
    );
    assert_eq!(schema.len(), 3, "{schema:?}");
}

#[test]
fn history_edits_deletions_and_reordering_are_seen() {
    for (what, sql, row) in [
        ("a byte edit", "UPDATE history SET actor = 'someone else' WHERE id = 5", 5),
        ("a deletion in the middle", "DELETE FROM history WHERE id = 5", 6),
        (
            "two rows swapped",
            "UPDATE history SET new_value = CASE id WHEN 5 THEN (SELECT new_value FROM history WHERE id = 6)
                                                   ELSE (SELECT new_value FROM history WHERE id = 5) END
             WHERE id IN (5, 6)",
            5,
        ),
    ] {
        let sandbox = Sandbox::demo();
        let conn = sandbox.sql();
        refused(&conn, sql, "history is append-only");
        conn.execute_batch(&format!(
            "DROP TRIGGER history_append_only_update; DROP TRIGGER history_append_only_delete; {sql};"
        ))
        .unwrap();
        drop(conn);
        let (ok, results) = check(&sandbox, &[]);
        assert!(!ok, "{what}");
        let history = problems_of(&results, "history");
        assert!(
            history.first().is_some_and(|p| p.starts_with(&format!("history row {row} "))
                && p.contains("does not follow from the row before it")),
            "{what}: {history:?}"
        );
    }
}

/// The hash casebook gives a template's content (`store::checklists`),
/// re-implemented as an attacker would to re-hash an edited template.
fn template_hash(conn: &Connection, template: &str) -> String {
    let title: String =
        conn.query_row("SELECT title FROM checklist_templates WHERE template = ?1", [template], |r| r.get(0)).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT json_array(code, position, section, pillar, weight, critical, text, guidance)
             FROM checklist_questions WHERE template = ?1 ORDER BY position, code",
        )
        .unwrap();
    let questions: Vec<Value> = stmt
        .query_map([template], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|q| serde_json::from_str(&q.unwrap()).unwrap())
        .collect();
    let content = serde_json::json!([{ "template": template, "title": title, "questions": questions }]);
    let bytes = format!("casebook-template/1\x1f{content}");
    common::hex(&<sha2::Sha256 as sha2::Digest>::digest(bytes.as_bytes()))
}

#[test]
fn a_template_edit_is_seen_even_without_triggers_and_after_re_hashing() {
    let sandbox = Sandbox::demo();
    let conn = sandbox.sql();
    let shipped: String = conn.query_row("SELECT content_hash FROM checklist_templates", [], |r| r.get(0)).unwrap();
    assert_eq!(template_hash(&conn, "odm-capability/1"), shipped, "the re-implementation matches casebook's");
    refused(
        &conn,
        "UPDATE checklist_questions SET weight = 1 WHERE code = 'LG-01'",
        "a checklist question never changes",
    );
    refused(&conn, "DELETE FROM checklist_questions WHERE code = 'LG-01'", "never deleted");
    refused(&conn, "UPDATE checklist_templates SET content_hash = NULL", "a checklist template never changes");
    conn.execute_batch(
        "DROP TRIGGER checklist_questions_frozen; UPDATE checklist_questions SET weight = 1 WHERE code = 'LG-01';",
    )
    .unwrap();
    let (ok, results) = check(&sandbox, &[]);
    assert!(!ok);
    assert!(problems_of(&results, "templates")[0].contains("checklist template odm-capability/1 was changed"));
    // Every audit sealed on that template sees it too: its seal covers the
    // template's content.
    let seals = problems_of(&results, "seals");
    assert_eq!(seals.len(), 14, "{seals:?}");
    assert!(seals.iter().all(|p| p.contains("was changed after it was submitted")), "{seals:?}");
    // Re-hashing the template hides nothing.
    let edited = template_hash(&conn, "odm-capability/1");
    conn.execute_batch("DROP TRIGGER checklist_templates_frozen").unwrap();
    conn.execute("UPDATE checklist_templates SET content_hash = ?1", [&edited]).unwrap();
    drop(conn);
    let (ok, results) = check(&sandbox, &[]);
    assert!(!ok);
    assert_eq!(
        problems_of(&results, "templates"),
        ["checklist template odm-capability/1 differs from the one casebook ships, and so does its hash: it was \
          edited and re-hashed"]
    );
    assert_eq!(problems_of(&results, "seals").len(), 14);
}

#[test]
fn attachment_and_closure_rows_cannot_be_pointed_elsewhere() {
    let sandbox = Sandbox::demo();
    let photo = sandbox.write("IMG_2041.jpg", b"a photo of a peel test");
    let other = sandbox.write("other.jpg", b"another file altogether");
    sandbox.run(&["attach", "1", photo.to_str().unwrap()]).assert_success();
    let (size, sha) = (std::fs::metadata(&other).unwrap().len(), common::sha256_of(&other));
    let conn = sandbox.sql();
    let repoint = format!(
        "UPDATE attachments SET path = '{}', size = {size}, sha256 = '{sha}'",
        other.to_str().unwrap().replace('\'', "''")
    );
    refused(&conn, &repoint, "attachments are recorded once");
    refused(&conn, "UPDATE finding_closures SET evidence = 'nothing'", "never changed");
    conn.execute_batch(&format!(
        "DROP TRIGGER attachments_append_only_update; DROP TRIGGER finding_closures_append_only_update;
         {repoint}; UPDATE finding_closures SET evidence = 'nothing' WHERE finding_id = (SELECT min(finding_id) FROM finding_closures);"
    ))
    .unwrap();
    drop(conn);
    let (ok, results) = check(&sandbox, &[]);
    assert!(!ok);
    // The attacker pointed the row at another file with its hash: the file
    // store holds no file with that hash, and the fact's own hash does not match.
    let attachments = problems_of(&results, "attachments");
    assert!(attachments.len() == 1 && attachments[0].starts_with("attachment 1 (evidence 1): "), "{attachments:?}");
    let facts = problems_of(&results, "facts");
    assert!(facts.iter().any(|p| p.starts_with("attachment 1 was changed after it was recorded")), "{facts:?}");
    assert!(facts.iter().any(|p| p.starts_with("the closure of finding ") && p.contains("was changed")), "{facts:?}");
}

/// Un-submits the newest audit with its trigger dropped (and put back as it
/// was, so the schema matches), changes an answer and submits it again with
/// casebook. Returns the audit's reference.
fn reseal_newest_audit(sandbox: &Sandbox) -> String {
    let conn = sandbox.sql();
    let reference: String = conn
        .query_row("SELECT ref FROM audits WHERE chain_seq = (SELECT max(chain_seq) FROM audits)", [], |r| r.get(0))
        .unwrap();
    let frozen = schema_sql(&conn, "audits_submitted_frozen");
    conn.execute_batch(&format!(
        "DROP TRIGGER audits_submitted_frozen;
         UPDATE audits SET status = 'draft', submitted_at = NULL, score_pct = NULL, grade = NULL, critical_no = NULL,
                           content_hash = NULL, chain_seq = NULL, chain_hash = NULL, seal_format = NULL
         WHERE ref = '{reference}';
         {frozen};"
    ))
    .unwrap();
    drop(conn);
    sandbox.run(&["audit", "answer", &reference, "LG-01", "no"]).assert_success();
    sandbox.run(&["audit", "submit", &reference]).assert_success();
    reference
}

/// The history chain recomputed from row 1 (`store::history`), as an
/// attacker who rewrote history would, with the triggers put back after.
fn rechain_history(conn: &Connection) {
    let update = schema_sql(conn, "history_append_only_update");
    conn.execute_batch("DROP TRIGGER history_append_only_update").unwrap();
    let rows: Vec<(i64, Value)> = conn
        .prepare(
            "SELECT h.id, json_object('at', h.at, 'actor', h.actor, 'supplier', s.code, 'entity', h.entity,
                    'key', h.entity_key, 'action', h.action, 'field', h.field, 'old', h.old_value,
                    'new', h.new_value, 'fact', h.fact_hash)
             FROM history h LEFT JOIN suppliers s ON s.id = h.supplier_id ORDER BY h.id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, serde_json::from_str(&r.get::<_, String>(1)?).unwrap())))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut previous = "0".repeat(64);
    for (id, row) in rows {
        let bytes = format!("casebook-history/1\x1f{previous}\x1f{row}");
        previous = common::hex(&<sha2::Sha256 as sha2::Digest>::digest(bytes.as_bytes()));
        conn.execute("UPDATE history SET chain_hash = ?2 WHERE id = ?1", rusqlite::params![id, previous]).unwrap();
    }
    conn.execute_batch(&update).unwrap();
}

#[test]
fn a_resealed_audit_is_seen_and_a_resealed_history_only_against_a_noted_head() {
    let sandbox = Sandbox::demo();
    let (ok, before) = check(&sandbox, &[]);
    assert!(ok);
    let noted = head(&before, "seals");
    let noted_history = head(&before, "history");
    assert!(noted.starts_with("14:"), "{noted}");
    assert!(check(&sandbox, &["--expect-head", &noted, "--expect-history-head", &noted_history]).0);
    let hash_only = noted.split_once(':').unwrap().1.to_owned();
    assert!(check(&sandbox, &["--expect-head", &hash_only]).0);

    // Re-sealing an audit leaves the history's record of its first seal.
    let reference = reseal_newest_audit(&sandbox);
    let (ok, results) = check(&sandbox, &[]);
    assert!(!ok);
    let seals = problems_of(&results, "seals");
    assert_eq!(seals.len(), 1, "{seals:?}");
    assert!(seals[0].contains(&format!("submission of audit {reference} with a seal no audit has now")), "{seals:?}");

    // An attacker who also deletes that history row and re-chains the
    // history leaves a file consistent in every way it can show.
    let conn = sandbox.sql();
    let delete = schema_sql(&conn, "history_append_only_delete");
    conn.execute_batch(&format!(
        "DROP TRIGGER history_append_only_delete;
         DELETE FROM history WHERE entity = 'audit' AND action = 'submit' AND entity_key = '{reference}'
           AND fact_hash NOT IN (SELECT content_hash FROM audits WHERE content_hash IS NOT NULL);
         {delete};"
    ))
    .unwrap();
    rechain_history(&conn);
    drop(conn);
    let (ok, after) = check(&sandbox, &[]);
    assert!(ok, "a full re-seal is consistent in itself: {:?}", failures(&after));
    assert_ne!(head(&after, "seals"), noted);
    // Only the heads noted before show it.
    let (ok, results) = check(&sandbox, &["--expect-head", &noted, "--expect-history-head", &noted_history]);
    assert!(!ok);
    assert_eq!(
        problems_of(&results, "seals"),
        [format!(
            "the noted audit chain head #{} is not in the chain; the chain holds another link at #14: the chain was \
             rewritten and re-sealed",
            noted.replace(':', " ")
        )]
    );
    assert!(problems_of(&results, "history")[0].contains("the noted history chain head"));
    assert!(!check(&sandbox, &["--expect-head", &hash_only]).0);
}

#[test]
fn a_rolled_back_file_is_seen_only_against_a_noted_head() {
    let sandbox = Sandbox::demo();
    let old = sandbox.path("yesterday.db");
    sandbox.run(&["backup", old.to_str().unwrap()]).assert_success();
    let reference = sandbox.run(&["audit", "new", "SZ-NEWCO", "--visited", "2026-11-10"]).stdout.trim().to_owned();
    sandbox.run(&["audit", "answer", &reference, "LG-01", "yes"]).assert_success();
    sandbox.run(&["audit", "submit", &reference]).assert_success();
    let (ok, today) = check(&sandbox, &[]);
    assert!(ok);
    let (audits, history) = (head(&today, "seals"), head(&today, "history"));
    // Someone puts yesterday's copy back.
    std::fs::copy(&old, &sandbox.db).unwrap();
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", sandbox.db.display()));
    }
    assert!(check(&sandbox, &[]).0, "the old file is sound in itself");
    let (ok, results) = check(&sandbox, &["--expect-head", &audits, "--expect-history-head", &history]);
    assert!(!ok);
    assert!(problems_of(&results, "seals")[0].contains("the chain now ends at #14: the file was rolled back"));
    assert!(problems_of(&results, "history")[0].contains("the file was rolled back"));
}

#[test]
fn a_noted_head_must_be_well_formed() {
    let sandbox = Sandbox::demo();
    let run = sandbox.run(&["check", "--expect-head", "14:abc"]);
    assert_eq!(run.code, Some(2), "a usage error: {}", run.stderr);
    assert!(run.stderr.contains("expected 64 hexadecimal digits"), "{}", run.stderr);
}

#[test]
fn export_names_the_audit_chain_head_that_check_prints() {
    let sandbox = Sandbox::demo();
    let (_, results) = check(&sandbox, &[]);
    let noted = head(&results, "seals");
    let out = sandbox.path("all.json");
    let run = sandbox.run(&["export", "-o", out.to_str().unwrap()]);
    run.assert_success().assert_stderr_has(&format!("exported 14 supplier(s); audit chain head {noted}\n"));
    assert!(check(&sandbox, &["--expect-head", &noted]).0);
}
