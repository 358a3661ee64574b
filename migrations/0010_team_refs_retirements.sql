-- casebook migration: audit references may be shared; a claim's retirement
-- may change.
--
-- Applied in one transaction, with foreign keys off for it (SQLite's
-- documented way to change a table: make the new one, copy, drop the old,
-- rename; store/migrate.rs turns them off before the transaction and runs
-- `PRAGMA foreign_key_check` before it commits). Never edit this file once
-- released.
--
-- 1. An audit's reference is a label for people, no longer unique: two
--    copies of one database may each hold an audit A-2026-042 (minted before
--    installation tags, or typed by hand), and a merge takes both in; the
--    gid is the audit's identity. The table is rebuilt without the UNIQUE on
--    `ref` (every CHECK, the other UNIQUEs, the indexes and every trigger on
--    it as they were, in their order; `audits_key_taken` now refuses a taken
--    id, gid or place in the chain instead of a taken reference), with a
--    plain index on `ref`.
-- 2. A claim's retirement is a mutable field (merged by the later edit, see
--    field_versions): `claims_frozen` lets `retired_on` change, and be
--    cleared, while the claim is not voided; every other column stays as it
--    was. `claims_gid_fixed`, created after it, is created again after it so
--    the two fire in the order they did.

CREATE TABLE audits_rebuilt (
    id           INTEGER PRIMARY KEY,
    ref          TEXT NOT NULL CHECK (length(ref) BETWEEN 1 AND 64 AND ref = trim(ref)),
    supplier_id  INTEGER NOT NULL REFERENCES suppliers (id),
    auditor      TEXT NOT NULL CHECK (length(trim(auditor)) > 0),
    visited_on   TEXT NOT NULL CHECK (visited_on IS date(visited_on)),
    kind         TEXT NOT NULL CHECK (kind IN ('on_site', 'desk_review')),
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
    summary      TEXT,
    template     TEXT NOT NULL REFERENCES checklist_templates (template),
    amends       INTEGER REFERENCES audits (id),
    -- Filled once, at submission (see the triggers and store/audits/seal.rs).
    submitted_at TEXT,
    score_pct    REAL CHECK (score_pct IS NULL OR score_pct BETWEEN 0 AND 100),
    grade        TEXT CHECK (grade IS NULL OR grade IN ('A', 'B', 'C', 'D', 'E', 'insufficient')),
    -- Critical questions answered `no`, comma-separated ('' for none).
    critical_no  TEXT,
    content_hash TEXT CHECK (content_hash IS NULL OR length(content_hash) = 64),
    chain_seq    INTEGER UNIQUE,
    chain_hash   TEXT CHECK (chain_hash IS NULL OR length(chain_hash) = 64),
    seal_format  INTEGER CHECK (seal_format IS NULL OR seal_format IN (1, 2)),
    gid          TEXT,
    UNIQUE (id, template),
    CHECK ((status = 'draft') = (submitted_at IS NULL AND grade IS NULL AND critical_no IS NULL
                                 AND content_hash IS NULL AND chain_seq IS NULL AND chain_hash IS NULL)),
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL AND grade IS NOT NULL AND critical_no IS NOT NULL
                                     AND content_hash IS NOT NULL AND chain_seq IS NOT NULL
                                     AND chain_hash IS NOT NULL)),
    CHECK (amends IS NULL OR amends <> id)
) STRICT;

INSERT INTO audits_rebuilt (id, ref, supplier_id, auditor, visited_on, kind, status, summary, template, amends,
                            submitted_at, score_pct, grade, critical_no, content_hash, chain_seq, chain_hash,
                            seal_format, gid)
SELECT id, ref, supplier_id, auditor, visited_on, kind, status, summary, template, amends,
       submitted_at, score_pct, grade, critical_no, content_hash, chain_seq, chain_hash, seal_format, gid
FROM audits;

