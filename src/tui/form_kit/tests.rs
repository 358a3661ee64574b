use super::*;
use crate::model::{AuditKind, BusinessModel};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
}

fn form() -> Form {
    Form::new(
        "Test",
        day(),
        vec![
            Entry::fixed(Field::Template, "Checklist", "odm-capability/1"),
            Entry::text(Field::Name, "Name", "", Rule::Text(200)),
            Entry::text(Field::Started, "Started", "", Rule::Count),
            Entry::date(Field::ProducedOn, "Produced", day()),
            Entry::choice(Field::AuditKind, "Kind", Some(AuditKind::DeskReview)),
            Entry::multi(Field::Models, "Models", &[BusinessModel::Odm]),
            Entry::text(Field::Notes, "Notes", "", Rule::Prose(1000)),
        ],
    )
}

fn type_text(form: &mut Form, text: &str) {
    for c in text.chars() {
        form.update(Message::Input(c));
    }
}

#[test]
fn entries_check_as_they_are_typed() {
    let mut f = form();
    assert_eq!(f.focus, 1, "the form opens on the first editable entry");
    type_text(&mut f, "厦门");
    assert_eq!(f.text(Field::Name), "厦门");
    f.update(Message::NextField);
    type_text(&mut f, "-3");
    assert!(f.entries[2].error.as_deref().unwrap().contains("negative"), "{:?}", f.entries[2].error);
    f.update(Message::ClearInput);
    type_text(&mut f, "1200");
    assert_eq!((f.entries[2].error.as_ref(), f.count(Field::Started)), (None, Some(1200)));
    f.update(Message::NextField);
    f.update(Message::ClearInput);
    type_text(&mut f, "today");
    assert_eq!(f.date(Field::ProducedOn), Some(day()));
    f.update(Message::ClearInput);
    type_text(&mut f, "2026-02-30");
    assert!(f.entries[3].error.as_deref().unwrap().contains("real calendar date"));
    assert_eq!(f.update(Message::Accept), Step::Stay);
    assert_eq!(f.focus, 3);
}

#[test]
fn enter_refuses_blank_required_entries_and_focuses_the_first() {
    let mut f = form();
    f.update(Message::NextField);
    assert_eq!(f.update(Message::Accept), Step::Stay);
    assert_eq!(f.focus, 1);
    assert!(f.entries[1].error.as_deref().unwrap().contains("required"));
    assert_eq!(f.update(Message::Cancel), Step::Cancel);
}

#[test]
fn only_arrows_change_a_choice_and_space_ticks_a_multi() {
    let mut f = form();
    f.focus = 4;
    assert_eq!(f.choice::<AuditKind>(Field::AuditKind), Some(AuditKind::DeskReview));
    // Space and letters leave a choice as it is, and say why.
    assert_eq!(f.update(Message::Input(' ')), Step::Stay);
    assert_eq!(f.update(Message::Input('o')), Step::Stay);
    assert_eq!(f.choice::<AuditKind>(Field::AuditKind), Some(AuditKind::DeskReview));
    assert!(f.notice.as_deref().unwrap().contains("←/→"), "{:?}", f.notice);
    f.update(Message::Right);
    assert_eq!(f.choice::<AuditKind>(Field::AuditKind), Some(AuditKind::OnSite));
    f.update(Message::NextField);
    assert_eq!(f.ticked::<BusinessModel>(Field::Models), [BusinessModel::Odm]);
    f.update(Message::Input(' '));
    assert_eq!(f.ticked::<BusinessModel>(Field::Models), [BusinessModel::Oem, BusinessModel::Odm]);
    f.update(Message::Right);
    f.update(Message::Input(' '));
    assert_eq!(f.ticked::<BusinessModel>(Field::Models), [BusinessModel::Oem]);
}

#[test]
fn tab_visits_every_entry_shown_in_order_read_only_ones_too() {
    let mut f = form();
    let mut seen = vec![f.focus];
    for _ in 0..f.entries.len() {
        f.update(Message::NextField);
        seen.push(f.focus);
    }
    assert_eq!(seen, [1, 2, 3, 4, 5, 6, 0, 1]);
    // The read-only entry takes no typing, and says so.
    f.focus = 0;
    assert_eq!(f.update(Message::Input('x')), Step::Stay);
    assert_eq!(f.text(Field::Template), "odm-capability/1");
    assert!(f.notice.as_deref().unwrap().contains("cannot be edited"));
    f.update(Message::PrevField);
    assert_eq!(f.focus, 6);
}

#[test]
fn a_paste_goes_whole_into_the_focused_text_entry() {
    let mut f = form();
    f.focus = 6;
    let pasted = "Licence seen at reception.\r\nno problems found\npartially translated";
    assert_eq!(f.paste(pasted), Step::Changed);
    assert_eq!(f.text(Field::Notes), "Licence seen at reception.\nno problems found\npartially translated");
    // One-line entries refuse several lines, and keep what they had.
    f.focus = 1;
    type_text(&mut f, "Armor");
    assert_eq!(f.paste("two\nlines"), Step::Stay);
    assert_eq!(f.text(Field::Name), "Armor");
    assert!(f.notice.as_deref().unwrap().contains("takes one line"));
    // A line copied with its line break is one line.
    assert_eq!(f.paste(" Works\n"), Step::Changed);
    assert_eq!(f.text(Field::Name), "Armor Works");
    // Not into a choice.
    f.focus = 4;
    assert_eq!(f.paste("on_site"), Step::Stay);
    assert_eq!(f.choice::<AuditKind>(Field::AuditKind), Some(AuditKind::DeskReview));
}

#[test]
fn defaults_follow_until_the_entry_is_edited() {
    let mut f = form();
    f.follow(Field::Started, "7");
    assert_eq!(f.count(Field::Started), Some(7));
    f.focus = 2;
    type_text(&mut f, "0");
    f.follow(Field::Started, "9");
    assert_eq!(f.count(Field::Started), Some(70));
    f.refuse(Some(Field::Started), "is more than you think");
    assert_eq!(f.entries[2].error.as_deref(), Some("is more than you think"));
    f.refuse(None, "the database said no");
    assert_eq!(f.notice.as_deref(), Some("the database said no"));
}
