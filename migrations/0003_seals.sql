-- casebook migration 3, part 1 of 2: seals that cannot be bypassed, a
-- chained history, and voiding of honest mistakes.
--
-- Applied in one transaction: this file, then the Rust seed
-- (store/migrate_seals.rs: seal formats, template and fact hashes, the
-- history copied into its chain), then 0003_seals_triggers.sql. Never edit
-- this file once released.

-- Triggers this migration replaces, or lifts while the seed fills the new
-- columns of rows they guard; 0003_seals_triggers.sql creates them again.
DROP TRIGGER audits_submitted_frozen;
DROP TRIGGER finding_closures_append_only_update;
DROP TRIGGER attachments_append_only_update;
DROP TRIGGER history_append_only_update;
DROP TRIGGER history_append_only_delete;

-- The seal format of each submitted audit (see store/audits/seal.rs): 1 for
-- the seals written before this migration, 2 for new ones.
ALTER TABLE audits ADD COLUMN seal_format INTEGER CHECK (seal_format IS NULL OR seal_format IN (1, 2));

-- A template's content hash, stored once its questions are complete; new
-- seals cover it, and `casebook check` recomputes it.
ALTER TABLE checklist_templates ADD COLUMN content_hash TEXT
    CHECK (content_hash IS NULL OR (length(content_hash) = 64 AND content_hash NOT GLOB '*[^0-9a-f]*'));

-- Closures and attachments are facts of their own, each with its hash,
-- which the history row that recorded it carries too (store/facts.rs).
ALTER TABLE finding_closures ADD COLUMN fact_hash TEXT
    CHECK (fact_hash IS NULL OR (length(fact_hash) = 64 AND fact_hash NOT GLOB '*[^0-9a-f]*'));
ALTER TABLE attachments ADD COLUMN fact_hash TEXT
    CHECK (fact_hash IS NULL OR (length(fact_hash) = 64 AND fact_hash NOT GLOB '*[^0-9a-f]*'));

-- Voiding: a lot, claim, or a draft audit's evidence item or finding entered
-- wrongly keeps its row, with who voided it, when and why. Voided rows count
-- in no verdict, chart, score or count, and never change again.
ALTER TABLE lots ADD COLUMN voided_at TEXT;
ALTER TABLE lots ADD COLUMN voided_by TEXT;
ALTER TABLE lots ADD COLUMN void_reason TEXT
    CHECK ((voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL)
           OR (voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL
               AND length(trim(voided_by)) > 0 AND length(trim(void_reason)) > 0));
ALTER TABLE claims ADD COLUMN voided_at TEXT;
ALTER TABLE claims ADD COLUMN voided_by TEXT;
ALTER TABLE claims ADD COLUMN void_reason TEXT
    CHECK ((voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL)
           OR (voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL
               AND length(trim(voided_by)) > 0 AND length(trim(void_reason)) > 0));
ALTER TABLE evidence ADD COLUMN voided_at TEXT;
ALTER TABLE evidence ADD COLUMN voided_by TEXT;
ALTER TABLE evidence ADD COLUMN void_reason TEXT
    CHECK ((voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL)
           OR (voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL
               AND length(trim(voided_by)) > 0 AND length(trim(void_reason)) > 0));
ALTER TABLE findings ADD COLUMN voided_at TEXT;
ALTER TABLE findings ADD COLUMN voided_by TEXT;
ALTER TABLE findings ADD COLUMN void_reason TEXT
    CHECK ((voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL)
           OR (voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL
               AND length(trim(voided_by)) > 0 AND length(trim(void_reason)) > 0));

-- The verdict scan's covering index holds only lots in force: a voided lot
-- leaves it, so no scan has to skip it. `voided_at` is in the index (always
-- NULL there) only so that queries naming it stay covered by the index.
DROP INDEX lots_by_supplier_date;
CREATE INDEX lots_by_supplier_date ON lots (supplier_id, produced_on, lot, started, passed_first, voided_at)
    WHERE voided_at IS NULL;

-- History, rebuilt: its vocabularies widened once for the whole round of
-- team features (so later work need not rebuild it again), and every row
-- chained to the one before (`chain_hash`), with the hash of the fact it
-- records where it records one (`fact_hash`). The seed copies the old rows
-- into the chain and drops `history_v2`.
DROP INDEX history_by_supplier;
ALTER TABLE history RENAME TO history_v2;
CREATE TABLE history (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    supplier_id INTEGER REFERENCES suppliers (id),
    entity      TEXT NOT NULL CHECK (entity IN (
                    'supplier', 'claim', 'audit', 'answer', 'evidence', 'finding', 'closure', 'policy',
                    'lots', 'lot', 'shortlist', 'attachment', 'annotation', 'control_plan', 'checklist',
                    'merge', 'sync')),
    entity_key  TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN (
                    'create', 'update', 'delete', 'submit', 'close', 'retire', 'import', 'attach', 'void',
                    'annotate', 'exclude', 'include', 'freeze', 'unfreeze', 'amend', 'merge', 'sync',
                    'conflict')),
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT,
    fact_hash   TEXT CHECK (fact_hash IS NULL OR (length(fact_hash) = 64 AND fact_hash NOT GLOB '*[^0-9a-f]*')),
    chain_hash  TEXT NOT NULL CHECK (length(chain_hash) = 64 AND chain_hash NOT GLOB '*[^0-9a-f]*')
) STRICT;
CREATE INDEX history_by_supplier ON history (supplier_id, id);
CREATE INDEX history_by_fact ON history (fact_hash) WHERE fact_hash IS NOT NULL;