-- Dropping the table drops its indexes and triggers. Triggers on other
-- tables name `audits` and would stop the rename from parsing the schema
-- while no table has that name: the rename is done the way SQLite did it
-- before 3.26 (it changes nothing else, and foreign keys in other tables
-- name `audits`, the table's name again once renamed).
DROP TABLE audits;
PRAGMA legacy_alter_table = ON;
ALTER TABLE audits_rebuilt RENAME TO audits;
PRAGMA legacy_alter_table = OFF;

CREATE INDEX audits_by_supplier ON audits (supplier_id, visited_on);
CREATE INDEX audits_by_ref ON audits (ref);
CREATE UNIQUE INDEX audits_by_gid ON audits (gid);

CREATE TRIGGER audits_submitted_undeletable BEFORE DELETE ON audits
WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted and cannot be deleted');
END;

-- A draft becomes submitted only through the submission columns: nothing else
-- may change in the same statement, so the hash covers what was reviewed.
CREATE TRIGGER audits_submit_only_seals BEFORE UPDATE ON audits
WHEN OLD.status = 'draft' AND NEW.status = 'submitted'
     AND (NEW.ref IS NOT OLD.ref OR NEW.supplier_id IS NOT OLD.supplier_id
          OR NEW.auditor IS NOT OLD.auditor OR NEW.visited_on IS NOT OLD.visited_on
          OR NEW.kind IS NOT OLD.kind OR NEW.summary IS NOT OLD.summary
          OR NEW.template IS NOT OLD.template OR NEW.amends IS NOT OLD.amends)
BEGIN
    SELECT RAISE(ABORT, 'submitting an audit cannot change its content');
END;

CREATE TRIGGER audits_amend_submitted_only BEFORE INSERT ON audits
WHEN NEW.amends IS NOT NULL
     AND (SELECT status FROM audits WHERE id = NEW.amends) IS NOT 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'an amendment must reference a submitted audit');
END;

CREATE TRIGGER audits_insert_as_draft BEFORE INSERT ON audits
WHEN NEW.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'audits are created as drafts and then submitted');
END;

CREATE TRIGGER audits_key_taken BEFORE INSERT ON audits
WHEN EXISTS (SELECT 1 FROM audits WHERE id = NEW.id OR gid = NEW.gid OR chain_seq = NEW.chain_seq)
BEGIN
    SELECT RAISE(ABORT, 'an audit with this id or global id is on file; audits are never replaced');
END;

CREATE TRIGGER audits_submitted_frozen BEFORE UPDATE ON audits
WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted and cannot be changed; record an amendment instead');
END;

CREATE TRIGGER audits_key_fixed BEFORE UPDATE ON audits
WHEN NEW.id IS NOT OLD.id OR NEW.ref IS NOT OLD.ref
     OR (NEW.chain_seq IS NOT NULL AND EXISTS (SELECT 1 FROM audits WHERE chain_seq = NEW.chain_seq AND id <> OLD.id))
BEGIN
    SELECT RAISE(ABORT, 'an audit''s id, reference and place in the chain never change');
END;

CREATE TRIGGER audits_gid_required BEFORE INSERT ON audits
WHEN NEW.gid IS NULL OR length(NEW.gid) <> 36 OR NEW.gid GLOB '*[^0-9a-f-]*'
     OR substr(NEW.gid, 9, 1) <> '-' OR substr(NEW.gid, 15, 1) NOT IN ('7', '8')
BEGIN
    SELECT RAISE(ABORT, 'every row needs its global id (gid): a lower-case UUIDv7 or UUIDv8');
END;

CREATE TRIGGER audits_gid_fixed BEFORE UPDATE ON audits
WHEN NEW.gid IS NOT OLD.gid
BEGIN
    SELECT RAISE(ABORT, 'a global id never changes');
END;

-- Claims: retired, re-dated or un-retired while in force; voided once; never
-- otherwise edited or deleted.
DROP TRIGGER claims_frozen;
DROP TRIGGER claims_gid_fixed;

CREATE TRIGGER claims_frozen BEFORE UPDATE ON claims
WHEN OLD.voided_at IS NOT NULL
     OR NEW.id IS NOT OLD.id OR NEW.supplier_id IS NOT OLD.supplier_id OR NEW.capability IS NOT OLD.capability
     OR NEW.source IS NOT OLD.source OR NEW.stated_on IS NOT OLD.stated_on OR NEW.statement IS NOT OLD.statement
BEGIN
    SELECT RAISE(ABORT, 'a claim is never edited: its retirement can change, or it can be voided, and a voided claim never changes');
END;

CREATE TRIGGER claims_gid_fixed BEFORE UPDATE ON claims
WHEN NEW.gid IS NOT OLD.gid
BEGIN
    SELECT RAISE(ABORT, 'a global id never changes');
END;
