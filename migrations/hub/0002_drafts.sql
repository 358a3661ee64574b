-- casebook hub schema, version 2: drafts, notes on unanswered questions,
-- voids of draft items, control plans and their unfreezing, and hand-overs
-- of drafts between auditors (PostgreSQL 13 or later). Applied by `casebook
-- hub init` after version 1, in the same transaction as the version row.
-- Never edit this file once released.
--
-- A draft is mutable until it is submitted, and nothing on the hub changes,
-- so a draft travels as it is on the laptops: its first state is a fact and
-- every later edit is a field version (`versions`, entities `audit` and
-- `answer`, filed under the draft by `audit`), from which each laptop's
-- merge engine resolves the fields. Records of a draft:
--
--   * `draft` (key: the audit's gid): the header and answers as first
--     pushed. The login that pushes it first owns the draft.
--   * `draft_evidence`, `draft_finding` (key: the item's gid): an item as
--     first pushed. They are other kinds than a submitted audit's
--     `evidence` and `finding`, whose content is sealed: a draft's item
--     edited after it was first pushed is still pushed whole at submission.
--   * `note` (key: `<audit gid> <question>`): a note on a question not
--     answered yet, as first written.
--   * `void` with topic `evidence` or `finding` (key: `evidence <gid>`): a
--     draft item voided, with the content it was voided with.
--   * `handover` (key: `<audit gid> <login>`): the draft's owner lets
--     another auditor's login push under it too (`casebook hub hand-over`).
--
-- The first four are pushed again on every sync of the draft with the
-- content the laptop has then: the hub keeps the first (later content
-- travels as versions), so the same identity with other content is not a
-- conflict for these kinds. Once an audit's submission is on the hub,
-- nothing more is filed under it; the sealed content is what counts.
--
-- An attachment whose file is in the laptop's file store has its flag, name
-- and media type hashed into its fact: they travel as `attachment_file`
-- (key: the attachment's gid), beside the attachment record of version 1.
--
-- Control plans travel as `control_plan` (without their unfreezing, which
-- happens later) and `unfreezing` (key: the plan's gid), both pushed by
-- casebook_qa, as lot annotations are.

ALTER TABLE casebook.records DROP CONSTRAINT records_kind_check;
ALTER TABLE casebook.records ADD CONSTRAINT records_kind_check CHECK (kind IN (
    'claim', 'retirement', 'evidence', 'finding', 'closure', 'submission', 'attachment', 'void', 'annotation',
    'control_plan', 'history', 'draft', 'draft_evidence', 'draft_finding', 'note', 'handover', 'unfreezing',
    'attachment_file'));
ALTER TABLE casebook.records ADD CONSTRAINT records_draft_check CHECK (
    (kind NOT IN ('draft', 'draft_evidence', 'draft_finding', 'note', 'handover') OR audit IS NOT NULL)
    AND (kind <> 'draft' OR key = audit)
    AND (kind <> 'handover' OR key = audit || ' ' || (body->>'to')));

-- What is filed under an audit names an audit on the hub or a draft there.
-- A draft has no `audits` row (that holds a submitted audit's header, a
-- fact), so the foreign keys become a check per statement (below).
ALTER TABLE casebook.records DROP CONSTRAINT records_audit_fkey;
ALTER TABLE casebook.versions DROP CONSTRAINT versions_audit_fkey;

CREATE INDEX records_drafts ON casebook.records (key) WHERE kind = 'draft';

INSERT INTO casebook.lanes (target, role) VALUES
    ('records:draft', 'casebook_auditor'),
    ('records:draft_evidence', 'casebook_auditor'),
    ('records:draft_finding', 'casebook_auditor'),
    ('records:note', 'casebook_auditor'),
    ('records:handover', 'casebook_auditor'),
    ('records:attachment_file', 'casebook_auditor'),
    ('records:unfreezing', 'casebook_qa'),
    -- What QA records about lots (annotations, plans) is history about lots.
    ('history:lots', 'casebook_qa');

CREATE OR REPLACE FUNCTION casebook.target_words(target text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN $1 = 'records:unfreezing' THEN 'unfreezings of control plans'
        WHEN $1 = 'records:draft' THEN 'draft audits'
        WHEN $1 = 'records:draft_evidence' THEN 'evidence of drafts'
        WHEN $1 = 'records:draft_finding' THEN 'findings of drafts'
        WHEN $1 = 'records:note' THEN 'notes on questions'
        WHEN $1 = 'records:handover' THEN 'hand-overs of drafts'
        WHEN $1 = 'records:attachment_file' THEN 'attachments'' file details'
        WHEN $1 LIKE 'history:%' THEN 'history entries about ' || replace(split_part($1, ':', 2), '_', ' ')
        WHEN $1 LIKE 'versions:%' THEN 'edits of ' || replace(split_part($1, ':', 2), '_', ' ') || ' fields'
        WHEN $1 LIKE 'records:%' THEN replace(split_part($1, ':', 2), '_', ' ') || 's'
        ELSE $1
    END
$$;

-- The login that owns an audit: the one that first pushed it as a draft,
-- or (an audit that reached the hub submitted) its header.
CREATE OR REPLACE FUNCTION casebook.audit_owner(audit text) RETURNS name
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
    SELECT coalesce((SELECT pushed_by FROM casebook.records WHERE kind = 'draft' AND key = $1),
                    (SELECT pushed_by FROM casebook.audits WHERE gid = $1))
$$;

-- Whether the audit's owner handed it over to `who`.
CREATE FUNCTION casebook.handed_over(audit text, who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
    SELECT EXISTS (SELECT 1 FROM casebook.records WHERE kind = 'handover' AND key = $1 || ' ' || $2::text)
$$;

-- As in version 1, but an audit not on the hub yet has no owner (the
-- login that pushes it first becomes its owner), and a login the owner
-- handed the draft to pushes under it too.
CREATE OR REPLACE FUNCTION casebook.why_refused(who name, target text, audit text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
DECLARE
    pushers text;
    held text;
    owner name;
BEGIN
    IF pg_has_role($1, (SELECT tableowner FROM pg_tables WHERE schemaname = 'casebook' AND tablename = 'hub'),
                   'USAGE') THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM casebook.lanes l WHERE l.target = $2 AND pg_has_role($1, l.role, 'USAGE')) THEN
        SELECT string_agg(l.role, ' or ' ORDER BY l.role) INTO pushers FROM casebook.lanes l WHERE l.target = $2;
        SELECT string_agg(r, ', ' ORDER BY r) INTO held
        FROM unnest(ARRAY['casebook_auditor', 'casebook_qa', 'casebook_buyer']) r WHERE pg_has_role($1, r, 'USAGE');
        RETURN format('your login %s has %s; %s are pushed by %s', $1,
                      coalesce('role ' || held, 'no casebook role'), casebook.target_words($2),
                      coalesce(pushers, 'nobody (the hub''s owner only)'));
    END IF;
    IF $3 IS NOT NULL THEN
        owner := casebook.audit_owner($3);
        IF owner IS NOT NULL AND owner <> session_user AND NOT casebook.handed_over($3, session_user) THEN
            RETURN format('audit %s is a draft of %s on the hub; only %s pushes what is filed under it (and a '
                          'login it hands the draft over to with casebook hub hand-over)', $3, owner, owner);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION casebook.record_refusal(who name, kind text, topic text, audit text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT casebook.why_refused($1, casebook.record_target($2, $3),
                                CASE WHEN $2 IN ('evidence', 'finding', 'submission', 'void', 'draft', 'draft_evidence',
                                                 'draft_finding', 'note', 'handover') THEN $4 END)
$$;

-- Field versions of an audit are its edits while a draft; after the
-- submission a version pushed (an edit made on a copy of the draft before
-- that copy saw the submission) changes nothing in the sealed audit and is
-- taken as history, from any auditor: every value a field held is kept,
-- as `casebook merge` keeps it. The owner rule holds while it is a draft.
CREATE OR REPLACE FUNCTION casebook.version_refusal(who name, entity text, audit text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT casebook.why_refused($1, 'versions:' || $2,
                                CASE WHEN $2 IN ('audit', 'answer') AND NOT casebook.audit_submitted($3) THEN $3 END)
$$;

CREATE OR REPLACE FUNCTION casebook.insert_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
DECLARE old record;
BEGIN
    SELECT actor, value, supplier, audit INTO old FROM casebook.versions
    WHERE entity = NEW.entity AND key = NEW.key AND field = NEW.field AND clock = NEW.clock;
    IF FOUND THEN
        IF old.actor = NEW.actor AND old.value IS NOT DISTINCT FROM NEW.value
           AND old.supplier IS NOT DISTINCT FROM NEW.supplier AND old.audit IS NOT DISTINCT FROM NEW.audit THEN
            RETURN NULL;
        END IF;
        PERFORM casebook.conflict('version', concat_ws(' ', NEW.entity, NEW.key, NEW.field, NEW.clock),
            jsonb_build_object('actor', old.actor, 'value', old.value),
            jsonb_build_object('actor', NEW.actor, 'value', NEW.value));
    END IF;
    RETURN NEW;
END
$$;

-- Kinds whose first content stands: pushed again with other content, the
-- hub keeps what it has (later content travels as versions).
CREATE FUNCTION casebook.first_stands(kind text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT $1 IN ('draft', 'draft_evidence', 'draft_finding', 'note')
$$;

CREATE OR REPLACE FUNCTION casebook.insert_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
DECLARE old record;
BEGIN
    SELECT supplier, audit, topic, body INTO old FROM casebook.records WHERE kind = NEW.kind AND key = NEW.key;
    IF FOUND THEN
        IF casebook.first_stands(NEW.kind) AND old.audit IS NOT DISTINCT FROM NEW.audit THEN
            RETURN NULL;
        END IF;
        IF old.supplier IS NOT DISTINCT FROM NEW.supplier AND old.audit IS NOT DISTINCT FROM NEW.audit
           AND old.topic IS NOT DISTINCT FROM NEW.topic AND old.body = NEW.body THEN
            RETURN NULL;
        END IF;
        PERFORM casebook.conflict(NEW.kind, NEW.key, old.body, NEW.body);
    END IF;
    -- Closures, attachments and history are added to submitted audits too;
    -- what makes up the audit, or its draft, is not.
    IF NEW.kind IN ('evidence', 'finding', 'submission', 'void', 'draft', 'draft_evidence', 'draft_finding', 'note',
                    'handover') THEN
        PERFORM casebook.refuse_if_submitted(NEW.audit, NEW.kind, NEW.key);
    END IF;
    RETURN NEW;
END
$$;

-- Version 1's checks, and: what a statement filed under an audit names an
-- audit or a draft on the hub (a draft record of the same statement
-- counts).
CREATE OR REPLACE FUNCTION casebook.check_stamps() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE missing text;
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows WHERE pushed_by <> session_user OR tx <> pg_current_xact_id()
                                         OR pushed_at <> now()) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'CB004',
            MESSAGE = format('rows pushed to %s must carry the pushing login and transaction', TG_TABLE_NAME);
    END IF;
    IF TG_TABLE_NAME = 'lots' THEN
        PERFORM 1 FROM (SELECT DISTINCT supplier FROM new_rows) n
        WHERE NOT EXISTS (SELECT 1 FROM casebook.suppliers s WHERE s.code = n.supplier);
        IF FOUND THEN
            RAISE EXCEPTION USING
                ERRCODE = 'foreign_key_violation',
                MESSAGE = 'lots name a supplier that is not on the hub; push the supplier first';
        END IF;
    END IF;
    IF TG_TABLE_NAME IN ('records', 'versions') THEN
        SELECT n.audit INTO missing FROM (SELECT DISTINCT audit FROM new_rows WHERE audit IS NOT NULL) n
        WHERE NOT EXISTS (SELECT 1 FROM casebook.audits a WHERE a.gid = n.audit)
          AND NOT EXISTS (SELECT 1 FROM casebook.records d WHERE d.kind = 'draft' AND d.key = n.audit)
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING
                ERRCODE = 'foreign_key_violation',
                MESSAGE = format('records name audit %s, which is not on the hub; push the audit first', missing);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
