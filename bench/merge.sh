#!/usr/bin/env bash
# Merge benchmark (issue 15): `casebook merge` of 20 field databases (each one
# auditor: 200 suppliers copied from the team, 200 submitted audits with 41
# answers and 4 evidence items each, 20,000 new lots) into the
# 5,000-supplier / 1,000,000-lot team database, against the sqlite3 shell
# moving the same rows with ATTACH + INSERT OR IGNORE … SELECT (into a copy
# of the same database with its triggers dropped, one file at a time, as the
# shell can attach only ten). Then the same merge again (nothing new). Runs
# alternate; medians are reported.
#
#   bench/merge.sh            # 3 runs each
#   RUNS=5 FIELDS=20 bench/merge.sh
#
# A reduced size (say so wherever its figures are quoted), in its own folders:
#   DATA=bench/out/small WORK=bench/out/small-work GEN_ARGS="--suppliers 500 --lots 100000" \
#     FIELD_ARGS="--suppliers 50 --audits 50 --lots 2000" FIELDS=5 RUNS=1 bench/merge.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RUNS=${RUNS:-3}
FIELDS=${FIELDS:-20}
if [ -n "${GEN_ARGS:-}" ] && { [ ! -s "$DATA/lots.csv" ] || [ ! -s "$DATA/suppliers.json" ]; }; then
  cargo build --release --quiet --bin casebook --example casebook-gen
  mkdir -p "$DATA" "$WORK"
  # shellcheck disable=SC2086
  "$GEN" --out "$DATA" $GEN_ARGS >&2
fi
prepare_db
cargo build --release --quiet --example merge-fieldgen
FIELD_DIR="$WORK/fields"
if [ -n "${FRESH:-}" ] || [ ! -s "$FIELD_DIR/field$(printf %02d $((FIELDS - 1))).db" ]; then
  rm -rf "$FIELD_DIR"
  echo "generating $FIELDS field databases…" >&2
  # shellcheck disable=SC2086
  target/release/examples/merge-fieldgen --team "$BIG_DB" --out "$FIELD_DIR" --fields "$FIELDS" ${FIELD_ARGS:-} >&2
fi
mapfile -t FILES < <(ls "$FIELD_DIR"/field*.db | head -n "$FIELDS")

# The reference: the same rows, moved by the shell, one file at a time.
ref_sql() {
  echo "PRAGMA foreign_keys=OFF;"
  for f in "${FILES[@]}"; do
    cat <<SQL
ATTACH '$f' AS f;
BEGIN;
INSERT OR IGNORE INTO suppliers (code, name, country, city, business_type, model_oem, model_odm, moq, dev_lead_days, notes)
  SELECT code, name, country, city, business_type, model_oem, model_odm, moq, dev_lead_days, notes FROM f.suppliers;
INSERT OR IGNORE INTO field_versions SELECT * FROM f.field_versions;
INSERT OR IGNORE INTO audits (ref, supplier_id, auditor, visited_on, kind, status, summary, template, submitted_at,
    score_pct, grade, critical_no, content_hash, chain_seq, chain_hash, seal_format, gid)
  SELECT a.ref, s.id, a.auditor, a.visited_on, a.kind, a.status, a.summary, a.template, a.submitted_at, a.score_pct,
    a.grade, a.critical_no, a.content_hash, a.chain_seq + (SELECT coalesce(max(chain_seq), 0) FROM main.audits),
    a.chain_hash, a.seal_format, a.gid
  FROM f.audits a JOIN f.suppliers fs ON fs.id = a.supplier_id JOIN main.suppliers s ON s.code = fs.code;
INSERT OR IGNORE INTO answers (audit_id, template, question, result, note)
  SELECT m.id, n.template, n.question, n.result, n.note
  FROM f.answers n JOIN f.audits fa ON fa.id = n.audit_id JOIN main.audits m ON m.gid = fa.gid;
INSERT OR IGNORE INTO evidence (audit_id, pillar, kind, strength, collected_on, description, reference, gid)
  SELECT m.id, e.pillar, e.kind, e.strength, e.collected_on, e.description, e.reference, e.gid
  FROM f.evidence e JOIN f.audits fa ON fa.id = e.audit_id JOIN main.audits m ON m.gid = fa.gid;
INSERT OR IGNORE INTO lots (supplier_id, lot, sku, process, material, produced_on, started, passed_first, reworked,
    scrapped, defects)
  SELECT s.id, l.lot, l.sku, l.process, l.material, l.produced_on, l.started, l.passed_first, l.reworked, l.scrapped,
    l.defects
  FROM f.lots l JOIN f.suppliers fs ON fs.id = l.supplier_id JOIN main.suppliers s ON s.code = fs.code;
INSERT OR IGNORE INTO history (at, actor, supplier_id, entity, entity_key, action, field, old_value, new_value,
    fact_hash, chain_hash, gid)
  SELECT h.at, h.actor, s.id, h.entity, h.entity_key, h.action, h.field, h.old_value, h.new_value, h.fact_hash,
    h.chain_hash, h.gid
  FROM f.history h LEFT JOIN f.suppliers fs ON fs.id = h.supplier_id LEFT JOIN main.suppliers s ON s.code = fs.code;
COMMIT;
DETACH f;
SQL
  done
  echo "SELECT total_changes();"
}

