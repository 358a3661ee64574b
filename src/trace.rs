//! Phase timings on stderr when `CASEBOOK_TRACE` is set: how benchmarks and
//! profiling sessions see where a command's time goes, at no cost otherwise.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CASEBOOK_TRACE").is_some_and(|v| !v.is_empty()))
}

/// Times a phase: prints `trace: NAME: N ms` when dropped, if tracing is on.
pub struct Phase {
    name: &'static str,
    start: Option<Instant>,
}

pub fn phase(name: &'static str) -> Phase {
    Phase { name, start: enabled().then(Instant::now) }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            eprintln!("trace: {}: {:.1} ms", self.name, start.elapsed().as_secs_f64() * 1000.0);
        }
    }
}
