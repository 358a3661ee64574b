-- casebook schema, migration 1.
--
-- Applied in one transaction by src/store/migrate.rs. Never edit this file
-- once released: later changes are new migrations appended to the list there.
--
-- Conventions: dates are TEXT 'YYYY-MM-DD' checked with `x IS date(x)` (which
-- rejects 2026-02-30, since SQLite normalises it to 2026-03-02); timestamps
-- are TEXT RFC 3339 in UTC; enumerations are the exact words of DOMAIN.md.

CREATE TABLE suppliers (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE
                  CHECK (length(code) BETWEEN 1 AND 64 AND code = trim(code)
                         AND code NOT GLOB '*[^A-Za-z0-9._-]*'),
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    country       TEXT NOT NULL CHECK (length(country) = 2 AND country GLOB '[A-Z][A-Z]'),
    city          TEXT,
    business_type TEXT NOT NULL DEFAULT 'unknown'
                  CHECK (business_type IN ('manufacturer', 'trading_company', 'unknown')),
    model_oem     INTEGER NOT NULL DEFAULT 0 CHECK (model_oem IN (0, 1)),
    model_odm     INTEGER NOT NULL DEFAULT 0 CHECK (model_odm IN (0, 1)),
    moq           INTEGER CHECK (moq > 0),
    dev_lead_days INTEGER CHECK (dev_lead_days > 0),
    notes         TEXT
) STRICT;

CREATE TABLE claims (
    id          INTEGER PRIMARY KEY,
    supplier_id INTEGER NOT NULL REFERENCES suppliers (id),
    capability  TEXT NOT NULL CHECK (capability IN (
                    'structural_design', 'material_selection', 'manufacturability', 'feasibility',
                    'mass_production', 'material_sourcing', 'in_process_qc')),
    source      TEXT NOT NULL CHECK (source IN (
                    'website', 'rfq_response', 'sales_call', 'catalogue', 'marketplace_listing', 'other')),
    stated_on   TEXT NOT NULL CHECK (stated_on IS date(stated_on)),
    statement   TEXT NOT NULL DEFAULT '',
    retired_on  TEXT CHECK (retired_on IS NULL
                            OR (retired_on IS date(retired_on) AND retired_on >= stated_on))
) STRICT;
CREATE INDEX claims_by_supplier ON claims (supplier_id);

-- Checklist templates are versioned data: an audit keeps the template it was
-- taken on, and answers can only name questions of that template.
CREATE TABLE checklist_templates (
    template TEXT PRIMARY KEY CHECK (template GLOB '*/[0-9]*'),
    title    TEXT NOT NULL
) STRICT;

CREATE TABLE checklist_questions (
    template TEXT NOT NULL REFERENCES checklist_templates (template),
    code     TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 16),
    position INTEGER NOT NULL,
    section  TEXT NOT NULL CHECK (section IN (
                 'legitimacy', 'material_compatibility', 'assembly_constraints',
                 'production_yield', 'dfm_evaluation', 'quality_control')),
    pillar   TEXT CHECK (pillar IS NULL OR pillar IN (
                 'material_compatibility', 'assembly_constraints', 'production_yield', 'dfm_evaluation')),
    weight   INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 3),
    critical INTEGER NOT NULL DEFAULT 0 CHECK (critical IN (0, 1)),
    text     TEXT NOT NULL CHECK (length(trim(text)) > 0),
    guidance TEXT,
    PRIMARY KEY (template, code),
    UNIQUE (template, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE audits (
    id           INTEGER PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE CHECK (length(ref) BETWEEN 1 AND 64 AND ref = trim(ref)),
    supplier_id  INTEGER NOT NULL REFERENCES suppliers (id),
    auditor      TEXT NOT NULL CHECK (length(trim(auditor)) > 0),
    visited_on   TEXT NOT NULL CHECK (visited_on IS date(visited_on)),
    kind         TEXT NOT NULL CHECK (kind IN ('on_site', 'desk_review')),
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
    summary      TEXT,
    template     TEXT NOT NULL REFERENCES checklist_templates (template),
    amends       INTEGER REFERENCES audits (id),
    -- Filled once, at submission (see the triggers below and store/audits.rs).
    submitted_at TEXT,
    score_pct    REAL CHECK (score_pct IS NULL OR score_pct BETWEEN 0 AND 100),
    grade        TEXT CHECK (grade IS NULL OR grade IN ('A', 'B', 'C', 'D', 'E', 'insufficient')),
    -- Critical questions answered `no`, comma-separated ('' for none).
    critical_no  TEXT,
    content_hash TEXT CHECK (content_hash IS NULL OR length(content_hash) = 64),
    chain_seq    INTEGER UNIQUE,
    chain_hash   TEXT CHECK (chain_hash IS NULL OR length(chain_hash) = 64),
    UNIQUE (id, template),
    CHECK ((status = 'draft') = (submitted_at IS NULL AND grade IS NULL AND critical_no IS NULL
                                 AND content_hash IS NULL AND chain_seq IS NULL AND chain_hash IS NULL)),
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL AND grade IS NOT NULL AND critical_no IS NOT NULL
                                     AND content_hash IS NOT NULL AND chain_seq IS NOT NULL
                                     AND chain_hash IS NOT NULL)),
    CHECK (amends IS NULL OR amends <> id)
) STRICT;
CREATE INDEX audits_by_supplier ON audits (supplier_id, visited_on);

