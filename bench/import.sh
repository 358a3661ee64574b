#!/usr/bin/env bash
# Import benchmark (issue 2): `casebook import` of the generated 1,000,000-lot
# CSV against the sqlite3 shell's `.import` of the same file into a table with
# the same columns and the same unique and secondary indexes. Runs alternate,
# so both see the same machine; medians are reported.
#
#   bench/import.sh            # 3 runs each
#   RUNS=5 bench/import.sh
#   BASELINE=/path/to/other/casebook bench/import.sh   # also time another build in the same runs
#
# Needs the sqlite3 shell (apt-get install -y sqlite3) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RUNS=${RUNS:-3}
prepare_data
CSV="$DATA/lots.csv"
ROWS=$(($(wc -l <"$CSV") - 1))

# The reference table: the CSV's columns, PRIMARY KEY (supplier, lot) as the
# unique index, and the same secondary index as casebook's lots table.
ref_schema() {
  local header cols
  header=$(head -1 "$CSV")
  cols=$(tr ',' '\n' <<<"$header" | while read -r c; do
    case "$c" in
      started|passed_first|reworked|scrapped) echo "\"$c\" INTEGER NOT NULL," ;;
      defect:*) echo "\"$c\" INTEGER," ;;
      *) echo "\"$c\" TEXT NOT NULL," ;;
    esac
  done)
  cat <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE lots ($cols PRIMARY KEY (supplier, lot)) WITHOUT ROWID;
CREATE INDEX lots_by_supplier_date ON lots (supplier, produced_on, started, passed_first);
SQL
}

casebook_times=()
sqlite_times=()
casebook_rss=()
ratios=()
baseline_times=()
baseline_rss=()
for run in $(seq "$RUNS"); do
  if [ -n "${BASELINE:-}" ]; then
    rm -f "$WORK"/base.db*
    "$BASELINE" --db "$WORK/base.db" import "$DATA/suppliers.json" >/dev/null
    read -r secs rss < <(timed "$BASELINE" --db "$WORK/base.db" import "$CSV")
    baseline_times+=("$secs"); baseline_rss+=("$rss")
    echo "run $run: baseline $secs s ($rss KB)" >&2
  fi
  rm -f "$WORK"/cb.db*
  "$CASEBOOK" --db "$WORK/cb.db" import "$DATA/suppliers.json" >/dev/null
  read -r secs rss < <(timed "$CASEBOOK" --db "$WORK/cb.db" import "$CSV")
  casebook_times+=("$secs"); casebook_rss+=("$rss")

  rm -f "$WORK"/ref.db*
  ref_schema | sqlite3 "$WORK/ref.db" >/dev/null
  read -r secs _ < <(timed sqlite3 "$WORK/ref.db" -cmd ".mode csv" ".import --skip 1 $CSV lots")
  sqlite_times+=("$secs")
  ratios+=("$(awk -v a="$secs" -v b="${casebook_times[-1]}" 'BEGIN { printf "%.2f", a / b }')")
  echo "run $run: casebook ${casebook_times[-1]} s (${casebook_rss[-1]} KB), sqlite3 ${sqlite_times[-1]} s" >&2
done

cb=$(median "${casebook_times[@]}")
sq=$(median "${sqlite_times[@]}")
rss=$(median "${casebook_rss[@]}")
echo "rows: $ROWS"
echo "casebook import: median $cb s, $(rate "$ROWS" "$cb") rows/s, peak RSS $((rss / 1024)) MB"
echo "sqlite3 .import: median $sq s, $(rate "$ROWS" "$sq") rows/s"
echo "ratio of medians (casebook rows/s ÷ sqlite3 rows/s): $(awk -v a="$sq" -v b="$cb" 'BEGIN { printf "%.2f", a / b }')"
echo "median of per-run ratios: $(median "${ratios[@]}") (runs: ${ratios[*]})"
if [ -n "${BASELINE:-}" ]; then
  base=$(median "${baseline_times[@]}")
  echo "baseline ($BASELINE) import: median $base s, $(rate "$ROWS" "$base") rows/s, peak RSS $(($(median "${baseline_rss[@]}") / 1024)) MB"
  echo "baseline ÷ sqlite3 ratio of medians: $(awk -v a="$sq" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
fi
