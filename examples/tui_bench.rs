//! Headless benchmark of the terminal UI: the real app on a database, drawn
//! on ratatui's `TestBackend` (120 × 40 by default). Measures the time from
//! start to the first frame (supplier list, verdicts still being computed),
//! to the verdicts' arrival, then replays a key script and times each key's
//! handling plus the next frame: scrolling, filtering, sorting, switching
//! screens, opening suppliers (with their yield charts) and working GEN-00001's
//! chart of 1,000 lots (lot cursor, pages, zoom, charts, views, violations). Prints p50, p99
//! and max per group and overall, and the peak RSS (`VmHWM`).
//!
//! ```text
//! cargo run --release --example tui_bench -- --db /tmp/big/cb.db --as-of 2026-11-15
//! ```
//! (`bench/tui.sh` builds the big database first if needed.) The database is
//! only read: the script marks nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use casebook::store::{OpenMode, Store};
use casebook::tui::{App, Loading, Options, Theme};
use chrono::NaiveDate;
use clap::Parser;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    db: PathBuf,
    #[arg(long, default_value = "2026-11-15")]
    as_of: NaiveDate,
    #[arg(long, default_value_t = 120)]
    width: u16,
    #[arg(long, default_value_t = 40)]
    height: u16,
    /// Also list each group's three slowest keys.
    #[arg(long)]
    slowest: bool,
}

fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    let args = Args::parse();
    let store = Store::open(&args.db, OpenMode::Existing).with_context(|| format!("opening {}", args.db.display()))?;
    let options = Options {
        as_of: args.as_of,
        actor: "bench".to_owned(),
        theme: Theme::colour(),
        loading: Loading::Background,
        export_dir: std::env::temp_dir(),
    };
    let mut app = App::new(store, options)?;
    let mut terminal = Terminal::new(TestBackend::new(args.width, args.height))?;
    terminal.draw(|frame| app.render(frame))?;
    let first_frame = start.elapsed();
    let rss_first = status("VmRSS:");
    let still_assessing = app.is_loading();
    // Polls as the event loop does; times taking the verdicts in (catalog,
    // sorted views, flags) and the frame that shows them.
    let taken_in = loop {
        let t = Instant::now();
        if app.tick() {
            break t.elapsed();
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let assessed = start.elapsed();
    let redraw = Instant::now();
    terminal.draw(|frame| app.render(frame))?;
    let redraw = redraw.elapsed() + taken_in;

    println!("database          {}", args.db.display());
    println!("terminal          {} × {} (TestBackend)", args.width, args.height);
    println!(
        "first frame       {:.1} ms after start{}",
        ms(first_frame),
        if still_assessing { " (verdicts still being computed)" } else { "" }
    );
    println!(
        "verdicts arrived  {:.1} ms after start; taking them in and drawing them took {:.2} ms",
        ms(assessed),
        ms(redraw)
    );
    println!("RSS               {rss_first} at the first frame, {} with the verdicts", status("VmRSS:"));

    let mut groups: Vec<(&str, Vec<Duration>)> = Vec::new();
    for (group, events) in script() {
        let mut times = Vec::with_capacity(events.len());
        for event in &events {
            let t = Instant::now();
            app.handle_event(event);
            terminal.draw(|frame| app.render(frame))?;
            times.push(t.elapsed());
        }
        if args.slowest {
            let mut ranked: Vec<(Duration, &Event)> = times.iter().copied().zip(&events).collect();
            ranked.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
            for (t, event) in ranked.iter().take(3) {
                eprintln!("{group}: {:.2} ms for {event:?}", ms(*t));
            }
        }
        groups.push((group, times));
    }
    println!("\nkey handled + next frame drawn (ms):");
    println!("{:<28} {:>6} {:>8} {:>8} {:>8}", "group", "keys", "p50", "p99", "max");
    let mut all = Vec::new();
    for (group, times) in &groups {
        report(group, times);
        all.extend_from_slice(times);
    }
    report("all", &all);
    println!("\npeak RSS          {} (VmHWM)", status("VmHWM:"));
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(group: &str, times: &[Duration]) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at = |q: f64| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a rank in 0..len
        let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted.get(i).copied().unwrap_or_default()
    };
    let max = sorted.last().copied().unwrap_or_default();
    println!("{group:<28} {:>6} {:>8.2} {:>8.2} {:>8.2}", sorted.len(), ms(at(0.5)), ms(at(0.99)), ms(max));
}

