#!/usr/bin/env bash
# Terminal UI benchmark (issue "The terminal UI, part 1"): the app on the
# 5,000-supplier, 1,000,000-lot database, headless (ratatui's TestBackend at
# 120 × 40). Reports the time to the first frame and to the verdicts, then
# per key (handled + next frame drawn) p50 / p99 / max for scrolling,
# filtering, sorting, switching screens and opening suppliers, and the peak
# RSS. Targets: first frame < 300 ms, p99 < 16 ms, peak RSS < 100 MB.
#
#   bench/tui.sh                       # builds bench/out/work/big.db if it is missing
#   RUNS=3 bench/tui.sh --slowest      # extra arguments go to the example
#   REFERENCE=/tmp/tui_bench_old REFERENCE_DB=bench/out/work/big-v2.db RUNS=3 bench/tui.sh
#                                      # runs alternate with another build's tui_bench
#                                      # (side by side, same load), each run labelled;
#                                      # REFERENCE_DB for an older build that refuses
#                                      # a newer schema (the same data)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RUNS=${RUNS:-1}
prepare_db

cargo build --release --quiet --example tui_bench
for run in $(seq "$RUNS"); do
  if [ -n "${REFERENCE:-}" ]; then
    echo "== run $run: reference ($REFERENCE)"
    "$REFERENCE" --db "${REFERENCE_DB:-$BIG_DB}" --as-of 2026-11-15 "$@"
    echo
    echo "== run $run: this build"
  fi
  target/release/examples/tui_bench --db "$BIG_DB" --as-of 2026-11-15 "$@"
  echo
done
