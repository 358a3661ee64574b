//! Checklist scoring and grading case by case, the default template as
//! migration 2 installs it, and properties that must hold for any answers.

use proptest::prelude::*;

use super::*;
use crate::model::DEFAULT_TEMPLATE;
use crate::store::Store;

use AnswerResult::{Na, No, Partial, Yes};
use Section::{Legitimacy, MaterialCompatibility};

fn question(code: &str, section: Section, weight: u8, critical: bool) -> Question {
    Question {
        code: code.to_owned(),
        section,
        pillar: None,
        weight,
        critical,
        text: format!("{code}?"),
        guidance: None,
    }
}

fn template(questions: Vec<Question>) -> Template {
    Template { id: "test/1".to_owned(), title: "Test".to_owned(), questions }
}

fn answers(pairs: &[(&str, AnswerResult)]) -> Vec<Answer> {
    pairs.iter().map(|&(code, result)| Answer { question: code.to_owned(), result, note: None }).collect()
}

fn close(pct: Option<f64>, expected: f64) -> bool {
    pct.is_some_and(|p| (p - expected).abs() < 1e-9)
}

/// Two legitimacy and three material questions, one of them critical.
fn small() -> Template {
    template(vec![
        question("L1", Legitimacy, 3, true),
        question("L2", Legitimacy, 1, false),
        question("M1", MaterialCompatibility, 2, false),
        question("M2", MaterialCompatibility, 3, false),
        question("M3", MaterialCompatibility, 1, false),
    ])
}

/// `count` questions of weight 1 in one section.
fn flat(count: usize) -> Template {
    template((1..=count).map(|i| question(&format!("Q{i}"), Legitimacy, 1, false)).collect())
}

/// Answers on [`flat`] worth `points` out of 2 × `count`, all answered.
fn worth(count: usize, points: usize) -> Vec<Answer> {
    (1..=count)
        .map(|i| {
            // Yes while the points last, then one partial for an odd remainder.
            let result = if 2 * i <= points {
                Yes
            } else if 2 * i - 1 == points {
                Partial
            } else {
                No
            };
            Answer { question: format!("Q{i}"), result, note: None }
        })
        .collect()
}

#[test]
fn weights_and_na_give_hand_computed_percentages() {
    let given = answers(&[("L1", Yes), ("L2", Partial), ("M1", No), ("M2", Na), ("M3", Yes)]);
    let s = score(&small(), &given, &GradeRules::default());

    // Legitimacy: 3·2 + 1·1 = 7 of 8.
    let legitimacy = &s.sections[0];
    assert_eq!(legitimacy.section, Legitimacy);
    assert_eq!((legitimacy.tally.points, legitimacy.tally.max_points), (7, 8));
    assert!(close(legitimacy.pct, 87.5));

    // Material: M2 is n/a and leaves the denominator: 2·0 + 1·2 = 2 of 6.
    let material = &s.sections[1];
    assert_eq!(material.section, MaterialCompatibility);
    assert_eq!((material.tally.points, material.tally.max_points), (2, 6));
    assert_eq!((material.tally.total, material.tally.applicable, material.tally.answered), (3, 2, 2));
    assert!(close(material.pct, 100.0 / 3.0));

    // Overall is 9 of 14, not the mean of the sections (60.42).
    assert_eq!((s.overall.points, s.overall.max_points), (9, 14));
    assert!(close(s.pct, 900.0 / 14.0));
    assert_eq!((s.overall.total, s.overall.applicable, s.overall.answered), (5, 4, 4));
    assert_eq!(s.grade, Grade::C);
    assert!(s.unanswered.is_empty() && s.critical_no.is_empty() && s.unknown_codes.is_empty());
}

#[test]
fn unanswered_stays_applicable_but_out_of_the_percentage() {
    let given = answers(&[("L1", Yes), ("L2", Partial), ("M1", No), ("M3", Yes)]);
    let s = score(&small(), &given, &GradeRules::default());
    assert_eq!(s.unanswered, ["M2"]);
    assert_eq!((s.overall.applicable, s.overall.answered), (5, 4));
    assert!(close(s.pct, 900.0 / 14.0));
}

#[test]
fn band_boundaries_on_unrounded_percentages() {
    let cases = [
        (100.0, Grade::A),
        (86.0, Grade::A),
        (85.99, Grade::B),
        (71.0, Grade::B),
        (70.99, Grade::C),
        (70.9, Grade::C),
        (51.0, Grade::C),
        (50.99, Grade::D),
        (50.0, Grade::D),
        (30.0, Grade::D),
        (29.9, Grade::E),
        (0.0, Grade::E),
    ];
    for (pct, grade) in cases {
        assert_eq!(Grade::band(pct), grade, "{pct}%");
    }
}