# A copy of the team database with its triggers dropped, for the reference.
make_ref() {
  rm -f "$WORK"/ref.db*
  sqlite3 "$BIG_DB" "VACUUM INTO '$WORK/ref.db'"
  sqlite3 "$WORK/ref.db" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_schema WHERE type = 'trigger'" |
    sqlite3 "$WORK/ref.db"
  sqlite3 "$WORK/ref.db" "PRAGMA journal_mode=WAL" >/dev/null
}

make_target() {
  rm -f "$WORK"/hq.db*
  sqlite3 "$BIG_DB" "VACUUM INTO '$WORK/hq.db'"
  "$CASEBOOK" --db "$WORK/hq.db" where 2>/dev/null
}

cb_times=(); cb_rss=(); again_times=(); again_rss=(); full_times=(); ref_times=(); records=0
for run in $(seq "$RUNS"); do
  make_target
  read -r secs rss < <(timed "$CASEBOOK" --db "$WORK/hq.db" merge --format json "${FILES[@]}")
  cb_times+=("$secs"); cb_rss+=("$rss")
  "$CASEBOOK" --db "$WORK/hq.db" merge --dry-run --full --format json "${FILES[@]}" >"$WORK/again.json"
  read -r secs rss < <(timed "$CASEBOOK" --db "$WORK/hq.db" merge --format json "${FILES[@]}")
  again_times+=("$secs"); again_rss+=("$rss")
  # The same files again, every record compared (--full: no skipping a source unchanged since).
  read -r secs _ < <(timed "$CASEBOOK" --db "$WORK/hq.db" merge --full --format json "${FILES[@]}")
  full_times+=("$secs")
  "$CASEBOOK" --db "$WORK/hq.db" --as-of 2026-12-31 check >/dev/null || echo "run $run: check FAILED on the merged database" >&2

  make_ref
  ref_sql >"$WORK/ref.sql"
  read -r secs _ < <(timed sqlite3 "$WORK/ref.db" ".read $WORK/ref.sql")
  ref_times+=("$secs")
  echo "run $run: casebook merge ${cb_times[-1]} s (${cb_rss[-1]} KB); again ${again_times[-1]} s; again --full ${full_times[-1]} s; sqlite3 ${ref_times[-1]} s" >&2
done

# Records the first merge added (from a dry run of the same merge on a fresh copy).
make_target
records=$("$CASEBOOK" --db "$WORK/hq.db" merge --dry-run --format json "${FILES[@]}" |
  python3 -c 'import json,sys; r=json.load(sys.stdin); print(sum(sum(s["added"].values()) for s in r["sources"]))')
full_again=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(sum(s["added"].values()) for s in r["sources"]))' "$WORK/again.json")

cb=$(median "${cb_times[@]}"); again=$(median "${again_times[@]}"); sq=$(median "${ref_times[@]}")
rss=$(median "${cb_rss[@]}"); arss=$(median "${again_rss[@]}")
echo "field databases: ${#FILES[@]}; records added by the first merge: $records (a --full re-merge adds $full_again)"
echo "casebook merge: median $cb s, $(rate "$records" "$cb") records/s, peak RSS $((rss / 1024)) MB"
echo "sqlite3 ATTACH + INSERT OR IGNORE … SELECT: median $sq s, $(rate "$records" "$sq") records/s"
echo "ratio (casebook time ÷ sqlite3 time): $(ratio "$cb" "$sq")"
echo "merging the same files again: median $again s ($(awk -v a="$again" -v b="$cb" 'BEGIN { printf "%.1f", 100 * a / b }')% of the first), peak RSS $((arss / 1024)) MB"
full=$(median "${full_times[@]}")
echo "again with --full (every record compared): median $full s ($(awk -v a="$full" -v b="$cb" 'BEGIN { printf "%.1f", 100 * a / b }')% of the first)"
