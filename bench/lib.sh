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
    "$GEN" --out "$DATA" >&2
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