#[test]
fn scored_percentages_land_in_the_right_band() {
    // 50 questions of weight 1: 100 points available, so points = percent.
    let cases = [
        (86, Grade::A),
        (85, Grade::B),
        (71, Grade::B),
        (70, Grade::C),
        (51, Grade::C),
        (50, Grade::D),
        (30, Grade::D),
        (29, Grade::E),
    ];
    for (points, grade) in cases {
        let s = score(&flat(50), &worth(50, points), &GradeRules::default());
        assert_eq!(s.overall.points, u32::try_from(points).unwrap());
        assert_eq!(s.grade, grade, "{points} points");
    }
}

#[test]
fn critical_no_caps_the_grade() {
    let all_yes_but_l1 = answers(&[("L1", No), ("L2", Yes), ("M1", Yes), ("M2", Yes), ("M3", Yes)]);
    // Band of 14 of 20 = 70% would be C; the cap makes it D.
    let s = score(&small(), &all_yes_but_l1, &GradeRules::default());
    assert!(close(s.pct, 70.0));
    assert_eq!(s.critical_no, ["L1"]);
    assert_eq!(s.grade, Grade::D);

    let lenient = GradeRules { critical_cap: Grade::B, ..GradeRules::default() };
    assert_eq!(score(&small(), &all_yes_but_l1, &lenient).grade, Grade::C);

    // A weight-1 critical question on a large template: band A, capped to D.
    let mut big = flat(50);
    big.questions[0].critical = true;
    let mut given = worth(50, 100);
    given[0].result = No;
    let s = score(&big, &given, &GradeRules::default());
    assert_eq!(Grade::band(s.pct.unwrap()), Grade::A);
    assert_eq!(s.grade, Grade::D);
}

#[test]
fn critical_partial_or_unanswered_does_not_cap() {
    let mut big = flat(50);
    big.questions[0].critical = true;
    let mut given = worth(50, 100);
    given[0].result = Partial;
    assert_eq!(score(&big, &given, &GradeRules::default()).grade, Grade::A);
    given.remove(0);
    let s = score(&big, &given, &GradeRules::default());
    assert_eq!((s.grade, s.unanswered.as_slice()), (Grade::A, ["Q1".to_owned()].as_slice()));
    assert!(s.critical_no.is_empty());
}

#[test]
fn cap_never_improves_a_worse_grade() {
    assert_eq!(Grade::E.capped_at(Grade::D), Grade::E);
    assert_eq!(Grade::A.capped_at(Grade::D), Grade::D);
    assert_eq!(Grade::Insufficient.capped_at(Grade::D), Grade::Insufficient);
    assert_eq!(Grade::A.capped_at(Grade::Insufficient), Grade::A);
}

#[test]
fn exactly_half_answered_is_enough_one_fewer_is_insufficient() {
    // 10 questions, 2 n/a: 8 applicable, so 4 answers are needed.
    let mut given = answers(&[("Q1", Na), ("Q2", Na), ("Q3", Yes), ("Q4", Yes), ("Q5", Yes)]);
    let s = score(&flat(10), &given, &GradeRules::default());
    assert_eq!((s.overall.applicable, s.overall.answered), (8, 3));
    assert_eq!(s.grade, Grade::Insufficient);
    assert!(close(s.pct, 100.0), "the percentage is still shown");

    given.extend(answers(&[("Q6", Yes)]));
    let s = score(&flat(10), &given, &GradeRules::default());
    assert_eq!(s.overall.answered, 4);
    assert_eq!(s.grade, Grade::A);
}

#[test]
fn nothing_answered_or_all_na_is_insufficient_without_a_score() {
    let s = score(&small(), &[], &GradeRules::default());
    assert_eq!((s.pct, s.grade), (None, Grade::Insufficient));
    assert_eq!(s.unanswered, ["L1", "L2", "M1", "M2", "M3"]);
    assert!(s.sections.iter().all(|section| section.pct.is_none()));

    let all_na = answers(&[("L1", Na), ("L2", Na), ("M1", Na), ("M2", Na), ("M3", Na)]);
    let anything_goes = GradeRules { min_answered_share: 0.0, ..GradeRules::default() };
    let s = score(&small(), &all_na, &anything_goes);
    assert_eq!((s.pct, s.grade, s.overall.applicable), (None, Grade::Insufficient, 0));
}

