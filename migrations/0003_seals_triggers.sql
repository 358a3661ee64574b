-- casebook migration 3, part 2 of 2: the triggers, created after the seed.
-- Never edit this file once released.
--
-- Why BEFORE INSERT "key taken" triggers: `INSERT OR REPLACE` (and `UPDATE
-- OR REPLACE`) resolve a UNIQUE or PRIMARY KEY conflict by deleting the old
-- row without firing its DELETE triggers, so a submitted audit, an answer,
-- a history row or an attachment could be swapped for another. A BEFORE
-- trigger runs before conflict resolution and refuses a row whose key is
-- taken, whatever the statement's OR clause. casebook itself never relies
-- on REPLACE or ON CONFLICT on these tables. Keys never change either.

-- Audits ------------------------------------------------------------------

CREATE TRIGGER audits_submitted_frozen BEFORE UPDATE ON audits
WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted and cannot be changed; record an amendment instead');
END;

CREATE TRIGGER audits_key_taken BEFORE INSERT ON audits
WHEN EXISTS (SELECT 1 FROM audits WHERE id = NEW.id OR ref = NEW.ref OR chain_seq = NEW.chain_seq)
BEGIN
    SELECT RAISE(ABORT, 'an audit with this id or reference is on file; audits are never replaced');
END;

CREATE TRIGGER audits_key_fixed BEFORE UPDATE ON audits
WHEN NEW.id IS NOT OLD.id OR NEW.ref IS NOT OLD.ref
     OR (NEW.chain_seq IS NOT NULL AND EXISTS (SELECT 1 FROM audits WHERE chain_seq = NEW.chain_seq AND id <> OLD.id))
BEGIN
    SELECT RAISE(ABORT, 'an audit''s id, reference and place in the chain never change');
END;

CREATE TRIGGER answers_key_taken BEFORE INSERT ON answers
WHEN EXISTS (SELECT 1 FROM answers WHERE audit_id = NEW.audit_id AND question = NEW.question)
BEGIN
    SELECT RAISE(ABORT, 'this question is already answered in this audit; answers are never replaced');
END;

CREATE TRIGGER answers_key_fixed BEFORE UPDATE ON answers
WHEN NEW.audit_id IS NOT OLD.audit_id OR NEW.question IS NOT OLD.question
BEGIN
    SELECT RAISE(ABORT, 'an answer''s audit and question never change');
END;

CREATE TRIGGER evidence_key_taken BEFORE INSERT ON evidence
WHEN EXISTS (SELECT 1 FROM evidence WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'an evidence item with this id is on file; evidence is never replaced');
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

CREATE TRIGGER evidence_voided_undeletable BEFORE DELETE ON evidence
WHEN OLD.voided_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a voided evidence item is never deleted');
END;

CREATE TRIGGER findings_key_taken BEFORE INSERT ON findings
WHEN EXISTS (SELECT 1 FROM findings WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'a finding with this id is on file; findings are never replaced');
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

CREATE TRIGGER findings_voided_undeletable BEFORE DELETE ON findings
WHEN OLD.voided_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a voided finding is never deleted');
END;

-- Append-only facts -------------------------------------------------------

CREATE TRIGGER finding_closures_key_taken BEFORE INSERT ON finding_closures
WHEN EXISTS (SELECT 1 FROM finding_closures WHERE finding_id = NEW.finding_id)
BEGIN
    SELECT RAISE(ABORT, 'this finding is already closed; a closure is recorded once and never replaced');
END;

CREATE TRIGGER finding_closures_append_only_update BEFORE UPDATE ON finding_closures
BEGIN
    SELECT RAISE(ABORT, 'a finding closure is recorded once and never changed');
END;

