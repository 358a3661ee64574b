#!/usr/bin/env bash
# Verdict benchmark (issue: assessment engine): `casebook flags --format json`
# over the generated data set (5,000 suppliers, 1,000,000 lots), process start
# to exit, against the sqlite3 shell's plain `GROUP BY supplier` sum of started
# and passed-first units on the same file. Runs alternate; medians compared.
# Targets: under 250 ms, and within 3x of the sqlite3 aggregate.
#
#   bench/flags.sh            # 15 runs each
#   RUNS=30 bench/flags.sh
#   BASELINE=/path/to/other/casebook bench/flags.sh   # also time another build (on a database it builds itself)
#
# Needs bash 5 ($EPOCHREALTIME), the sqlite3 shell and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RUNS=${RUNS:-15}
AS_OF=2026-10-31
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/flags.sh needs bash 5 or later" >&2; exit 1; }
prepare_db

ours=("$CASEBOOK" --db "$BIG_DB" --as-of "$AS_OF" flags --format json)
theirs=(sqlite3 "$BIG_DB" "SELECT supplier_id, sum(started), sum(passed_first) FROM lots GROUP BY supplier_id")

baseline=()
if [ -n "${BASELINE:-}" ]; then
  BASE_DB="$WORK/big-baseline.db"
  if [ -n "${FRESH:-}" ] || [ ! -s "$BASE_DB" ]; then
    rm -f "$BASE_DB" "$BASE_DB-wal" "$BASE_DB-shm"
    echo "building $BASE_DB with $BASELINE…" >&2
    "$BASELINE" --db "$BASE_DB" import "$DATA/suppliers.json" >/dev/null
    "$BASELINE" --db "$BASE_DB" import "$DATA/lots.csv" >/dev/null
  fi
  baseline=("$BASELINE" --db "$BASE_DB" --as-of "$AS_OF" flags --format json)
  "${baseline[@]}" >/dev/null
fi

# Warm the OS page cache for both, then alternate.
"${ours[@]}" >/dev/null
"${theirs[@]}" >/dev/null
casebook_ms=()
sqlite_ms=()
baseline_ms=()
for _ in $(seq "$RUNS"); do
  casebook_ms+=("$(ms "${ours[@]}")")
  sqlite_ms+=("$(ms "${theirs[@]}")")
  if [ -n "${BASELINE:-}" ]; then baseline_ms+=("$(ms "${baseline[@]}")"); fi
done
cb=$(median "${casebook_ms[@]}")
sq=$(median "${sqlite_ms[@]}")
read -r _ rss < <(timed "${ours[@]}")
echo "casebook flags --format json: median $cb ms (peak RSS $((rss / 1024)) MB), $(${ours[@]} | wc -c) bytes of JSON"
echo "sqlite3 GROUP BY supplier:     median $sq ms"
echo "ratio: $(ratio "$cb" "$sq")x (target ≤ 3x; absolute target < 250 ms)"
if [ -n "${BASELINE:-}" ]; then
  base=$(median "${baseline_ms[@]}")
  echo "baseline ($BASELINE) flags --format json: median $base ms; ratio to sqlite3 $(ratio "$base" "$sq")x; this build ÷ baseline $(ratio "$cb" "$base")"
fi
echo "phases of one run (CASEBOOK_TRACE=1):" >&2
CASEBOOK_TRACE=1 "${ours[@]}" 2>&1 >/dev/null | sed 's/^/  /' >&2
