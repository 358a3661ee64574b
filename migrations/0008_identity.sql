-- casebook migration 5, part 1 of 2: global identity for the records that
-- can be made on two laptops (claims, audits, evidence items, findings,
-- attachments, history entries).
--
-- Applied in one transaction: this file, then the Rust seed
-- (store/migrate_identity.rs: every existing row gets a name-based id
-- derived from its natural key and content, so two copies of one file
-- upgraded apart agree on it), then 0008_identity_triggers.sql. Never edit
-- this file once released.
--
-- Suppliers, lots, answers, closures, shortlist marks and policy values are
-- identified by natural keys that are global already (a supplier's code,
-- supplier and lot code, audit and question, the finding closed, a policy
-- key): see README, "Teams: identity and merging".

-- Triggers that refuse any update of rows the seed gives an id to; the
-- finishing file creates them again, unchanged.
-- (The update triggers created after them on the same tables go too, and
-- come back in their order, so they still fire in the order they did.)
DROP TRIGGER claims_frozen;
DROP TRIGGER audits_submitted_frozen;
DROP TRIGGER audits_key_fixed;
DROP TRIGGER evidence_frozen_update;
DROP TRIGGER evidence_key_fixed;
DROP TRIGGER evidence_voided_frozen;
DROP TRIGGER findings_frozen_update;
DROP TRIGGER findings_key_fixed;
DROP TRIGGER findings_voided_frozen;
DROP TRIGGER attachments_append_only_update;
DROP TRIGGER history_append_only_update;

-- `gid`: a UUIDv7 (or, for rows older than this migration, a name-based
-- UUIDv8) in lower-case hyphenated form. ALTER TABLE cannot add NOT NULL
-- or UNIQUE columns: the finishing file adds a unique index and triggers
-- that refuse a row without a well-formed id and any change of it.
ALTER TABLE claims ADD COLUMN gid TEXT;
ALTER TABLE audits ADD COLUMN gid TEXT;
ALTER TABLE evidence ADD COLUMN gid TEXT;
ALTER TABLE findings ADD COLUMN gid TEXT;
ALTER TABLE attachments ADD COLUMN gid TEXT;
ALTER TABLE history ADD COLUMN gid TEXT;
