-- casebook migration 4: this installation of the database file.
--
-- Applied in one transaction. Never edit this file once released.
--
-- One row. `tag` is the installation tag that audit references minted here
-- carry (A-2026-K7Q-042) and that ends this installation's clock readings.
-- It is made when the database is created (by the code after this SQL) and
-- made anew when casebook first opens a copy of the file: `device` and
-- `inode` say which file the tag belongs to (st_dev and st_ino, read with
-- stat, which opens nothing; NULL for a database in memory or where the
-- platform has no such numbers). `clock` is the highest hybrid-logical-clock
-- reading issued or seen here (see src/model/identity.rs).
CREATE TABLE installation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    tag        TEXT NOT NULL CHECK (length(tag) = 3 AND tag NOT GLOB '*[^0-9ABCDEFGHJKMNPQRSTVWXYZ]*'),
    device     INTEGER,
    inode      INTEGER,
    made_at    TEXT NOT NULL,
    clock      TEXT CHECK (clock IS NULL OR clock GLOB '[0-9]*.[0-9]*.*')
) STRICT;

-- What this database has merged (casebook merge): per source installation
-- (its tag and when the tag was made), the source's clock reading at the
-- time. A source whose installation and clock are unchanged since holds
-- nothing new, and a merge can skip it (`--full` compares it anyway).
CREATE TABLE merged_sources (
    tag       TEXT NOT NULL,
    made_at   TEXT NOT NULL,
    clock     TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    file      TEXT NOT NULL,
    PRIMARY KEY (tag, made_at)
) STRICT, WITHOUT ROWID;

-- Every value a mutable field has held, with who set it and when (the
-- clock of the installation that set it): a supplier's profile fields, a
-- claim's retirement, policy values, shortlist marks, a draft audit's header
-- and answers. The field's value is the one with the latest clock (ties by
-- value), so merging is a union of these rows and the losing values stay on
-- record. `key` is the record's identity (a supplier's code, a gid, a
-- policy key, `<audit gid> <question>`); `value` NULL is an empty field.
-- Rows are never changed or removed.
CREATE TABLE field_versions (
    entity TEXT NOT NULL CHECK (entity IN ('supplier', 'claim', 'audit', 'answer', 'policy', 'shortlist')),
    key    TEXT NOT NULL CHECK (length(key) > 0),
    field  TEXT NOT NULL CHECK (length(field) > 0),
    clock  TEXT NOT NULL CHECK (clock GLOB '[0-9]*.[0-9]*.*'),
    actor  TEXT NOT NULL CHECK (length(trim(actor)) > 0),
    value  TEXT,
    PRIMARY KEY (entity, key, field, clock)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER field_versions_append_only_update BEFORE UPDATE ON field_versions
BEGIN
    SELECT RAISE(ABORT, 'field versions are recorded once and never changed');
END;
CREATE TRIGGER field_versions_append_only_delete BEFORE DELETE ON field_versions
BEGIN
    SELECT RAISE(ABORT, 'field versions are recorded once and never deleted');
END;
