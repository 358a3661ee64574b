#!/usr/bin/env bash
# Yield benchmarks (issue: `casebook yield`), on the generated data set
# (5,000 suppliers, 1,000,000 lots) imported once into bench/out/work/big.db:
#
# 1. `casebook yield --supplier GEN-00001 --format json` (all 1,000 of its
#    lots), process start to exit, against the sqlite3 shell selecting the
#    same lots in chart order as JSON. Runs alternate; medians are compared.
#    Target: casebook within 2x of sqlite3.
# 2. `casebook yield --all --format json` over every lot: every supplier's
#    chart and violations in one pass. Target: under 500 ms. The compute part
#    (scan + charts, and charts alone) comes from casebook's --verbose line;
#    the sqlite3 shell reading the same index entries is shown for scale.
#
#   bench/yield.sh              # 20 runs of 1, 10 runs of 2
#   RUNS=50 RUNS_ALL=20 bench/yield.sh
#   FRESH=1 bench/yield.sh      # rebuild the database first
#
# Needs bash 5 ($EPOCHREALTIME), the sqlite3 shell and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RUNS=${RUNS:-20}
RUNS_ALL=${RUNS_ALL:-10}
DB="$BIG_DB"
AS_OF=2026-10-31
SINCE=2024-01-01
SUPPLIER=GEN-00001

[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/yield.sh needs bash 5 or later" >&2; exit 1; }
prepare_db

one=("$CASEBOOK" --db "$DB" --as-of "$AS_OF" yield --supplier "$SUPPLIER" --format json --since "$SINCE")
one_sql="SELECT lot, sku, process, material, produced_on, started, passed_first, reworked, scrapped, defects
  FROM lots WHERE supplier_id = (SELECT id FROM suppliers WHERE code = '$SUPPLIER') ORDER BY produced_on, lot"

check_one() {
  local ours theirs
  ours=$("${one[@]}" | grep -o '"produced_on"' | wc -l)
  theirs=$(sqlite3 -json "$DB" "$one_sql" | grep -c '"produced_on"')
  echo "$SUPPLIER: casebook charts $ours lots, sqlite3 selects $theirs"
  [ "$ours" -eq "$theirs" ] || { echo "lot counts differ" >&2; exit 1; }
}

bench_one() {
  local cb=() sq=()
  "${one[@]}" >/dev/null # warm the page cache for both
  for _ in $(seq "$RUNS"); do
    cb+=("$(ms "${one[@]}")")
    sq+=("$(ms sqlite3 -json "$DB" "$one_sql")")
  done
  local c s
  c=$(median "${cb[@]}")
  s=$(median "${sq[@]}")
  echo "1. yield --supplier $SUPPLIER --format json: casebook median $c ms, sqlite3 -json median $s ms" \
    "($RUNS runs each); casebook / sqlite3 = $(ratio "$c" "$s") (target ≤ 2)"
}

all=("$CASEBOOK" --db "$DB" --as-of "$AS_OF" -v yield --all --format json --since "$SINCE")
# The same covering-index entries the scan reads, summed in SQL: SQLite's own share.
# (The index holds the lots in force only: the query says so, or SQLite cannot use it.)
scan_sql="SELECT count(*), sum(l.started), sum(l.passed_first), max(l.produced_on), max(l.lot)
  FROM suppliers s JOIN lots l INDEXED BY lots_by_supplier_date
    ON l.supplier_id = s.id AND l.produced_on BETWEEN '$SINCE' AND '$AS_OF' AND l.voided_at IS NULL"

# field NAME LINE → the number after NAME in casebook's --verbose summary line.
field() {
  sed -n "s/.*$1 \([0-9.]*\) ms.*/\1/p" <<<"$2"
}

bench_all() {
  local wall=() compute=() charts=() output=() sq=() line start
  for _ in $(seq "$RUNS_ALL"); do
    start=$EPOCHREALTIME
    line=$("${all[@]}" 2>&1 >/dev/null | tail -1)
    wall+=("$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
    compute+=("$(field "scan and charts" "$line")")
    charts+=("$(field "(charts" "$line")")
    output+=("$(field "output" "$line")")
    sq+=("$(ms sqlite3 "$DB" "$scan_sql")")
  done
  read -r _ rss < <(timed "${all[@]}")
  echo "2. yield --all --format json: process median $(median "${wall[@]}") ms (target < 500);" \
    "scan + charts $(median "${compute[@]}") ms, of which charts $(median "${charts[@]}") ms;" \
    "JSON output $(median "${output[@]}") ms; peak RSS $((rss / 1024)) MB ($RUNS_ALL runs)"
  echo "   last run: ${line#casebook: }"
  echo "   for scale, sqlite3 reading the same index entries (sums only): median $(median "${sq[@]}") ms"
}

check_one
bench_one
bench_all
