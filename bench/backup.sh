#!/usr/bin/env bash
# Backup benchmark (issue 11 §6): `casebook backup` of a big database
# (1.9 GB class: 5,000 suppliers and LOTS lots, 11,000,000 by default), idle
# and while another process writes every 2 seconds (a shortlist mark added
# or removed by `casebook`, as a user working in the UI would). The
# reference is the sqlite3 shell's `.backup` (the online backup API in
# steps, as casebook's backup was before): idle, and under the same writes
# with a time limit (LIMIT seconds, 180 by default), past which it is
# stopped and reported as not finished.
#
#   bench/backup.sh               # 3 runs of each
#   RUNS=5 LOTS=1000000 bench/backup.sh
#
# Needs bash 5 ($EPOCHREALTIME), the sqlite3 shell, GNU time and `timeout`.
set -euo pipefail
cd "$(dirname "$0")/.."
LOTS=${LOTS:-11000000}
DATA=bench/out/data-$LOTS
WORK=bench/out/work-backup
source bench/lib.sh

RUNS=${RUNS:-3}
LIMIT=${LIMIT:-180}
DB="$WORK/huge.db"
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/backup.sh needs bash 5 or later" >&2; exit 1; }

cargo build --release --quiet --bin casebook --example casebook-gen
mkdir -p "$DATA" "$WORK"
if [ ! -s "$DATA/lots.csv" ]; then
  read -r secs rss < <(timed "$GEN" --out "$DATA" --lots "$LOTS")
  echo "casebook-gen --out $DATA --lots $LOTS: $secs s, peak RSS $((rss / 1024)) MB" >&2
fi
if [ -n "${FRESH:-}" ] || [ ! -s "$DB" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "building $DB…" >&2
  "$CASEBOOK" --db "$DB" import "$DATA/suppliers.json" >/dev/null
  "$CASEBOOK" --db "$DB" import "$DATA/lots.csv" >/dev/null
fi
size_mb=$(( $(stat -c %s "$DB") / 1048576 ))
echo "database: $DB, $size_mb MiB, $LOTS lots"

# Another process writing every 2 s until the file $WORK/stop appears.
writer() {
  local n=0
  rm -f "$WORK/stop"
  while [ ! -e "$WORK/stop" ]; do
    if (( n % 2 )); then verb=remove; else verb=add; fi
    "$CASEBOOK" --db "$DB" shortlist "$verb" GEN-00002 >/dev/null 2>&1 || echo "writer: $verb failed" >&2
    n=$((n + 1))
    sleep 2
  done
  echo "$n" > "$WORK/writes"
}

one_backup() { # command... (DEST appended) → seconds, or "not finished"
  local dest="$WORK/copy.db" start status
  rm -rf "$dest" "$dest".files "$dest"-journal "$WORK"/.copy.db.*
  start=$EPOCHREALTIME
  if timeout "$LIMIT" "$@" "$dest" >"$WORK/out.log" 2>&1; then
    awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
  else
    status=$?
    if [ "$status" = 124 ]; then echo "not-finished-after-${LIMIT}s"; else echo "failed($status)"; cat "$WORK/out.log" >&2; fi
  fi
}

printf '#!/bin/sh\nexec sqlite3 "$1" ".backup '"'"'$2'"'"'"\n' > "$WORK/sqlite-backup.sh"

declare -A results
for mode in idle writes; do
  for run in $(seq "$RUNS"); do
    [ "$mode" = writes ] && { writer & wpid=$!; sleep 1; }
    c=$(CASEBOOK_TRACE=1 one_backup "$CASEBOOK" --db "$DB" backup)
    grep '^trace: backup' "$WORK/out.log" | sed "s/^/  $mode run $run: /" >&2 || true
    s=$(one_backup sh "$WORK/sqlite-backup.sh" "$DB")
    [ "$mode" = writes ] && { touch "$WORK/stop"; wait "$wpid"; echo "  $mode run $run: $(cat "$WORK/writes") writes by the other process" >&2; }
    echo "$mode run $run: casebook backup $c s; sqlite3 .backup $s s"
    results[$mode-casebook]+="$c "
    results[$mode-sqlite3]+="$s "
  done
done
rm -rf "$WORK/copy.db" "$WORK/copy.db.files"
for key in idle-casebook idle-sqlite3 writes-casebook writes-sqlite3; do
  echo "$key: ${results[$key]}"
done