CREATE TRIGGER finding_closures_not_voided BEFORE INSERT ON finding_closures
WHEN (SELECT voided_at FROM findings WHERE id = NEW.finding_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a voided finding is not closed');
END;

CREATE TRIGGER attachments_key_taken BEFORE INSERT ON attachments
WHEN EXISTS (SELECT 1 FROM attachments WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'an attachment with this id is on file; attachments are never replaced');
END;

CREATE TRIGGER attachments_append_only_update BEFORE UPDATE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are recorded once; attach the file again instead');
END;

CREATE TRIGGER history_key_taken BEFORE INSERT ON history
WHEN EXISTS (SELECT 1 FROM history WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

CREATE TRIGGER history_append_only_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

-- Checklist templates: sealed once complete ----------------------------------

CREATE TRIGGER checklist_templates_key_taken BEFORE INSERT ON checklist_templates
WHEN EXISTS (SELECT 1 FROM checklist_templates WHERE template = NEW.template)
BEGIN
    SELECT RAISE(ABORT, 'this checklist template is on file; a changed checklist is a new template version');
END;

-- The one change allowed: storing the hash of a template that has none.
CREATE TRIGGER checklist_templates_frozen BEFORE UPDATE ON checklist_templates
WHEN OLD.content_hash IS NOT NULL OR NEW.template IS NOT OLD.template OR NEW.title IS NOT OLD.title
BEGIN
    SELECT RAISE(ABORT, 'a checklist template never changes; a changed checklist is a new template version');
END;

CREATE TRIGGER checklist_templates_undeletable BEFORE DELETE ON checklist_templates
BEGIN
    SELECT RAISE(ABORT, 'a checklist template is never deleted');
END;

CREATE TRIGGER checklist_questions_key_taken BEFORE INSERT ON checklist_questions
WHEN EXISTS (SELECT 1 FROM checklist_questions
             WHERE template = NEW.template AND (code = NEW.code OR position = NEW.position))
BEGIN
    SELECT RAISE(ABORT, 'this template already has a question with this code or position; questions are never replaced');
END;

CREATE TRIGGER checklist_questions_template_sealed BEFORE INSERT ON checklist_questions
WHEN (SELECT content_hash FROM checklist_templates WHERE template = NEW.template) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the questions of a sealed checklist template never change; a changed checklist is a new template version');
END;

CREATE TRIGGER checklist_questions_frozen BEFORE UPDATE ON checklist_questions
BEGIN
    SELECT RAISE(ABORT, 'a checklist question never changes; a changed checklist is a new template version');
END;

CREATE TRIGGER checklist_questions_undeletable BEFORE DELETE ON checklist_questions
BEGIN
    SELECT RAISE(ABORT, 'a checklist question is never deleted');
END;

-- Suppliers: the profile changes, the identity does not ----------------------

CREATE TRIGGER suppliers_key_taken BEFORE INSERT ON suppliers
WHEN EXISTS (SELECT 1 FROM suppliers WHERE id = NEW.id OR code = NEW.code)
BEGIN
    SELECT RAISE(ABORT, 'a supplier with this id or code is on file; suppliers are never replaced');
END;

CREATE TRIGGER suppliers_key_fixed BEFORE UPDATE ON suppliers
WHEN NEW.id IS NOT OLD.id OR NEW.code IS NOT OLD.code
BEGIN
    SELECT RAISE(ABORT, 'a supplier''s id and code never change');
END;

-- Claims: retired once, or voided; never edited or deleted -------------------

CREATE TRIGGER claims_key_taken BEFORE INSERT ON claims
WHEN EXISTS (SELECT 1 FROM claims WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'a claim with this id is on file; claims are never replaced');
END;

CREATE TRIGGER claims_frozen BEFORE UPDATE ON claims
WHEN OLD.voided_at IS NOT NULL
     OR NEW.id IS NOT OLD.id OR NEW.supplier_id IS NOT OLD.supplier_id OR NEW.capability IS NOT OLD.capability
     OR NEW.source IS NOT OLD.source OR NEW.stated_on IS NOT OLD.stated_on OR NEW.statement IS NOT OLD.statement
     OR (OLD.retired_on IS NOT NULL AND NEW.retired_on IS NOT OLD.retired_on)
BEGIN
    SELECT RAISE(ABORT, 'a claim is never edited: it can be retired once, or voided, and a voided claim never changes');
END;

CREATE TRIGGER claims_undeletable BEFORE DELETE ON claims
BEGIN
    SELECT RAISE(ABORT, 'a claim is never deleted; void it instead (casebook claim void)');
END;

-- Lots: never changed or deleted, only voided --------------------------------

CREATE TRIGGER lots_key_taken BEFORE INSERT ON lots
WHEN EXISTS (SELECT 1 FROM lots WHERE supplier_id = NEW.supplier_id AND lot = NEW.lot)
BEGIN
    SELECT RAISE(ABORT, 'this supplier already has a lot with this code; lots are never replaced');
END;

CREATE TRIGGER lots_frozen BEFORE UPDATE ON lots
WHEN OLD.voided_at IS NOT NULL OR NEW.voided_at IS NULL
     OR NEW.supplier_id IS NOT OLD.supplier_id OR NEW.lot IS NOT OLD.lot OR NEW.sku IS NOT OLD.sku
     OR NEW.process IS NOT OLD.process OR NEW.material IS NOT OLD.material OR NEW.produced_on IS NOT OLD.produced_on
     OR NEW.started IS NOT OLD.started OR NEW.passed_first IS NOT OLD.passed_first
     OR NEW.reworked IS NOT OLD.reworked OR NEW.scrapped IS NOT OLD.scrapped OR NEW.defects IS NOT OLD.defects
BEGIN
    SELECT RAISE(ABORT, 'a lot is never changed, only voided (casebook lot void); a voided lot never changes');
END;

CREATE TRIGGER lots_undeletable BEFORE DELETE ON lots
BEGIN
    SELECT RAISE(ABORT, 'a lot is never deleted; void it instead (casebook lot void)');
END;
