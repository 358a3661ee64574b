-- A note written on a question of a draft audit before the question is
-- answered (the auditor writes what was seen, then decides). Answering the
-- question moves the note into the answer, in the same transaction. Like
-- `audit_cursors` it belongs to its draft: not exported and not sealed;
-- every change to it is in the history (entity `answer`, field `note`).
CREATE TABLE question_notes (
    audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 16),
    note     TEXT NOT NULL CHECK (length(trim(note)) > 0),
    PRIMARY KEY (audit_id, question)
) STRICT, WITHOUT ROWID;

-- Only a draft takes new notes this way.
CREATE TRIGGER question_notes_draft_only BEFORE INSERT ON question_notes
WHEN (SELECT status FROM audits WHERE id = NEW.audit_id) IS NOT 'draft'
BEGIN
    SELECT RAISE(ABORT, 'audit is submitted; a note goes into an amendment');
END;