CREATE TABLE answers (
    audit_id INTEGER NOT NULL REFERENCES audits (id),
    template TEXT NOT NULL,
    question TEXT NOT NULL,
    result   TEXT NOT NULL CHECK (result IN ('yes', 'partial', 'no', 'na')),
    note     TEXT,
    PRIMARY KEY (audit_id, question),
    FOREIGN KEY (audit_id, template) REFERENCES audits (id, template),
    FOREIGN KEY (template, question) REFERENCES checklist_questions (template, code)
) STRICT, WITHOUT ROWID;

CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    audit_id     INTEGER NOT NULL REFERENCES audits (id),
    pillar       TEXT NOT NULL CHECK (pillar IN (
                     'material_compatibility', 'assembly_constraints', 'production_yield', 'dfm_evaluation')),
    kind         TEXT NOT NULL CHECK (kind IN (
                     'test_report', 'work_instruction', 'fixture', 'first_article', 'inspection_record',
                     'dfm_report', 'tooling_record', 'design_portfolio', 'sample', 'licence', 'other')),
    strength     TEXT NOT NULL CHECK (strength IN ('observed', 'document', 'stated')),
    collected_on TEXT NOT NULL CHECK (collected_on IS date(collected_on)),
    description  TEXT NOT NULL CHECK (length(trim(description)) > 0),
    reference    TEXT
) STRICT;
CREATE INDEX evidence_by_audit ON evidence (audit_id);

CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,
    audit_id    INTEGER NOT NULL REFERENCES audits (id),
    severity    TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor')),
    description TEXT NOT NULL CHECK (length(trim(description)) > 0),
    owner       TEXT,
    due_on      TEXT NOT NULL CHECK (due_on IS date(due_on))
) STRICT;
CREATE INDEX findings_by_audit ON findings (audit_id);

-- Closing a finding adds a row here; a closure is never updated or deleted.
CREATE TABLE finding_closures (
    finding_id  INTEGER PRIMARY KEY REFERENCES findings (id),
    closed_on   TEXT NOT NULL CHECK (closed_on IS date(closed_on)),
    evidence    TEXT NOT NULL CHECK (length(trim(evidence)) > 0),
    closed_by   TEXT NOT NULL CHECK (length(trim(closed_by)) > 0),
    recorded_at TEXT NOT NULL
) STRICT;

-- Where the auditor left off in a draft audit: the question last selected in
-- the UI's audit editor, written whenever the selection moves. UI state, not
-- part of the record: no history row, not exported, not sealed; it goes with
-- its audit.
CREATE TABLE audit_cursors (
    audit_id   INTEGER PRIMARY KEY REFERENCES audits (id) ON DELETE CASCADE,
    question   TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 16),
    updated_at TEXT NOT NULL
) STRICT;

-- Clustered by (supplier, lot code): the key is the uniqueness rule, and one
-- supplier's lots sit together, so a per-supplier read is one range scan.
--
-- Defect counts live on the lot as canonical compact JSON, codes sorted:
-- {"bubble":12,"flash":20}. (A row per defect quadrupled the rows an import
-- writes; see BENCHMARKS.md.) The CHECK holds the domain rule: a non-empty
-- object whose every value starts with a digit 1-9 (so no zero, sign, text,
-- true/false/null or nested value) and which has no decimal point, minus sign
-- or space anywhere — every count a whole number above 0. (An exponent such
-- as 1e3 is still a whole number and reads as one.) Codes are lower-case
-- words by the importers' rule. GLOBs with a leading `*` and a big character
-- class cost seconds per million rows, hence these cheap forms. Query with
-- json_each(lots.defects).
--
-- `process` is checked with OR rather than IN: SQLite evaluates a CHECK's IN
-- list far more slowly, and this table takes a million rows an import.
CREATE TABLE lots (
    supplier_id  INTEGER NOT NULL REFERENCES suppliers (id),
    lot          TEXT NOT NULL CHECK (lot <> ''),
    sku          TEXT NOT NULL CHECK (sku <> ''),
    process      TEXT NOT NULL CHECK (process = 'injection' OR process = 'co_molding' OR process = 'assembly'
                                      OR process = 'printing' OR process = 'other'),
    material     TEXT NOT NULL CHECK (material <> ''),
    produced_on  TEXT NOT NULL CHECK (produced_on IS date(produced_on)),
    started      INTEGER NOT NULL CHECK (started > 0),
    passed_first INTEGER NOT NULL CHECK (passed_first >= 0 AND passed_first <= started),
    reworked     INTEGER NOT NULL CHECK (reworked >= 0),
    scrapped     INTEGER NOT NULL CHECK (scrapped >= 0 AND passed_first + scrapped <= started),
    defects      TEXT CHECK (defects IS NULL OR (json_valid(defects) AND defects GLOB '{"*'
                                                 AND defects NOT GLOB '*:[^1-9]*'
                                                 AND instr(defects, '.') = 0 AND instr(defects, '-') = 0
                                                 AND instr(defects, ' ') = 0)),
    PRIMARY KEY (supplier_id, lot)
) STRICT, WITHOUT ROWID;
-- Covers every all-supplier aggregate and per-supplier date range the product
-- runs (verdicts, supplier list) in chart order (date, then lot code), so
-- neither needs a table look-up nor a sort. (`lot` is part of the table's key
-- and would be in the index anyway; naming it here only places it.)
CREATE INDEX lots_by_supplier_date ON lots (supplier_id, produced_on, lot, started, passed_first);

