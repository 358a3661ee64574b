-- casebook hub schema, version 1 (PostgreSQL 13 or later).
--
-- Applied by `casebook hub init` in one transaction, after the roles
-- casebook_auditor, casebook_qa and casebook_buyer exist (they are cluster
-- wide; see src/store/hub/init.rs). Never edit this file once released:
-- later changes are new files appended to the list in src/store/hub/init.rs.
--
-- The hub is a union of what the team's laptops pushed, and nothing on it
-- ever changes: every row is a fact (a supplier as first pushed, an audit's
-- creation, a submitted audit's seal, evidence, a lot, a file…) or one
-- version of a mutable field (a supplier's MOQ set by someone at some clock
-- reading). Mutable things are resolved on each laptop, by the merge engine,
-- from the union of their versions, exactly as `casebook merge` does. So the
-- hub needs no merge logic of its own; it keeps:
--
--   * who may add what (GRANTs, row-level security from `lanes`, below);
--   * that nothing is changed or removed (triggers, for every login,
--     including the hub's owner: UPDATE, DELETE, TRUNCATE, INSERT … ON
--     CONFLICT DO UPDATE and MERGE are refused; the same identity pushed
--     again with the same content is skipped, with other content refused);
--   * who pushed every row, and when (`pushed_by` is session_user, `tx`
--     and `pushed_at` the pushing transaction; members cannot write these
--     columns, and a statement trigger checks them for every login;
--     `pushes` lists every push);
--   * the order rows arrived in (`seq`), which laptops pull by.
--
-- The pull cursor: every row gets `seq` from one sequence, drawn (as the
-- column's default) only after a statement trigger has locked `pushes`
-- against other pushes until the pushing transaction ends. Pushes are
-- therefore serialised, and the rows any snapshot can see are exactly
-- those with seq up to some number: a laptop that has merged every row
-- with seq <= N asks next for seq > N and misses nothing, whatever was
-- pushed concurrently. Reads never wait for the lock.
--
-- Per-row work is kept to defaults, CHECKs and keys on `lots` (a team
-- database has a million of them); the smaller tables also have a row
-- trigger that skips an identity pushed again with the same content and
-- refuses it with other content (a lot pushed again is skipped by the
-- client's ON CONFLICT DO NOTHING, after it compared the content).

CREATE SCHEMA casebook;
REVOKE ALL ON SCHEMA casebook FROM PUBLIC;

-- The version table: one row per hub schema version applied. `casebook hub
-- init` refuses a hub whose highest version is newer than it knows.
CREATE TABLE casebook.hub_versions (
    version    integer PRIMARY KEY CHECK (version > 0),
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by name NOT NULL DEFAULT session_user,
    casebook   text NOT NULL
);

-- This hub's identity: a laptop's cursor belongs to one hub.
CREATE TABLE casebook.hub (
    id         integer PRIMARY KEY CHECK (id = 1),
    hub_id     uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by name NOT NULL DEFAULT session_user
);
INSERT INTO casebook.hub (id) VALUES (1);

-- Every push: one transaction of one login. Rows carry the transaction's id
-- and start time (`tx`, `pushed_at`), which find their push here.
CREATE TABLE casebook.pushes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx         xid8 NOT NULL,
    started_at timestamptz NOT NULL,
    login      name NOT NULL,
    UNIQUE (tx, started_at)
);

CREATE SEQUENCE casebook.seq AS bigint;

-- Who pushes what: a row per (target, role). A target is a table, or a
-- table and a kind (`records:claim`, `versions:shortlist`,
-- `history:lots`). Row-level security reads this table, and so does the
-- client to explain a refusal ("your login has role casebook_buyer; audits
-- are pushed by casebook_auditor"). Only the owner can change it.
CREATE TABLE casebook.lanes (
    target text NOT NULL CHECK (target ~ '^[a-z_]+(:[a-z_]+)?$'),
    role   name NOT NULL CHECK (role IN ('casebook_auditor', 'casebook_qa', 'casebook_buyer')),
    PRIMARY KEY (target, role)
);
INSERT INTO casebook.lanes (target, role) VALUES
    ('suppliers', 'casebook_auditor'),
    ('audits', 'casebook_auditor'),
    ('lots', 'casebook_auditor'),
    ('files', 'casebook_auditor'),
    ('records:claim', 'casebook_auditor'),
    ('records:retirement', 'casebook_auditor'),
    ('records:evidence', 'casebook_auditor'),
    ('records:finding', 'casebook_auditor'),
    ('records:closure', 'casebook_auditor'),
    ('records:submission', 'casebook_auditor'),
    ('records:attachment', 'casebook_auditor'),
    ('records:void', 'casebook_auditor'),
    ('records:annotation', 'casebook_qa'),
    ('records:control_plan', 'casebook_qa'),
    ('versions:supplier', 'casebook_auditor'),
    ('versions:claim', 'casebook_auditor'),
    ('versions:audit', 'casebook_auditor'),
    ('versions:answer', 'casebook_auditor'),
    ('versions:policy', 'casebook_qa'),
    ('versions:shortlist', 'casebook_buyer'),
    ('history:supplier', 'casebook_auditor'),
    ('history:claim', 'casebook_auditor'),
    ('history:audit', 'casebook_auditor'),
    ('history:answer', 'casebook_auditor'),
    ('history:evidence', 'casebook_auditor'),
    ('history:finding', 'casebook_auditor'),
    ('history:lots', 'casebook_auditor'),
    ('history:lot', 'casebook_auditor'),
    ('history:closure', 'casebook_auditor'),
    ('history:attachment', 'casebook_auditor'),
    ('history:annotation', 'casebook_qa'),
    ('history:control_plan', 'casebook_qa'),
    ('history:policy', 'casebook_qa'),
    ('history:shortlist', 'casebook_buyer');

-- Suppliers by code, with the profile as first pushed (`body`, a JSON
-- object). Later profile edits are versions.
CREATE TABLE casebook.suppliers (
    code      text PRIMARY KEY
              CHECK (length(code) BETWEEN 1 AND 64 AND code = btrim(code) AND code !~ '[^A-Za-z0-9._-]'),
    body      jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
    seq       bigint NOT NULL UNIQUE DEFAULT nextval('casebook.seq'),
    tx        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    pushed_by name NOT NULL DEFAULT session_user,
    pushed_at timestamptz NOT NULL DEFAULT now()
);

-- Audits by global id: the audit's creation (supplier, template, reference,
-- auditor…). Its header fields and answers are versions while it is a
-- draft; its submission is a `records` row of kind `submission` keyed by
-- the audit's id. The login that first pushed an audit owns it: only that
-- login pushes anything filed under it, and nothing once it is submitted.
CREATE TABLE casebook.audits (
    gid       text PRIMARY KEY CHECK (length(gid) = 36),
    supplier  text NOT NULL REFERENCES casebook.suppliers (code),
    body      jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
    seq       bigint NOT NULL UNIQUE DEFAULT nextval('casebook.seq'),
    tx        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    pushed_by name NOT NULL DEFAULT session_user,
    pushed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audits_by_supplier ON casebook.audits (supplier);

-- Every other fact, by kind and identity. `supplier` and `audit` say what a
-- record is filed under; `topic` is what a history entry is about, or what
-- a void voids.
CREATE TABLE casebook.records (
    kind      text NOT NULL CHECK (kind IN ('claim', 'retirement', 'evidence', 'finding', 'closure', 'submission',
                                            'attachment', 'void', 'annotation', 'control_plan', 'history')),
    key       text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    supplier  text REFERENCES casebook.suppliers (code),
    audit     text REFERENCES casebook.audits (gid),
    topic     text CHECK ((kind IN ('history', 'void')) = (topic IS NOT NULL)),
    body      jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
    seq       bigint NOT NULL UNIQUE DEFAULT nextval('casebook.seq'),
    tx        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    pushed_by name NOT NULL DEFAULT session_user,
    pushed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, key),
    CHECK (kind <> 'submission' OR key = audit),
    CHECK (kind NOT IN ('evidence', 'finding', 'submission') OR audit IS NOT NULL)
);
CREATE INDEX records_by_supplier ON casebook.records (supplier, kind);
CREATE INDEX records_by_audit ON casebook.records (audit) WHERE audit IS NOT NULL;

-- Versions of mutable fields, as the laptops keep them (`field_versions`):
-- the field's value is the version with the latest clock, ties by value.
CREATE TABLE casebook.versions (
    entity    text NOT NULL CHECK (entity IN ('supplier', 'claim', 'audit', 'answer', 'policy', 'shortlist')),
    key       text NOT NULL CHECK (length(key) > 0),
    field     text NOT NULL CHECK (length(field) > 0),
    clock     text NOT NULL CHECK (clock ~ '^[0-9]+\.[0-9]+\..+$'),
    actor     text NOT NULL CHECK (length(btrim(actor)) > 0),
    value     text,
    supplier  text REFERENCES casebook.suppliers (code),
    audit     text REFERENCES casebook.audits (gid),
    seq       bigint NOT NULL UNIQUE DEFAULT nextval('casebook.seq'),
    tx        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    pushed_by name NOT NULL DEFAULT session_user,
    pushed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, key, field, clock),
    CHECK (entity NOT IN ('audit', 'answer') OR audit IS NOT NULL)
);
CREATE INDEX versions_by_supplier ON casebook.versions (supplier) WHERE supplier IS NOT NULL;
CREATE INDEX versions_by_audit ON casebook.versions (audit) WHERE audit IS NOT NULL;

-- Yield lots by (supplier, lot code), the bulk of a team database: typed
-- columns with the domain's rules, as in the laptops' schema.
CREATE TABLE casebook.lots (
    supplier     text NOT NULL,
    lot          text NOT NULL CHECK (lot <> ''),
    sku          text NOT NULL CHECK (sku <> ''),
    process      text NOT NULL CHECK (process IN ('injection', 'co_molding', 'assembly', 'printing', 'other')),
    material     text NOT NULL CHECK (material <> ''),
    produced_on  date NOT NULL,
    started      bigint NOT NULL CHECK (started > 0),
    passed_first bigint NOT NULL CHECK (passed_first >= 0 AND passed_first <= started),
    reworked     bigint NOT NULL CHECK (reworked >= 0),
    scrapped     bigint NOT NULL CHECK (scrapped >= 0 AND passed_first + scrapped <= started),
    defects      jsonb CHECK (defects IS NULL OR jsonb_typeof(defects) = 'object'),
    seq          bigint NOT NULL UNIQUE DEFAULT nextval('casebook.seq'),
    tx           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    pushed_by    name NOT NULL DEFAULT session_user,
    pushed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (supplier, lot)
);

-- Attached files by content: the SHA-256 is checked against the bytes.
CREATE TABLE casebook.files (
    sha256    text PRIMARY KEY CHECK (sha256 = encode(sha256(content), 'hex')),
    size      bigint NOT NULL CHECK (size = octet_length(content)),
    content   bytea NOT NULL,
    seq       bigint NOT NULL UNIQUE DEFAULT nextval('casebook.seq'),
    tx        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    pushed_by name NOT NULL DEFAULT session_user,
    pushed_at timestamptz NOT NULL DEFAULT now()
);

-- The hub's history: what each push added, and who pushed it.
CREATE VIEW casebook.history AS
    SELECT p.id AS push, p.login, p.started_at AS at, t.tbl AS what, t.rows
    FROM casebook.pushes p
    CROSS JOIN LATERAL (
        SELECT 'suppliers' AS tbl, count(*) AS rows FROM casebook.suppliers s
            WHERE s.tx = p.tx AND s.pushed_at = p.started_at
        UNION ALL SELECT 'audits', count(*) FROM casebook.audits a WHERE a.tx = p.tx AND a.pushed_at = p.started_at
        UNION ALL SELECT 'records', count(*) FROM casebook.records r WHERE r.tx = p.tx AND r.pushed_at = p.started_at
        UNION ALL SELECT 'versions', count(*) FROM casebook.versions v WHERE v.tx = p.tx AND v.pushed_at = p.started_at
        UNION ALL SELECT 'lots', count(*) FROM casebook.lots l WHERE l.tx = p.tx AND l.pushed_at = p.started_at
        UNION ALL SELECT 'files', count(*) FROM casebook.files f WHERE f.tx = p.tx AND f.pushed_at = p.started_at
    ) t
    WHERE t.rows > 0;

------------------------------------------------------------------------------
-- Functions. SECURITY DEFINER ones run as the owner with a fixed search
-- path; they take the acting role as an argument where it matters.

-- Why `who` (the current user) may not push to `target` (a row of
-- `lanes`) a record filed under `audit` (NULL: nothing under an audit, or
-- no ownership rule for this target) — or NULL when it may. Row-level
-- security allows exactly what this returns NULL for, and the client shows
-- what it returns, so a refusal and its explanation never disagree.
CREATE FUNCTION casebook.why_refused(who name, target text, audit text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
DECLARE
    pushers text;
    held text;
    owner name;
BEGIN
    -- The hub's owner (the administrator) is not held to the lanes: row-level
    -- security does not apply to a table's owner either.
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
        IF owner IS DISTINCT FROM session_user THEN
            RETURN format('audit %s is a draft of %s on the hub; only %s pushes what is filed under it',
                          $3, coalesce(owner::text, 'nobody'), coalesce(owner::text, 'its owner'));
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- A lane's target in words: `records:claim` → claims, `history:lots` →
-- history entries about lots.
CREATE FUNCTION casebook.target_words(target text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN $1 LIKE 'history:%' THEN 'history entries about ' || replace(split_part($1, ':', 2), '_', ' ')
        WHEN $1 LIKE 'versions:%' THEN 'edits of ' || replace(split_part($1, ':', 2), '_', ' ') || ' fields'
        WHEN $1 LIKE 'records:%' THEN replace(split_part($1, ':', 2), '_', ' ') || 's'
        ELSE $1
    END
$$;

-- The lane a record goes by.
CREATE FUNCTION casebook.record_target(kind text, topic text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE $1 WHEN 'history' THEN 'history:' || $2 ELSE 'records:' || $1 END
$$;

-- The login that owns an audit (the one that first pushed it).
CREATE FUNCTION casebook.audit_owner(audit text) RETURNS name
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
    SELECT pushed_by FROM casebook.audits WHERE gid = $1
$$;

CREATE FUNCTION casebook.audit_submitted(audit text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
    SELECT EXISTS (SELECT 1 FROM casebook.records WHERE kind = 'submission' AND key = $1)
$$;

-- One push at a time (see the top), recorded with its login. Called by
-- the statement trigger on every data table, and by the client first
-- thing in a push, so that what it compares is what it inserts against.
CREATE FUNCTION casebook.lock_push() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
DECLARE push bigint;
BEGIN
    LOCK TABLE casebook.pushes IN SHARE ROW EXCLUSIVE MODE;
    INSERT INTO casebook.pushes (tx, started_at, login)
    VALUES (pg_current_xact_id(), now(), session_user)
    ON CONFLICT (tx, started_at) DO NOTHING;
    SELECT id INTO push FROM casebook.pushes WHERE tx = pg_current_xact_id() AND started_at = now();
    RETURN push;
END
$$;

CREATE FUNCTION casebook.begin_push() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
BEGIN
    PERFORM casebook.lock_push();
    RETURN NULL;
END
$$;

-- After each statement: the rows it added carry this transaction's stamps
-- (only the owner could have written others), and lots name suppliers on
-- the hub (a key check per statement rather than per row).
CREATE FUNCTION casebook.check_stamps() RETURNS trigger
LANGUAGE plpgsql AS $$
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
    RETURN NULL;
END
$$;

-- Nothing on the hub changes or goes away.
CREATE FUNCTION casebook.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'CB002',
        MESSAGE = format('%s on the hub are facts and never change (%s refused)', TG_TABLE_NAME, TG_OP),
        HINT = 'push a new record (an amendment, a void, a new version) instead';
END
$$;

-- A row whose identity is already on the hub: the same content is skipped
-- (pushing twice changes nothing), other content is a conflict of facts,
-- refused with both versions in the detail (JSON).
CREATE FUNCTION casebook.conflict(what text, identity text, ours jsonb, theirs jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'CB001',
        MESSAGE = format('%s %s is on the hub with other content: a conflict of facts', what, identity),
        DETAIL = jsonb_build_object('what', what, 'identity', identity, 'hub', ours, 'pushed', theirs)::text;
END
$$;

-- Nothing is filed under a submitted audit after its submission.
CREATE FUNCTION casebook.refuse_if_submitted(audit text, what text, identity text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
BEGIN
    IF audit IS NOT NULL AND casebook.audit_submitted(audit) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'CB003',
            MESSAGE = format('%s %s: audit %s is submitted on the hub; nothing filed under it changes',
                             what, identity, audit);
    END IF;
END
$$;

CREATE FUNCTION casebook.insert_supplier() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
DECLARE old jsonb;
BEGIN
    SELECT body INTO old FROM casebook.suppliers WHERE code = NEW.code;
    IF FOUND THEN
        -- A supplier's first profile is whichever arrived first; later
        -- profiles travel as versions, so a second one is not a conflict.
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION casebook.insert_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
DECLARE old record;
BEGIN
    SELECT supplier, body INTO old FROM casebook.audits WHERE gid = NEW.gid;
    IF FOUND THEN
        IF old.supplier = NEW.supplier AND old.body = NEW.body THEN RETURN NULL; END IF;
        PERFORM casebook.conflict('audit', NEW.gid,
            jsonb_build_object('supplier', old.supplier, 'body', old.body),
            jsonb_build_object('supplier', NEW.supplier, 'body', NEW.body));
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION casebook.insert_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
DECLARE old record;
BEGIN
    SELECT supplier, audit, topic, body INTO old FROM casebook.records WHERE kind = NEW.kind AND key = NEW.key;
    IF FOUND THEN
        IF old.supplier IS NOT DISTINCT FROM NEW.supplier AND old.audit IS NOT DISTINCT FROM NEW.audit
           AND old.topic IS NOT DISTINCT FROM NEW.topic AND old.body = NEW.body THEN
            RETURN NULL;
        END IF;
        PERFORM casebook.conflict(NEW.kind, NEW.key, old.body, NEW.body);
    END IF;
    -- Closures, attachments and history are added to submitted audits too;
    -- what makes up the audit is not.
    IF NEW.kind IN ('evidence', 'finding', 'submission', 'void') THEN
        PERFORM casebook.refuse_if_submitted(NEW.audit, NEW.kind, NEW.key);
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION casebook.insert_version() RETURNS trigger
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
    IF NEW.entity IN ('audit', 'answer') THEN
        PERFORM casebook.refuse_if_submitted(NEW.audit, NEW.entity, NEW.key);
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION casebook.insert_file() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, casebook AS $$
BEGIN
    -- The key is the content's hash: the same key is the same file.
    IF EXISTS (SELECT 1 FROM casebook.files WHERE sha256 = NEW.sha256) THEN RETURN NULL; END IF;
    RETURN NEW;
END
$$;

-- The triggers.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['suppliers', 'audits', 'records', 'versions', 'lots', 'files'] LOOP
        IF t <> 'lots' THEN
            EXECUTE format('CREATE TRIGGER identity BEFORE INSERT ON casebook.%I FOR EACH ROW
                            EXECUTE FUNCTION casebook.insert_%s()', t, rtrim(t, 's'));
        END IF;
        EXECUTE format('CREATE TRIGGER push BEFORE INSERT ON casebook.%I FOR EACH STATEMENT
                        EXECUTE FUNCTION casebook.begin_push()', t);
        EXECUTE format('CREATE TRIGGER stamps AFTER INSERT ON casebook.%I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION casebook.check_stamps()', t);
        EXECUTE format('CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON casebook.%I FOR EACH ROW
                        EXECUTE FUNCTION casebook.refuse_change()', t);
        EXECUTE format('CREATE TRIGGER immutable_truncate BEFORE TRUNCATE ON casebook.%I FOR EACH STATEMENT
                        EXECUTE FUNCTION casebook.refuse_change()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['pushes', 'hub', 'hub_versions'] LOOP
        EXECUTE format('CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON casebook.%I FOR EACH ROW
                        EXECUTE FUNCTION casebook.refuse_change()', t);
        EXECUTE format('CREATE TRIGGER immutable_truncate BEFORE TRUNCATE ON casebook.%I FOR EACH STATEMENT
                        EXECUTE FUNCTION casebook.refuse_change()', t);
    END LOOP;
END
$$;

------------------------------------------------------------------------------
-- Privileges. Everyone reads; each role inserts into its tables (the data
-- columns only: seq, tx, pushed_by and pushed_at are the hub's), and
-- row-level security narrows that to its kinds and, for what is filed under
-- an audit, to the audit's owner.

GRANT USAGE ON SCHEMA casebook TO casebook_auditor, casebook_qa, casebook_buyer;
GRANT SELECT ON ALL TABLES IN SCHEMA casebook TO casebook_auditor, casebook_qa, casebook_buyer;
-- Drawing the next `seq` (the column default); burning numbers leaves gaps, which the cursor allows.
GRANT USAGE ON SEQUENCE casebook.seq TO casebook_auditor, casebook_qa, casebook_buyer;

GRANT INSERT (code, body) ON casebook.suppliers TO casebook_auditor;
GRANT INSERT (gid, supplier, body) ON casebook.audits TO casebook_auditor;
GRANT INSERT (supplier, lot, sku, process, material, produced_on, started, passed_first, reworked, scrapped,
              defects) ON casebook.lots TO casebook_auditor;
GRANT INSERT (sha256, size, content) ON casebook.files TO casebook_auditor;
GRANT INSERT (kind, key, supplier, audit, topic, body) ON casebook.records
    TO casebook_auditor, casebook_qa, casebook_buyer;
GRANT INSERT (entity, key, field, clock, actor, value, supplier, audit) ON casebook.versions
    TO casebook_auditor, casebook_qa, casebook_buyer;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['suppliers', 'audits', 'records', 'versions', 'lots', 'files'] LOOP
        EXECUTE format('ALTER TABLE casebook.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY everyone_reads ON casebook.%I FOR SELECT USING (true)', t);
    END LOOP;
END
$$;

-- Suppliers, audits, lots and files: one lane per table, checked once per
-- statement (an uncorrelated subquery), not per row.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['suppliers', 'audits', 'lots', 'files'] LOOP
        EXECUTE format('CREATE POLICY lane ON casebook.%I FOR INSERT WITH CHECK (EXISTS (
                            SELECT 1 FROM casebook.lanes l WHERE l.target = %L
                            AND pg_has_role(current_user, l.role, ''USAGE'')))', t, t);
    END LOOP;
END
$$;
-- Records and versions: the lane of the row's kind, and what is filed under
-- a draft audit only from the login that owns it.
CREATE FUNCTION casebook.record_refusal(who name, kind text, topic text, audit text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT casebook.why_refused($1, casebook.record_target($2, $3),
                                CASE WHEN $2 IN ('evidence', 'finding', 'submission', 'void') THEN $4 END)
$$;
CREATE FUNCTION casebook.version_refusal(who name, entity text, audit text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT casebook.why_refused($1, 'versions:' || $2, CASE WHEN $2 IN ('audit', 'answer') THEN $3 END)
$$;
CREATE POLICY lane ON casebook.records FOR INSERT
    WITH CHECK (casebook.record_refusal(current_user, kind, topic, audit) IS NULL);
CREATE POLICY lane ON casebook.versions FOR INSERT
    WITH CHECK (casebook.version_refusal(current_user, entity, audit) IS NULL);
