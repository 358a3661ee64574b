//! Tests of global ids, tags and the hybrid logical clock.

use proptest::prelude::*;

use super::*;

fn tag(s: &str) -> Tag {
    s.parse().unwrap()
}

#[test]
fn v7_ids_carry_their_time_and_sort_by_it() {
    let a = Gid::v7(1_763_712_000_000, [0xff; 10]);
    let b = Gid::v7(1_763_712_000_001, [0x00; 10]);
    assert_eq!(a.unix_ms(), Some(1_763_712_000_000));
    assert!(a < b && a.to_string() < b.to_string());
    let text = a.to_string();
    assert_eq!(text.len(), 36);
    assert_eq!(&text[14..15], "7", "version nibble: {text}");
    assert_eq!(text.parse::<Gid>().unwrap(), a);
    assert!(!a.is_derived());
}

#[test]
fn derived_ids_are_stable_and_tell_apart_what_differs() {
    let one = Gid::derived("audit", &["A-2026-042", "XM-FEWLOTS", "lin.wei"]);
    assert_eq!(one, Gid::derived("audit", &["A-2026-042", "XM-FEWLOTS", "lin.wei"]));
    assert_ne!(one, Gid::derived("audit", &["A-2026-042", "XM-FEWLOTS", "chen.li"]));
    assert_ne!(one, Gid::derived("claim", &["A-2026-042", "XM-FEWLOTS", "lin.wei"]));
    // Parts are length-prefixed, not concatenated.
    assert_ne!(Gid::derived("x", &["ab", "c"]), Gid::derived("x", &["a", "bc"]));
    assert!(one.is_derived());
    assert_eq!(one.unix_ms(), None);
    assert_eq!(one.to_string().parse::<Gid>().unwrap(), one);
    // A fixed value: databases in the field carry these; the rule must not drift.
    assert_eq!(Gid::derived("supplier", &["SZ-ARMOR"]).to_string(), derived_fixture());
}

