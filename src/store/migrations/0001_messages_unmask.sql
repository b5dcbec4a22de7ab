-- Migration 1: private messages withheld by a block, and unmask requests.

-- A message sent to a member who blocked its sender is kept for its sender only: the blocker
-- never sees it, not even after unblocking (the sender "could not" send it), and the sender is
-- not told (DESIGN.md §5).
ALTER TABLE messages ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0;
CREATE INDEX conversations_user_b ON conversations(user_b);

-- Unmasking an anonymous post's author (DESIGN.md §6): a moderator asks with a written reason,
-- a second moderator confirms; only then is the author shown, to moderators only.
CREATE TABLE unmask_requests (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    requested_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reason       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    confirmed_at INTEGER
);
CREATE INDEX unmask_requests_post ON unmask_requests(post_id);