#[test]
fn share_threshold_is_exact_for_decimal_shares() {
    // 0.55 × 100.0 = 55.00000000000001 in f64: 55 of 100 must still pass.
    let rules = GradeRules { min_answered_share: 0.55, ..GradeRules::default() };
    let given: Vec<Answer> = worth(100, 200).into_iter().take(55).collect();
    assert_eq!(score(&flat(100), &given, &rules).grade, Grade::A);
    let given: Vec<Answer> = worth(100, 200).into_iter().take(54).collect();
    assert_eq!(score(&flat(100), &given, &rules).grade, Grade::Insufficient);
}

#[test]
fn unknown_codes_are_reported_and_ignored() {
    let known = answers(&[("L1", Yes), ("L2", Partial), ("M1", No)]);
    let mut given = known.clone();
    given.extend(answers(&[("ZZ-99", No), ("l1", Yes), ("ZZ-99", Yes)]));
    let with_unknown = score(&small(), &given, &GradeRules::default());
    assert_eq!(with_unknown.unknown_codes, ["ZZ-99", "l1"]);
    let without = score(&small(), &known, &GradeRules::default());
    assert_eq!(Score { unknown_codes: Vec::new(), ..with_unknown }, without);
}

#[test]
fn a_code_answered_twice_counts_once_with_the_last_answer() {
    let given = answers(&[("L1", No), ("L2", Yes), ("L1", Yes)]);
    let s = score(&small(), &given, &GradeRules::default());
    assert_eq!((s.overall.answered, s.overall.points), (2, 8));
    assert!(s.critical_no.is_empty());
}

#[test]
fn score_serialises_with_flat_counts_and_grade_words() {
    let s = score(&small(), &answers(&[("L1", Yes)]), &GradeRules::default());
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["grade"], "insufficient");
    assert_eq!(json["answered"], 1);
    assert_eq!(json["sections"][0]["section"], "legitimacy");
    assert_eq!(json["sections"][1]["pct"], serde_json::Value::Null);
}

// ---- The default template, as migration 2 installs it ----------------

/// A fresh store, migrated as a user's database is.
fn migrated() -> Store {
    Store::open_in_memory().unwrap()
}

/// (position, template) read back by the store's own loader.
fn load(store: &Store, id: &str) -> (Vec<i64>, Template) {
    let template = store.read().template(id).unwrap();
    let mut stmt =
        store.conn().prepare("SELECT position FROM checklist_questions WHERE template = ?1 ORDER BY position").unwrap();
    let positions = stmt.query_map([id], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
    (positions, template)
}

/// Code prefix, number of questions, section and pillar, as agreed.
const LAYOUT: [(&str, usize, Section, Option<Pillar>); 6] = [
    ("LG", 8, Section::Legitimacy, None),
    ("MC", 7, Section::MaterialCompatibility, Some(Pillar::MaterialCompatibility)),
    ("AC", 7, Section::AssemblyConstraints, Some(Pillar::AssemblyConstraints)),
    ("PY", 6, Section::ProductionYield, Some(Pillar::ProductionYield)),
    ("DF", 7, Section::DfmEvaluation, Some(Pillar::DfmEvaluation)),
    ("QC", 6, Section::QualityControl, None),
];

#[test]
fn migration_installs_the_default_template_as_agreed() {
    let (positions, t) = load(&migrated(), DEFAULT_TEMPLATE);
    assert_eq!(t.title, "Protective-case ODM capability audit");
    assert_eq!(positions, (1..=41).collect::<Vec<i64>>());

    let expected: Vec<(String, Section, Option<Pillar>)> = LAYOUT
        .iter()
        .flat_map(|&(prefix, n, section, pillar)| (1..=n).map(move |i| (format!("{prefix}-{i:02}"), section, pillar)))
        .collect();
    let actual: Vec<(String, Section, Option<Pillar>)> =
        t.questions.iter().map(|q| (q.code.clone(), q.section, q.pillar)).collect();
    assert_eq!(actual, expected);

    for q in &t.questions {
        assert!((1..=3).contains(&q.weight), "{} weight {}", q.code, q.weight);
        assert!(q.text.trim().ends_with('?'), "{} is not a question", q.code);
        assert!(q.guidance.as_deref().is_some_and(|g| g.contains("Yes:")), "{} guidance", q.code);
    }
    let critical: Vec<&str> = t.questions.iter().filter(|q| q.critical).map(|q| q.code.as_str()).collect();
    assert!((4..=6).contains(&critical.len()), "{critical:?}");
    assert!(["LG-01", "LG-02", "LG-03"].iter().all(|c| critical.contains(c)), "{critical:?}");
}

#[test]
fn default_template_scores_end_to_end() {
    let (_, t) = load(&migrated(), DEFAULT_TEMPLATE);
    let all_yes: Vec<Answer> =
        t.questions.iter().map(|q| Answer { question: q.code.clone(), result: Yes, note: None }).collect();
    let s = score(&t, &all_yes, &GradeRules::default());
    assert_eq!((s.pct, s.grade, s.sections.len()), (Some(100.0), Grade::A, 6));

    let mut bad_payee = all_yes;
    bad_payee[1].result = No;
    let s = score(&t, &bad_payee, &GradeRules::default());
    assert_eq!((s.grade, s.critical_no.as_slice()), (Grade::D, ["LG-02".to_owned()].as_slice()));
}

#[test]
fn migration_answers_are_bound_to_the_template() {
    // The schema rejects answers to codes the template does not have.
    let store = migrated();
    let conn = store.conn();
    conn.execute_batch(
        "INSERT INTO suppliers (id, code, name, country) VALUES (1, 'S', 'S', 'CN');
         INSERT INTO audits (id, ref, supplier_id, auditor, visited_on, kind, template, gid)
         VALUES (1, 'A-1', 1, 'me', '2026-05-10', 'on_site', 'odm-capability/1',
                 '0190f3c2-7b1e-7cc0-9a4e-2f1d0c3b5a61');
         INSERT INTO answers (audit_id, template, question, result)
         VALUES (1, 'odm-capability/1', 'LG-01', 'yes');",
    )
    .unwrap();
    let unknown = conn.execute(
        "INSERT INTO answers (audit_id, template, question, result)
         VALUES (1, 'odm-capability/1', 'LG-99', 'yes')",
        [],
    );
    assert!(unknown.is_err());
}

// ---- Properties ------------------------------------------------------

/// One question and its answer (`None`: unanswered).
type Row = (Section, u8, bool, Option<AnswerResult>);

fn row() -> impl Strategy<Value = Row> {
    (
        prop::sample::select(Section::ALL),
        1u8..=3,
        any::<bool>(),
        prop::option::of(prop::sample::select(AnswerResult::ALL)),
    )
}

fn rules() -> impl Strategy<Value = GradeRules> {
    (prop::sample::select(&Grade::ALL[..5]), 0.0..=1.0f64)
        .prop_map(|(critical_cap, min_answered_share)| GradeRules { critical_cap, min_answered_share })
}

fn score_rows(rows: &[Row], rules: &GradeRules) -> Score {
    let questions = rows
        .iter()
        .enumerate()
        .map(|(i, &(section, weight, critical, _))| question(&format!("Q{i}"), section, weight, critical))
        .collect();
    let given: Vec<Answer> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| row.3.map(|result| Answer { question: format!("Q{i}"), result, note: None }))
        .collect();
    score(&template(questions), &given, rules)
}

