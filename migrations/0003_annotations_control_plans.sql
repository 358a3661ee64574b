-- casebook migration 3: what a QA lead records about a control chart.
--
-- Applied in one transaction. Never edit this file once released.
--
-- lot_annotations: an assignable cause found for a lot, with the action
-- taken, and whether the lot is left out of the control limits (Phase I).
-- A fact: never changed or deleted; a later annotation of the same lot
-- supersedes it (the latest by noted_on, then id, is in force).
--
-- control_plans: limits frozen from a baseline period that judge later lots
-- (Phase II), per supplier and optionally per process and / or material.
-- Both statistics are frozen at once: p̄ (p, p′ and np charts) and ū (u and
-- u′), each with Laney's σ_z. A plan is in force from frozen_on until
-- unfrozen_on (exclusive); at most one plan per scope is open, and the only
-- change a plan ever takes is being unfrozen, once.
--
-- Both carry a global id (`gid`, a UUIDv7 in text form) so they travel
-- between databases in the dossier.

CREATE TABLE lot_annotations (
    id          INTEGER PRIMARY KEY,
    gid         TEXT NOT NULL UNIQUE CHECK (length(gid) = 36 AND gid NOT GLOB '*[^0-9a-f-]*'),
    supplier_id INTEGER NOT NULL,
    lot         TEXT NOT NULL,
    cause       TEXT NOT NULL CHECK (length(trim(cause)) > 0 AND length(cause) <= 500),
    action      TEXT CHECK (action IS NULL OR (length(trim(action)) > 0 AND length(action) <= 500)),
    excluded    INTEGER NOT NULL CHECK (excluded IN (0, 1)),
    noted_on    TEXT NOT NULL CHECK (noted_on IS date(noted_on)),
    noted_by    TEXT NOT NULL CHECK (length(noted_by) > 0),
    noted_at    TEXT NOT NULL CHECK (length(noted_at) > 0),
    FOREIGN KEY (supplier_id, lot) REFERENCES lots (supplier_id, lot)
) STRICT;
CREATE INDEX lot_annotations_by_lot ON lot_annotations (supplier_id, lot, noted_on, id);

CREATE TRIGGER lot_annotations_append_only_update BEFORE UPDATE ON lot_annotations
BEGIN
    SELECT RAISE(ABORT, 'an annotation is never changed; annotate the lot again instead');
END;
CREATE TRIGGER lot_annotations_append_only_delete BEFORE DELETE ON lot_annotations
BEGIN
    SELECT RAISE(ABORT, 'an annotation is never deleted; annotate the lot again instead');
END;

CREATE TABLE control_plans (
    id              INTEGER PRIMARY KEY,
    gid             TEXT NOT NULL UNIQUE CHECK (length(gid) = 36 AND gid NOT GLOB '*[^0-9a-f-]*'),
    supplier_id     INTEGER NOT NULL REFERENCES suppliers (id),
    process         TEXT CHECK (process IS NULL OR process IN ('injection', 'co_molding', 'assembly', 'printing',
                                                               'other')),
    material        TEXT CHECK (material IS NULL OR material <> ''),
    baseline_since  TEXT CHECK (baseline_since IS NULL OR baseline_since IS date(baseline_since)),
    baseline_until  TEXT NOT NULL CHECK (baseline_until IS date(baseline_until)),
    baseline_lots   INTEGER NOT NULL CHECK (baseline_lots > 0),
    p_center        REAL NOT NULL CHECK (p_center >= 0 AND p_center <= 1),
    p_sigma_z       REAL NOT NULL CHECK (p_sigma_z >= 0),
    p_moving_ranges INTEGER NOT NULL CHECK (p_moving_ranges >= 0),
    u_center        REAL NOT NULL CHECK (u_center >= 0),
    u_sigma_z       REAL NOT NULL CHECK (u_sigma_z >= 0),
    u_moving_ranges INTEGER NOT NULL CHECK (u_moving_ranges >= 0),
    frozen_on       TEXT NOT NULL CHECK (frozen_on IS date(frozen_on)),
    frozen_by       TEXT NOT NULL CHECK (length(frozen_by) > 0),
    frozen_at       TEXT NOT NULL CHECK (length(frozen_at) > 0),
    unfrozen_on     TEXT CHECK (unfrozen_on IS NULL OR (unfrozen_on IS date(unfrozen_on) AND unfrozen_on >= frozen_on)),
    unfrozen_by     TEXT CHECK (unfrozen_by IS NULL OR length(unfrozen_by) > 0),
    unfrozen_at     TEXT,
    CHECK ((unfrozen_on IS NULL) = (unfrozen_by IS NULL) AND (unfrozen_on IS NULL) = (unfrozen_at IS NULL)),
    CHECK (baseline_since IS NULL OR baseline_since <= baseline_until)
) STRICT;
CREATE UNIQUE INDEX control_plans_one_open
    ON control_plans (supplier_id, coalesce(process, ''), coalesce(material, '')) WHERE unfrozen_on IS NULL;
CREATE INDEX control_plans_by_supplier ON control_plans (supplier_id, frozen_on);

CREATE TRIGGER control_plans_only_unfrozen BEFORE UPDATE ON control_plans
WHEN OLD.unfrozen_on IS NOT NULL
  OR NEW.unfrozen_on IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.gid IS NOT OLD.gid OR NEW.supplier_id IS NOT OLD.supplier_id
  OR NEW.process IS NOT OLD.process OR NEW.material IS NOT OLD.material
  OR NEW.baseline_since IS NOT OLD.baseline_since OR NEW.baseline_until IS NOT OLD.baseline_until
  OR NEW.baseline_lots IS NOT OLD.baseline_lots
  OR NEW.p_center IS NOT OLD.p_center OR NEW.p_sigma_z IS NOT OLD.p_sigma_z
  OR NEW.p_moving_ranges IS NOT OLD.p_moving_ranges
  OR NEW.u_center IS NOT OLD.u_center OR NEW.u_sigma_z IS NOT OLD.u_sigma_z
  OR NEW.u_moving_ranges IS NOT OLD.u_moving_ranges
  OR NEW.frozen_on IS NOT OLD.frozen_on OR NEW.frozen_by IS NOT OLD.frozen_by OR NEW.frozen_at IS NOT OLD.frozen_at
BEGIN
    SELECT RAISE(ABORT, 'a control plan is never changed, only unfrozen once; freeze a new plan instead');
END;
CREATE TRIGGER control_plans_undeletable BEFORE DELETE ON control_plans
BEGIN
    SELECT RAISE(ABORT, 'a control plan is never deleted; unfreeze it instead');
END;
