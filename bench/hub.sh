#!/usr/bin/env bash
# Hub benchmark (issue 16), against a throw-away PostgreSQL cluster
# (.ci/pg-cluster) on this machine:
#
# 1. The first pull of the generated team database (5,000 suppliers, their
#    audits, 1,000,000 lots) from a hub into an empty laptop database —
#    `casebook sync`, which merges it through the merge engine, verifying
#    every seal — against moving the same rows by hand: for each hub table,
#    `psql -c "\copy (SELECT …) TO STDOUT CSV"` piped into the sqlite3
#    shell's `.import` of a table with the same columns and key.
# 2. The push of one day's field work (1 audit with 41 answers and 20
#    evidence items, 50 lots) from a laptop that holds the team database.
#
# Runs alternate, so both sides see the same machine; medians are reported.
#
#   bench/hub.sh            # 3 runs each
#   RUNS=5 bench/hub.sh
#
# Needs the sqlite3 shell, psql, GNU time and Debian's PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RUNS=${RUNS:-3}
prepare_db

URL=$(.ci/pg-cluster start)
trap '.ci/pg-cluster stop "$URL"' EXIT
psql "$URL" -qc "CREATE DATABASE bench_hub"
HUB=${URL/@\/postgres\?/@/bench_hub?}
"$CASEBOOK" hub init "$HUB" >/dev/null
# The laptops pull and push as an auditor's login (a password, row-level
# security and the hub's triggers in force); the reference reads as it too.
psql "$HUB" -qc "CREATE ROLE bench_auditor LOGIN PASSWORD 'bench' IN ROLE casebook_auditor"
AUDITOR=${HUB/postgres@/bench_auditor@}
export PGPASSWORD=bench

# The team database goes to the hub once (the administrator's first push).
cp "$BIG_DB" "$WORK/team.db"
read -r secs rss < <(timed "$CASEBOOK" --db "$WORK/team.db" sync "$HUB")
echo "first push of the team database (setup): $secs s, peak RSS $((rss / 1024)) MB" >&2
ROWS=$(psql "$HUB" -Atc "SELECT (SELECT count(*) FROM casebook.suppliers) + (SELECT count(*) FROM casebook.audits)
  + (SELECT count(*) FROM casebook.records) + (SELECT count(*) FROM casebook.versions)
  + (SELECT count(*) FROM casebook.lots)")

# The reference: the same rows, table by table, by hand.
ref_schema() {
  cat <<'SQL'
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE suppliers (code TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE audits (gid TEXT PRIMARY KEY, supplier TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records (kind TEXT, key TEXT, supplier TEXT, audit TEXT, topic TEXT, body TEXT NOT NULL,
                      PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE TABLE versions (entity TEXT, key TEXT, field TEXT, clock TEXT, actor TEXT, value TEXT, supplier TEXT, audit TEXT,
                       PRIMARY KEY (entity, key, field, clock)) WITHOUT ROWID;
CREATE TABLE lots (supplier TEXT NOT NULL, lot TEXT NOT NULL, sku TEXT NOT NULL, process TEXT NOT NULL,
                   material TEXT NOT NULL, produced_on TEXT NOT NULL, started INTEGER NOT NULL,
                   passed_first INTEGER NOT NULL, reworked INTEGER NOT NULL, scrapped INTEGER NOT NULL, defects TEXT,
                   PRIMARY KEY (supplier, lot)) WITHOUT ROWID;
CREATE INDEX lots_by_supplier_date ON lots (supplier, produced_on, lot, started, passed_first);
SQL
}
by_hand() {
  local db=$1 t cols
  for t in suppliers audits records versions lots; do
    case $t in
      suppliers) cols="code, body" ;;
      audits) cols="gid, supplier, body" ;;
      records) cols="kind, key, supplier, audit, topic, body" ;;
      versions) cols="entity, key, field, clock, actor, value, supplier, audit" ;;
      lots) cols="supplier, lot, sku, process, material, produced_on, started, passed_first, reworked, scrapped, defects" ;;
    esac
    psql "$AUDITOR" -qc "\\copy (SELECT $cols FROM casebook.$t ORDER BY seq) TO STDOUT CSV" |
      sqlite3 "$db" ".import --csv /dev/stdin $t"
  done
}
export -f by_hand
export AUDITOR

