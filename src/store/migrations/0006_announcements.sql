-- Migration 6: what sysops said to every open session (`ssh HOST announce "text"`), named by the id of the
-- `announcement` event that carried it (events are pruned; this stays, as the audit log does).
CREATE TABLE announcements (
    event_id INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    by_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    text     TEXT NOT NULL
);