/// A line of `/proc/self/status` (`VmRSS:`, `VmHWM:`).
fn status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l[key.len()..].trim().to_owned()))
        .unwrap_or_else(|| "unknown (no /proc)".to_owned())
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn chars(text: &str) -> Vec<Event> {
    text.chars().map(|c| key(KeyCode::Char(c))).collect()
}

fn times(n: usize, event: &Event) -> Vec<Event> {
    std::iter::repeat_n(event.clone(), n).collect()
}

fn wheel(kind: MouseEventKind) -> Event {
    Event::Mouse(MouseEvent { kind, column: 20, row: 10, modifiers: KeyModifiers::NONE })
}

/// GEN-00001's chart over all its 1,000 lots: move the lot cursor, page,
/// zoom, cycle the charts and views, jump to violations, then back.
fn yield_chart() -> Vec<Event> {
    let mut keys = chars("/gen-00001");
    keys.push(key(KeyCode::Enter));
    keys.push(key(KeyCode::Enter));
    keys.extend(chars("yw"));
    keys.extend(times(200, &key(KeyCode::Left)));
    keys.extend(times(20, &key(KeyCode::PageUp)));
    keys.extend(times(20, &key(KeyCode::PageDown)));
    keys.push(key(KeyCode::Home));
    keys.push(key(KeyCode::End));
    keys.extend(chars("--++++---"));
    keys.extend(chars("cccc"));
    keys.extend(chars("vvvv"));
    for _ in 0..20 {
        keys.push(key(KeyCode::Down));
        keys.push(key(KeyCode::Enter));
    }
    keys.extend(chars("rr"));
    keys.extend(times(3, &key(KeyCode::Esc)));
    keys
}

/// The key script, in groups.
fn script() -> Vec<(&'static str, Vec<Event>)> {
    let (down, up) = (key(KeyCode::Down), key(KeyCode::Up));
    let mut scroll = times(500, &down);
    scroll.extend(times(500, &up));
    scroll.extend(times(30, &key(KeyCode::PageDown)));
    scroll.extend(times(30, &key(KeyCode::PageUp)));
    scroll.extend(times(50, &wheel(MouseEventKind::ScrollDown)));
    scroll.extend(times(50, &wheel(MouseEventKind::ScrollUp)));
    scroll.push(key(KeyCode::End));
    scroll.push(key(KeyCode::Home));

    let mut filter = chars("/gen-0042");
    filter.extend(times(8, &key(KeyCode::Backspace)));
    filter.extend(chars("shenzhen"));
    filter.push(key(KeyCode::Enter));
    filter.push(key(KeyCode::Esc));

    let mut sort = chars(&"s".repeat(11));
    sort.extend(chars("ddvvvvv"));

    let mut switch = times(50, &key(KeyCode::Tab));
    switch.extend(times(49, &key(KeyCode::BackTab)));
    switch.push(key(KeyCode::BackTab));

    // The Flags screen: scroll, filter, sort, and back to Suppliers.
    let mut flags = vec![key(KeyCode::Tab)];
    flags.extend(times(300, &down));
    flags.extend(chars("/stale"));
    flags.push(key(KeyCode::Enter));
    flags.push(key(KeyCode::Esc));
    flags.extend(chars("sss"));
    flags.push(key(KeyCode::BackTab));

    // Open 20 suppliers, with their panes and yield charts.
    let mut open = Vec::new();
    for _ in 0..20 {
        open.extend(times(37, &down));
        open.push(key(KeyCode::Enter));
        open.extend(chars("234"));
        open.extend(chars("ycr"));
        open.push(key(KeyCode::Esc));
        open.push(key(KeyCode::Esc));
    }
    vec![
        ("scroll the supplier list", scroll),
        ("filter and clear", filter),
        ("sort and verdict filter", sort),
        ("switch screens (Tab)", switch),
        ("flags screen", flags),
        ("open suppliers and yield", open),
        ("yield chart of 1,000 lots", yield_chart()),
    ]
}