fn in_range(pct: Option<f64>) -> bool {
    pct.is_none_or(|p| (0.0..=100.0).contains(&p))
}

proptest! {
    #[test]
    fn percentages_are_within_0_to_100(rows in prop::collection::vec(row(), 0..40), rules in rules()) {
        let s = score_rows(&rows, &rules);
        prop_assert!(in_range(s.pct));
        prop_assert!(s.sections.iter().all(|section| in_range(section.pct)));
        let section_points: u32 = s.sections.iter().map(|section| section.tally.points).sum();
        prop_assert_eq!(section_points, s.overall.points);
    }

    #[test]
    fn better_answers_never_lower_the_score(rows in prop::collection::vec(row(), 1..40), rules in rules()) {
        let before = score_rows(&rows, &rules);
        for i in 0..rows.len() {
            let better = match rows[i].3 {
                Some(No) => Partial,
                Some(Partial) => Yes,
                _ => continue,
            };
            let mut improved = rows.clone();
            improved[i].3 = Some(better);
            let after = score_rows(&improved, &rules);
            prop_assert!(after.pct >= before.pct, "pct {:?} → {:?}", before.pct, after.pct);
            // Grades are ordered best first.
            prop_assert!(after.grade <= before.grade, "grade {} → {}", before.grade, after.grade);
        }
    }

    #[test]
    fn na_on_an_unanswered_question_keeps_the_percentage(
        rows in prop::collection::vec(row(), 1..40),
        rules in rules(),
    ) {
        let before = score_rows(&rows, &rules);
        for i in (0..rows.len()).filter(|&i| rows[i].3.is_none()) {
            let mut with_na = rows.clone();
            with_na[i].3 = Some(Na);
            let after = score_rows(&with_na, &rules);
            prop_assert_eq!(after.pct, before.pct);
            let pcts = |s: &Score| s.sections.iter().map(|x| x.pct).collect::<Vec<_>>();
            prop_assert_eq!(pcts(&after), pcts(&before));
        }
    }
}