pull_times=()
pull_rss=()
ref_times=()
for run in $(seq "$RUNS"); do
  rm -f "$WORK"/laptop.db*
  "$CASEBOOK" --db "$WORK/laptop.db" init >/dev/null
  read -r secs rss < <(timed "$CASEBOOK" --db "$WORK/laptop.db" sync "$AUDITOR")
  pull_times+=("$secs"); pull_rss+=("$rss")
  rm -f "$WORK"/ref.db*
  ref_schema | sqlite3 "$WORK/ref.db" >/dev/null
  read -r secs _ < <(timed bash -c "by_hand $WORK/ref.db")
  ref_times+=("$secs")
  echo "run $run: casebook sync ${pull_times[-1]} s (${pull_rss[-1]} KB), psql | sqlite3 ${ref_times[-1]} s" >&2
done
"$CASEBOOK" --db "$WORK/laptop.db" --as-of 2026-12-01 check >/dev/null || { echo "check failed after the pull" >&2; exit 1; }

# One day of field work on a copy of the synced laptop, then its push.
QUESTIONS=$(sqlite3 "$WORK/laptop.db" "SELECT code FROM checklist_questions WHERE template = 'odm-capability/1' ORDER BY position")
SUPPLIER=$(sqlite3 "$WORK/laptop.db" "SELECT code FROM suppliers ORDER BY code LIMIT 1 OFFSET 1")
AUDITS_BEFORE=$(psql "$HUB" -Atc "SELECT count(*) FROM casebook.audits")
push_times=()
push_rss=()
for run in $(seq "$RUNS"); do
  cp "$WORK/laptop.db" "$WORK/day.db"
  rm -f "$WORK"/day.db-wal "$WORK"/day.db-shm
  ref=$("$CASEBOOK" --db "$WORK/day.db" audit new "$SUPPLIER" --visited 2026-11-20)
  for q in $QUESTIONS; do "$CASEBOOK" --db "$WORK/day.db" audit answer "$ref" "$q" yes >/dev/null; done
  for i in $(seq 20); do
    "$CASEBOOK" --db "$WORK/day.db" audit evidence "$ref" --pillar material_compatibility --kind test_report \
      --strength observed --description "run $run evidence $i" >/dev/null
  done
  "$CASEBOOK" --db "$WORK/day.db" audit submit "$ref" >/dev/null
  { echo "supplier,lot,sku,process,material,produced_on,started,passed_first,reworked,scrapped"
    for i in $(seq 50); do echo "$SUPPLIER,DAY-$run-$i,S,injection,TPU+PC,2026-11-20,1000,950,30,20"; done
  } >"$WORK/day.csv"
  "$CASEBOOK" --db "$WORK/day.db" import "$WORK/day.csv" >/dev/null
  read -r secs rss < <(timed "$CASEBOOK" --db "$WORK/day.db" sync "$AUDITOR")
  push_times+=("$secs"); push_rss+=("$rss")
  echo "run $run: push of one day's work ${push_times[-1]} s (${push_rss[-1]} KB)" >&2
done

# What the pushes carried, counted on the hub (a push that carried nothing
# would time well too).
day_lots=$(psql "$HUB" -Atc "SELECT count(*) FROM casebook.lots WHERE lot LIKE 'DAY-%'")
day_audits=$(( $(psql "$HUB" -Atc "SELECT count(*) FROM casebook.audits") - AUDITS_BEFORE ))
echo "on the hub after the pushes: $day_lots day lots, $day_audits new audits (expected $((50 * RUNS)) and $RUNS)" >&2
[ "$day_lots" -eq $((50 * RUNS)) ] && [ "$day_audits" -eq "$RUNS" ] || { echo "the pushes did not carry it all" >&2; exit 1; }

pull=$(median "${pull_times[@]}")
ref=$(median "${ref_times[@]}")
echo "hub rows: $ROWS"
echo "first pull (casebook sync into an empty laptop): median $pull s, peak RSS $(( $(median "${pull_rss[@]}") / 1024 )) MB"
echo "by hand (psql \\copy | sqlite3 .import, same rows): median $ref s"
echo "ratio (casebook ÷ by hand): $(ratio "$pull" "$ref")"
echo "push of one day's field work: median $(median "${push_times[@]}") s, peak RSS $(( $(median "${push_rss[@]}") / 1024 )) MB"
