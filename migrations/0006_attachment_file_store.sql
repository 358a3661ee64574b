-- Attachments copied into the database's file store (`<database>.files/`,
-- content-addressed by SHA-256) instead of only recorded by path.
--
-- `stored` = 1: the file's bytes are in the store under `sha256`; `path` is
-- where it was copied from, kept for the record. Rows written before this
-- migration keep `stored` = 0 and are still verified at their `path`.
-- `original_name` is the file's name as attached; `media_type` is sniffed
-- from its first bytes. Both are NULL on older rows.
ALTER TABLE attachments ADD COLUMN stored INTEGER NOT NULL DEFAULT 0 CHECK (stored IN (0, 1));
ALTER TABLE attachments ADD COLUMN original_name TEXT
    CHECK (original_name IS NULL OR (length(original_name) BETWEEN 1 AND 255 AND instr(original_name, '/') = 0));
ALTER TABLE attachments ADD COLUMN media_type TEXT
    CHECK (media_type IS NULL OR media_type IN ('image/png', 'image/jpeg', 'application/pdf', 'application/octet-stream'));
