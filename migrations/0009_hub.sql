-- casebook migration: the team hub this database syncs with.
--
-- Applied in one transaction. Never edit this file once released.
--
-- `hub_link` (one row) is the hub `casebook hub set URL` remembered, for
-- `casebook sync` and the UI. The URL is stored as given, and never with a
-- password in it: casebook refuses to store one (PostgreSQL's password
-- comes from PGPASSWORD or ~/.pgpass, as libpq reads them).
CREATE TABLE hub_link (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    url    TEXT NOT NULL CHECK (length(url) > 0),
    set_at TEXT NOT NULL,
    set_by TEXT NOT NULL CHECK (length(trim(set_by)) > 0)
) STRICT;

-- What this database has of each hub it synced with, by the hub's identity
-- (`casebook.hub.hub_id`), so a cursor is never used against another hub:
-- every hub row whose `seq` is at most `pulled_seq` is merged here;
-- `history_mark` is the highest local history id that was on the hub after
-- the last complete sync (later history rows are local changes not yet
-- pushed); `synced_at` is when that sync ended.
CREATE TABLE hub_state (
    hub_id       TEXT PRIMARY KEY CHECK (length(hub_id) = 36),
    url          TEXT NOT NULL,
    pulled_seq   INTEGER NOT NULL DEFAULT 0 CHECK (pulled_seq >= 0),
    history_mark INTEGER NOT NULL DEFAULT 0 CHECK (history_mark >= 0),
    synced_at    TEXT
) STRICT;
