# Shared by the bench/ scripts: build, generate data once, time commands.
# shellcheck shell=bash

DATA=${DATA:-bench/out/data}
WORK=${WORK:-bench/out/work}
CASEBOOK=target/release/casebook
GEN=target/release/examples/casebook-gen

prepare_data() {
  command -v sqlite3 >/dev/null || { echo "bench needs the sqlite3 shell: apt-get install -y sqlite3" >&2; exit 1; }
  [ -x /usr/bin/time ] || { echo "bench needs GNU time: apt-get install -y time" >&2; exit 1; }
  cargo build --release --quiet --bin casebook --example casebook-gen
  mkdir -p "$DATA" "$WORK"
  if [ ! -s "$DATA/lots.csv" ] || [ ! -s "$DATA/suppliers.json" ]; then
    local secs rss
    read -r secs rss < <(timed "$GEN" --out "$DATA")
    echo "casebook-gen --out $DATA: $secs s, peak RSS $((rss / 1024)) MB" >&2
  fi
}

# timed CMD... → "seconds max_rss_kb" on stdout; the command's output is dropped.
timed() {
  local log="$WORK/time.log"
  /usr/bin/time -o "$log" -f "%e %M" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
  tail -1 "$log"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

rate() {
  awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'
}

# The generated data set imported once into $BIG_DB and reused (the imports
# take a while); FRESH=1 rebuilds it.
BIG_DB="$WORK/big.db"
prepare_db() {
  prepare_data
  if [ -n "${FRESH:-}" ] || [ ! -s "$BIG_DB" ]; then
    rm -f "$BIG_DB" "$BIG_DB-wal" "$BIG_DB-shm"
    echo "building $BIG_DB (suppliers, then lots)…" >&2
    read -r secs _ < <(timed "$CASEBOOK" --db "$BIG_DB" import "$DATA/suppliers.json")
    echo "  suppliers.json: $secs s" >&2
    read -r secs _ < <(timed "$CASEBOOK" --db "$BIG_DB" import "$DATA/lots.csv")
    echo "  lots.csv: $secs s" >&2
  fi
}

# ms CMD... → wall milliseconds of one run, output dropped (needs bash 5).
ms() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", (b - a) * 1000 }'
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