/// Computed independently of `Gid::derived`: SHA-256 over the documented
/// byte layout, first 16 bytes, version 8 and the RFC variant set.
fn derived_fixture() -> String {
    let mut input = b"casebook gid v1\0supplier".to_vec();
    input.extend_from_slice(&8_u64.to_be_bytes());
    input.extend_from_slice(b"SZ-ARMOR");
    let digest = Sha256::digest(&input);
    let mut b: [u8; 16] = digest[..16].try_into().unwrap();
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::store::hex(&b);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[test]
fn only_the_canonical_spelling_of_a_v7_or_v8_id_is_accepted() {
    let good = Gid::v7(1, [0xab; 10]).to_string();
    assert!(good.parse::<Gid>().is_ok());
    for bad in [
        good.to_uppercase(),
        good.replace('-', ""),
        format!("{{{good}}}"),
        "550e8400-e29b-41d4-a716-446655440000".to_owned(), // v4
        String::new(),
        "A-2026-042".to_owned(),
    ] {
        let err = bad.parse::<Gid>().unwrap_err();
        assert!(err.to_string().contains("not a global id"), "{bad}: {err}");
    }
}

#[test]
fn tags_use_crockford_letters_only() {
    let all: std::collections::BTreeSet<String> = (0..1 << 15).map(|b| Tag::from_bits(b).to_string()).collect();
    assert_eq!(all.len(), 1 << 15, "every 15-bit value gives its own tag");
    assert!(all.iter().all(|t| t.len() == 3 && !t.contains(['I', 'L', 'O', 'U'])));
    assert_eq!(tag("K7Q").to_string(), "K7Q");
    for bad in ["K7", "K7QQ", "k7q", "KIQ", "K-Q", "KOQ"] {
        assert!(bad.parse::<Tag>().is_err(), "{bad}");
    }
}

#[test]
fn clock_text_has_fixed_widths_and_round_trips() {
    let h = Hlc { millis: 1_763_712_000_000, counter: 3, node: tag("K7Q") };
    assert_eq!(h.to_string(), "1763712000000.00003.K7Q");
    assert_eq!(h.to_string().parse::<Hlc>().unwrap(), h);
    assert_eq!(h.day().unwrap().to_string(), "2025-11-21");
    for bad in ["1763712000000.3.K7Q", "1763712000000.00003", "x763712000000.00003.K7Q", "1.00003.K7Q"] {
        assert!(bad.parse::<Hlc>().is_err(), "{bad}");
    }
}

#[test]
fn a_wall_clock_years_ahead_loses_to_an_edit_made_after_seeing_it() {
    let (fast, slow) = (tag("FFF"), tag("SSS"));
    let now = 1_763_712_000_000;
    let five_years = 5 * 365 * 86_400_000;
    // The laptop with the wrong clock edits first…
    let wrong = Hlc::tick(None, now + five_years, fast);
    // …someone merges its work and edits the same field a minute later.
    let seen = Hlc::observe(Some(Hlc::tick(None, now, slow)), wrong);
    let later = Hlc::tick(Some(seen), now + 60_000, slow);
    assert!(later > wrong);
    // Without having seen it, the correct clock only wins once real time passes it.
    assert!(Hlc::tick(None, now + 60_000, slow) < wrong);
    assert!(Hlc::tick(None, now + five_years + 1, slow) > wrong);
}

#[test]
fn the_counter_spills_into_the_next_millisecond() {
    let node = tag("K7Q");
    let full = Hlc { millis: 10, counter: COUNTER_MAX, node };
    let next = Hlc::tick(Some(full), 5, node);
    assert_eq!((next.millis, next.counter), (11, 0));
    assert!(next > full && next.to_string() > full.to_string());
}

fn arb_tag() -> impl Strategy<Value = Tag> {
    any::<u16>().prop_map(|b| Tag::from_bits(b & 0x7fff))
}

fn arb_hlc() -> impl Strategy<Value = Hlc> {
    (0..MILLIS_MAX, 0..=COUNTER_MAX, arb_tag()).prop_map(|(millis, counter, node)| Hlc { millis, counter, node })
}

/// One step of an offline team: node `who` edits at its (skewed) wall
/// clock, or merges what node `from` has seen.
#[derive(Debug, Clone)]
enum Step {
    Edit { who: usize, advance_ms: u64 },
    Merge { who: usize, from: usize },
}

fn arb_steps() -> impl Strategy<Value = (Vec<i64>, Vec<Step>)> {
    let skews = prop::collection::vec(-(10_i64.pow(11))..10_i64.pow(11), 2..=5);
    skews.prop_flat_map(|skews| {
        let n = skews.len();
        let step = prop_oneof![
            (0..n, 0_u64..5_000).prop_map(|(who, advance_ms)| Step::Edit { who, advance_ms }),
            (0..n, 0..n).prop_map(|(who, from)| Step::Merge { who, from }),
        ];
        (Just(skews), prop::collection::vec(step, 1..80))
    })
}

proptest! {
    #[test]
    fn text_order_is_clock_order(a in arb_hlc(), b in arb_hlc()) {
        prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        prop_assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
    }

    #[test]
    fn readings_only_go_up_whatever_the_wall_clock_does(
        walls in prop::collection::vec(0..MILLIS_MAX, 1..200), node in arb_tag()
    ) {
        let mut last: Option<Hlc> = None;
        for wall in walls {
            let next = Hlc::tick(last, wall, node);
            prop_assert!(last.is_none_or(|l| next > l), "{last:?} then {next:?} at wall {wall}");
            prop_assert!(next.millis >= wall.min(MILLIS_MAX));
            last = Some(next);
        }
    }

    /// Offline nodes with skewed clocks edit and merge in any order. Every
    /// edit orders after every edit its node had seen (so the later edit
    /// wins, whatever the clocks), and no reading's time runs ahead of the
    /// fastest wall clock that took part.
    #[test]
    fn an_edit_made_after_seeing_another_always_orders_after_it((skews, steps) in arb_steps()) {
        let base: u64 = 1_763_712_000_000;
        let mut real = base;
        let tags: Vec<Tag> = (0..skews.len()).map(|i| Tag::from_bits(u16::try_from(i * 977).unwrap())).collect();
        // Per node: the highest reading it knows, and every reading it has seen.
        let mut last: Vec<Option<Hlc>> = vec![None; skews.len()];
        let mut seen: Vec<std::collections::BTreeSet<Hlc>> = vec![std::collections::BTreeSet::new(); skews.len()];
        let mut fastest_wall = 0;
        for step in steps {
            match step {
                Step::Edit { who, advance_ms } => {
                    real += advance_ms;
                    let wall = real.saturating_add_signed(skews[who]);
                    fastest_wall = fastest_wall.max(wall);
                    let edit = Hlc::tick(last[who], wall, tags[who]);
                    prop_assert!(seen[who].iter().all(|s| edit > *s), "edit {edit} does not follow what {who} saw");
                    prop_assert!(edit.millis <= fastest_wall, "{edit} runs ahead of every wall clock");
                    last[who] = Some(edit);
                    seen[who].insert(edit);
                }
                Step::Merge { who, from } => {
                    let incoming = seen[from].clone();
                    for h in &incoming {
                        last[who] = Some(Hlc::observe(last[who], *h));
                    }
                    seen[who].extend(incoming);
                }
            }
        }
    }

    #[test]
    fn derived_ids_differ_when_any_part_differs(a in prop::collection::vec(".{0,8}", 1..4), b in prop::collection::vec(".{0,8}", 1..4)) {
        let ra: Vec<&str> = a.iter().map(String::as_str).collect();
        let rb: Vec<&str> = b.iter().map(String::as_str).collect();
        prop_assert_eq!(Gid::derived("k", &ra) == Gid::derived("k", &rb), a == b);
    }
}
