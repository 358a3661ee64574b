-- casebook migration 3: this installation of the database file.
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