-- Flag policy: one row per key, seeded with DOMAIN.md's defaults by the
-- application when the database is created (see assess/policy.rs).
CREATE TABLE policy (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE shortlist (
    supplier_id INTEGER PRIMARY KEY REFERENCES suppliers (id),
    added_at    TEXT NOT NULL
) STRICT;

-- Append-only record of every change made through casebook.
CREATE TABLE history (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    supplier_id INTEGER REFERENCES suppliers (id),
    entity      TEXT NOT NULL CHECK (entity IN (
                    'supplier', 'claim', 'audit', 'answer', 'evidence', 'finding', 'policy',
                    'lots', 'shortlist', 'attachment')),
    entity_key  TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN (
                    'create', 'update', 'delete', 'submit', 'close', 'retire', 'import', 'attach')),
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT
) STRICT;
CREATE INDEX history_by_supplier ON history (supplier_id, id);

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence (id),
    path        TEXT NOT NULL CHECK (length(path) > 0),
    size        INTEGER NOT NULL CHECK (size >= 0),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    attached_at TEXT NOT NULL,
    attached_by TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_by_evidence ON attachments (evidence_id);

-- Immutability. A submitted audit and everything filed under it cannot be
-- changed or deleted, whoever runs the SQL. Corrections are new audits whose
-- `amends` names the original. (Dropping these triggers is detected by the
-- content hashes and the hash chain that `casebook check` verifies.)

CREATE TRIGGER audits_submitted_frozen BEFORE UPDATE ON audits
WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted and cannot be changed; record an amendment instead');
END;

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

CREATE TRIGGER answers_frozen_insert BEFORE INSERT ON answers
WHEN (SELECT status FROM audits WHERE id = NEW.audit_id) = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its answers cannot be changed');
END;
CREATE TRIGGER answers_frozen_update BEFORE UPDATE ON answers
WHEN (SELECT status FROM audits WHERE id IN (OLD.audit_id, NEW.audit_id) AND status = 'submitted') IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its answers cannot be changed');
END;
CREATE TRIGGER answers_frozen_delete BEFORE DELETE ON answers
WHEN (SELECT status FROM audits WHERE id = OLD.audit_id) = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its answers cannot be deleted');
END;

CREATE TRIGGER evidence_frozen_insert BEFORE INSERT ON evidence
WHEN (SELECT status FROM audits WHERE id = NEW.audit_id) = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its evidence cannot be changed');
END;
CREATE TRIGGER evidence_frozen_update BEFORE UPDATE ON evidence
WHEN (SELECT status FROM audits WHERE id IN (OLD.audit_id, NEW.audit_id) AND status = 'submitted') IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its evidence cannot be changed');
END;
CREATE TRIGGER evidence_frozen_delete BEFORE DELETE ON evidence
WHEN (SELECT status FROM audits WHERE id = OLD.audit_id) = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its evidence cannot be deleted');
END;

CREATE TRIGGER findings_frozen_insert BEFORE INSERT ON findings
WHEN (SELECT status FROM audits WHERE id = NEW.audit_id) = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its findings cannot be changed');
END;
CREATE TRIGGER findings_frozen_update BEFORE UPDATE ON findings
WHEN (SELECT status FROM audits WHERE id IN (OLD.audit_id, NEW.audit_id) AND status = 'submitted') IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its findings cannot be changed (close them instead)');
END;
CREATE TRIGGER findings_frozen_delete BEFORE DELETE ON findings
WHEN (SELECT status FROM audits WHERE id = OLD.audit_id) = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; its findings cannot be deleted');
END;

CREATE TRIGGER finding_closures_append_only_update BEFORE UPDATE ON finding_closures
BEGIN
    SELECT RAISE(ABORT, 'a finding closure is recorded once and never changed');
END;
CREATE TRIGGER finding_closures_append_only_delete BEFORE DELETE ON finding_closures
BEGIN
    SELECT RAISE(ABORT, 'a finding closure is recorded once and never deleted');
END;

CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
CREATE TRIGGER history_append_only_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

CREATE TRIGGER attachments_append_only_update BEFORE UPDATE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are recorded once; attach the file again instead');
END;
CREATE TRIGGER attachments_append_only_delete BEFORE DELETE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are recorded once and never deleted');
END;
