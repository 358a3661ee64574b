-- casebook migration 5, part 2 of 2: the triggers lifted for the seed,
-- unchanged and in their order, and what makes `gid` unique, required and fixed. Never edit
-- this file once released.

CREATE TRIGGER claims_frozen BEFORE UPDATE ON claims
WHEN OLD.voided_at IS NOT NULL
     OR NEW.id IS NOT OLD.id OR NEW.supplier_id IS NOT OLD.supplier_id OR NEW.capability IS NOT OLD.capability
     OR NEW.source IS NOT OLD.source OR NEW.stated_on IS NOT OLD.stated_on OR NEW.statement IS NOT OLD.statement
     OR (OLD.retired_on IS NOT NULL AND NEW.retired_on IS NOT OLD.retired_on)
BEGIN
    SELECT RAISE(ABORT, 'a claim is never edited: it can be retired once, or voided, and a voided claim never changes');
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

CREATE TRIGGER evidence_frozen_update BEFORE UPDATE ON evidence
WHEN (SELECT status FROM audits WHERE id IN (OLD.audit_id, NEW.audit_id) AND status = 'submitted') IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its evidence cannot be changed');
END;

CREATE TRIGGER evidence_key_fixed BEFORE UPDATE ON evidence
WHEN NEW.id IS NOT OLD.id OR NEW.audit_id IS NOT OLD.audit_id
BEGIN
    SELECT RAISE(ABORT, 'an evidence item''s id and audit never change');
END;

CREATE TRIGGER evidence_voided_frozen BEFORE UPDATE ON evidence
WHEN OLD.voided_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a voided evidence item never changes');
END;

CREATE TRIGGER findings_frozen_update BEFORE UPDATE ON findings
WHEN (SELECT status FROM audits WHERE id IN (OLD.audit_id, NEW.audit_id) AND status = 'submitted') IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its findings cannot be changed (close them instead)');
END;

CREATE TRIGGER findings_key_fixed BEFORE UPDATE ON findings
WHEN NEW.id IS NOT OLD.id OR NEW.audit_id IS NOT OLD.audit_id
BEGIN
    SELECT RAISE(ABORT, 'a finding''s id and audit never change');
END;

CREATE TRIGGER findings_voided_frozen BEFORE UPDATE ON findings
WHEN OLD.voided_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a voided finding never changes');
END;

CREATE TRIGGER attachments_append_only_update BEFORE UPDATE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are recorded once; attach the file again instead');
END;

CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

CREATE UNIQUE INDEX claims_by_gid ON claims (gid);

CREATE TRIGGER claims_gid_required BEFORE INSERT ON claims
WHEN NEW.gid IS NULL OR length(NEW.gid) <> 36 OR NEW.gid GLOB '*[^0-9a-f-]*'
     OR substr(NEW.gid, 9, 1) <> '-' OR substr(NEW.gid, 15, 1) NOT IN ('7', '8')
BEGIN
    SELECT RAISE(ABORT, 'every row needs its global id (gid): a lower-case UUIDv7 or UUIDv8');
END;

CREATE TRIGGER claims_gid_fixed BEFORE UPDATE ON claims
WHEN NEW.gid IS NOT OLD.gid
BEGIN
    SELECT RAISE(ABORT, 'a global id never changes');
END;

CREATE UNIQUE INDEX audits_by_gid ON audits (gid);

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

CREATE UNIQUE INDEX evidence_by_gid ON evidence (gid);

CREATE TRIGGER evidence_gid_required BEFORE INSERT ON evidence
WHEN NEW.gid IS NULL OR length(NEW.gid) <> 36 OR NEW.gid GLOB '*[^0-9a-f-]*'
     OR substr(NEW.gid, 9, 1) <> '-' OR substr(NEW.gid, 15, 1) NOT IN ('7', '8')
BEGIN
    SELECT RAISE(ABORT, 'every row needs its global id (gid): a lower-case UUIDv7 or UUIDv8');
END;

CREATE TRIGGER evidence_gid_fixed BEFORE UPDATE ON evidence
WHEN NEW.gid IS NOT OLD.gid
BEGIN
    SELECT RAISE(ABORT, 'a global id never changes');
END;

CREATE UNIQUE INDEX findings_by_gid ON findings (gid);

CREATE TRIGGER findings_gid_required BEFORE INSERT ON findings
WHEN NEW.gid IS NULL OR length(NEW.gid) <> 36 OR NEW.gid GLOB '*[^0-9a-f-]*'
     OR substr(NEW.gid, 9, 1) <> '-' OR substr(NEW.gid, 15, 1) NOT IN ('7', '8')
BEGIN
    SELECT RAISE(ABORT, 'every row needs its global id (gid): a lower-case UUIDv7 or UUIDv8');
END;

CREATE TRIGGER findings_gid_fixed BEFORE UPDATE ON findings
WHEN NEW.gid IS NOT OLD.gid
BEGIN
    SELECT RAISE(ABORT, 'a global id never changes');
END;

CREATE UNIQUE INDEX attachments_by_gid ON attachments (gid);

CREATE TRIGGER attachments_gid_required BEFORE INSERT ON attachments
WHEN NEW.gid IS NULL OR length(NEW.gid) <> 36 OR NEW.gid GLOB '*[^0-9a-f-]*'
     OR substr(NEW.gid, 9, 1) <> '-' OR substr(NEW.gid, 15, 1) NOT IN ('7', '8')
BEGIN
    SELECT RAISE(ABORT, 'every row needs its global id (gid): a lower-case UUIDv7 or UUIDv8');
END;

CREATE TRIGGER attachments_gid_fixed BEFORE UPDATE ON attachments
WHEN NEW.gid IS NOT OLD.gid
BEGIN
    SELECT RAISE(ABORT, 'a global id never changes');
END;

CREATE UNIQUE INDEX history_by_gid ON history (gid);

CREATE TRIGGER history_gid_required BEFORE INSERT ON history
WHEN NEW.gid IS NULL OR length(NEW.gid) <> 36 OR NEW.gid GLOB '*[^0-9a-f-]*'
     OR substr(NEW.gid, 9, 1) <> '-' OR substr(NEW.gid, 15, 1) NOT IN ('7', '8')
BEGIN
    SELECT RAISE(ABORT, 'every row needs its global id (gid): a lower-case UUIDv7 or UUIDv8');
END;

CREATE TRIGGER history_gid_fixed BEFORE UPDATE ON history
WHEN NEW.gid IS NOT OLD.gid
BEGIN
    SELECT RAISE(ABORT, 'a global id never changes');
END;
