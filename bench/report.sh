#!/usr/bin/env bash
# Report benchmarks (issue 14), release build, each command timed from process
# start to exit with GNU time (wall seconds and peak RSS), RUNS runs each,
# medians printed:
#
# 1. `casebook report audit A-2026-014` on the demo database with 20 photos
#    attached (two on each of its ten evidence items): 12-megapixel JPEGs of
#    a few MB each, written by `examples/report_photos.rs`. PDF and HTML.
# 2. `casebook report supplier GEN-00001` on the generated data set (5,000
#    suppliers, 1,000,000 lots; GEN-00001 has exactly 1,000 lots), in a copy
#    whose yield window is widened so the report charts all 1,000. PDF and HTML.
#
#   bench/report.sh             # 5 runs of each
#   RUNS=10 bench/report.sh
#
# Needs the sqlite3 shell and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RUNS=${RUNS:-5}
PHOTOS="$WORK/photos"
DEMO="$WORK/report-demo.db"
WIDE="$WORK/report-wide.db"
OUT="$WORK/report-out"

prepare_db
cargo build --release --quiet --example report_photos
mkdir -p "$OUT"
if [ ! -s "$PHOTOS/photo-20.jpg" ]; then
  target/release/examples/report_photos "$PHOTOS" 20
fi
echo "photos: $(du -ch "$PHOTOS"/photo-*.jpg | tail -1 | cut -f1) in 20 files of 4032×3024"

rm -f "$DEMO" "$DEMO-wal" "$DEMO-shm"
"$CASEBOOK" demo --db "$DEMO" --no-ui >/dev/null 2>&1
n=1
for id in $(sqlite3 "$DEMO" "SELECT e.id FROM evidence e JOIN audits a ON a.id = e.audit_id
                            WHERE a.ref = 'A-2026-014' ORDER BY e.id"); do
  for _ in 1 2; do
    "$CASEBOOK" --db "$DEMO" attach "$id" "$(printf '%s/photo-%02d.jpg' "$PHOTOS" "$n")" >/dev/null
    n=$((n + 1))
  done
done
echo "attached: $(sqlite3 "$DEMO" "SELECT count(*) FROM attachments") photos to A-2026-014"

if [ -n "${FRESH:-}" ] || [ ! -s "$WIDE" ]; then
  rm -f "$WIDE" "$WIDE-wal" "$WIDE-shm"
  "$CASEBOOK" --db "$BIG_DB" backup "$WIDE" >/dev/null
  "$CASEBOOK" --db "$WIDE" policy set yield.window_months 240 >/dev/null
fi

# bench NAME CMD... → "NAME: median S s (min … max), peak RSS MB (max over runs)"
bench() {
  local name=$1 secs=() rss=() s r
  shift
  "$@" >/dev/null 2>&1 # warm up: page cache, fonts
  for _ in $(seq "$RUNS"); do
    read -r s r < <(timed "$@")
    secs+=("$s")
    rss+=("$r")
  done
  local max_rss
  max_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  printf '%-44s median %s s (runs: %s), peak RSS %d MB\n' "$name:" "$(median "${secs[@]}")" "${secs[*]}" \
    "$((max_rss / 1024))"
}

audit=("$CASEBOOK" --db "$DEMO" --as-of 2026-11-15 report audit A-2026-014)
supplier=("$CASEBOOK" --db "$WIDE" --as-of 2026-10-31 report supplier GEN-00001)
bench "audit, 20 photos, PDF" "${audit[@]}" --format pdf -o "$OUT/audit.pdf"
bench "audit, 20 photos, HTML" "${audit[@]}" --format html -o "$OUT/audit.html"
bench "supplier, 1,000 lots, PDF" "${supplier[@]}" --format pdf -o "$OUT/supplier.pdf"
bench "supplier, 1,000 lots, HTML" "${supplier[@]}" --format html -o "$OUT/supplier.html"
ls -l "$OUT" | awk 'NR > 1 { printf "  %s: %d KB\n", $9, $5 / 1024 }'
command -v pdfinfo >/dev/null && for f in audit supplier; do
  echo "  $f.pdf: $(pdfinfo "$OUT/$f.pdf" | awk '/^Pages/ { print $2 }') pages"
done
"$CASEBOOK" --db "$WIDE" --as-of 2026-10-31 report supplier GEN-00001 --format html -o "$OUT/supplier.html" >/dev/null
grep -o '[0-9,]* lots produced' "$OUT/supplier.html" | head -1
