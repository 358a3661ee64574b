#!/usr/bin/env bash
# Hostile imports (issue 11): peak RSS and outcome of `casebook import` on the
# files the red-team used and on files at the importer's limits, each into a
# fresh copy of a database holding their supplier. Any import must stay under
# 256 MB whatever the file.
#
#   bench/hostile.sh                 # every file
#   ONLY=dossier bench/hostile.sh    # one of: columns wide quoted many limits dossier
#   REF=path/to/other/casebook bench/hostile.sh   # also run another build
#
# Needs python3 (to write the files) and GNU time. The files are written once
# into bench/out/hostile (about 900 MB in all) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

prepare_data
DIR=bench/out/hostile
mkdir -p "$DIR"

gen() { # gen NAME PYTHON — writes $DIR/NAME once with the python code (stdout).
  [ -s "$DIR/$1" ] || python3 -c "$2" >"$DIR/$1"
}

HEADER="supplier,lot,sku,process,material,produced_on,started,passed_first,reworked,scrapped"

# 1. 100,000 long defect columns × 700 rows (the issue: 77 rows of garbage
#    dates stored, 4.8 GB peak).
gen columns.csv "
import sys
n = 100_000
cols = ','.join('defect:' + 'x' * 40 + f'{i:06d}' for i in range(n))
w = sys.stdout.write
w('$HEADER,' + cols + '\n')
ones = ',1' * n
for r in range(700):
    w(f'HOSTILE,H-{r},S,injection,PC,2026-01-01,10,9,1,0{ones}\n')
"
# 2. 13 MB: 20,000 defect columns × 300 rows (the issue: 458 MB peak).
gen wide.csv "
import sys
n = 20_000
w = sys.stdout.write
w('$HEADER,' + ','.join(f'defect:d{i}' for i in range(n)) + '\n')
row = ',1' * n
for r in range(300):
    w(f'HOSTILE,W-{r},S,injection,PC,2026-01-01,10,9,1,0{row}\n')
"
# 3. One quoted field of 200 MB (never held: records are bounded).
gen quoted.csv "
import sys
w = sys.stdout.write
w('$HEADER\n')
w('HOSTILE,Q-1,S,injection,\"' + 'x' * (1 << 20))
for _ in range(199):
    w('x' * (1 << 20))
w('\",2026-01-01,10,9,1,0\n')
"
# 4. More than 131,072 rows and one row with 1,000 defect codes (the issue:
#    "text too long to spool", naming no file or line).
gen many.csv "
import sys
n = 1000
w = sys.stdout.write
w('$HEADER,' + ','.join(f'defect:{60 * chr(99)}{i:04d}' for i in range(n)) + '\n')
blank = ',' * n
for r in range(140_000):
    cells = (',1' * n) if r == 70_000 else blank
    w(f'HOSTILE,N-{r},S,injection,PC,2026-01-01,10,9,1,0{cells}\n')
"
# 5. At the limits, accepted: 500 defect columns, 150,000 rows (more than
#    131,072), each with the most defect codes a lot may carry (100).
gen limits.csv "
import sys
n, k = 500, 100
w = sys.stdout.write
w('$HEADER,' + ','.join(f'defect:code_{i:03d}' for i in range(n)) + '\n')
for r in range(150_000):
    start = r % (n - k)
    cells = [''] * n
    for j in range(start, start + k):
        cells[j] = str(1 + (r + j) % 9)
    w(f'HOSTILE,M-{r},S,injection,PC,2026-01-01,1000,900,50,50,' + ','.join(cells) + '\n')
"
# 6. A 94 MB dossier of one supplier with 400,000 lots (the issue: 1.57 GB peak).
gen dossier.json "
import json, sys
w = sys.stdout.write
w('{\"format\": \"casebook-dossier/1\", \"suppliers\": [{\"code\": \"ONE-BIG\", \"name\": \"One Big\", \"country\": \"CN\", '
  '\"business_type\": \"manufacturer\", \"models\": [\"oem\"], \"lots\": [')
for i in range(400_000):
    lot = {'lot': f'L-{i:07d}', 'sku': 'IP16-DUAL', 'process': 'co_molding', 'material': 'TPU+PC',
           'produced_on': f'2025-{1 + i % 12:02d}-{1 + i % 28:02d}', 'started': 1200, 'passed_first': 1130,
           'reworked': 50, 'scrapped': 20, 'defects': {'bubble': 12, 'flash': 20, 'scratch': 3}}
    w((',' if i else '') + json.dumps(lot))
w(']}]}\n')
"

# The supplier the CSV files name, in a small database copied for each run.
BASE="$WORK/hostile-base.db"
if [ ! -s "$BASE" ]; then
  rm -f "$BASE"*
  printf '%s' '{"format":"casebook-dossier/1","suppliers":[{"code":"HOSTILE","name":"Hostile","country":"CN","business_type":"manufacturer","models":["oem"]}]}' >"$WORK/hostile.json"
  "$CASEBOOK" --db "$BASE" import "$WORK/hostile.json" >/dev/null
fi

run_one() { # run_one BINARY FILE
  local db="$WORK/hostile.db" log="$WORK/hostile.log" secs rss outcome
  rm -f "$db" "$db-wal" "$db-shm"
  cp "$BASE" "$db"
  /usr/bin/time -o "$log" -f "%e %M" "$1" --db "$db" import "$DIR/$2" >"$WORK/hostile.out" 2>"$WORK/hostile.err" || true
  read -r secs rss < <(tail -1 "$log")
  outcome=$(tail -1 "$WORK/hostile.out")
  printf '%-13s %-12s %8s s  peak RSS %6d MB  %s\n' "$(basename "$1")" "$2" "$secs" $((rss / 1024)) "${outcome#*: }"
  grep -m 2 -v '^$' "$WORK/hostile.err" | cut -c1-160 | sed 's/^/                problem: /' || true
}

for f in columns.csv wide.csv quoted.csv many.csv limits.csv dossier.json; do
  [ -n "${ONLY:-}" ] && [ "${f%%.*}" != "$ONLY" ] && continue
  ls -l "$DIR/$f" | awk '{ printf "%s: %.1f MB\n", $NF, $5 / 1048576 }'
  run_one "$CASEBOOK" "$f"
  [ -n "${REF:-}" ] && run_one "$REF" "$f"
done
