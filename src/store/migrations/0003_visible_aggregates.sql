-- Migration 3: what every reader without blocks sees, kept up to date by triggers, so a board
-- page, a thread list and the board list cost the same at a million posts as at a hundred
-- (docs/ARCHITECTURE.md, "The reader's view"). A reader who blocked someone or hid a pseudonym
-- still gets the exact per-reader queries; `store::visibility::is_plain` decides which.

-- Per thread: its visible posts and the newest of them.
ALTER TABLE threads ADD COLUMN visible_posts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN last_visible_id INTEGER;
-- Per board: threads not hidden, and of those, the ones with a visible post.
ALTER TABLE boards ADD COLUMN shown_threads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE boards ADD COLUMN live_threads INTEGER NOT NULL DEFAULT 0;

UPDATE threads SET
    visible_posts = (SELECT count(*) FROM posts p WHERE p.thread_id = threads.id
                       AND p.status = 'visible'),
    last_visible_id = (SELECT max(p.id) FROM posts p WHERE p.thread_id = threads.id
                         AND p.status = 'visible');
UPDATE boards SET
    shown_threads = (SELECT count(*) FROM threads t WHERE t.board_id = boards.id
                       AND t.hidden = 0),
    live_threads = (SELECT count(*) FROM threads t WHERE t.board_id = boards.id
                      AND t.hidden = 0 AND t.last_visible_id IS NOT NULL);

-- The plain reader's thread list: visible threads, pinned first, then by the newest visible
-- post (a thread with none last), newest thread first among ties.
CREATE INDEX threads_board_visible ON threads(board_id, pinned DESC, last_visible_id DESC, id DESC)
    WHERE hidden = 0;

CREATE TRIGGER posts_visible_insert AFTER INSERT ON posts WHEN NEW.status = 'visible'
BEGIN
    UPDATE threads SET visible_posts = visible_posts + 1,
                       last_visible_id = max(IFNULL(last_visible_id, 0), NEW.id)
     WHERE id = NEW.thread_id;
END;

CREATE TRIGGER posts_visible_update AFTER UPDATE OF status, thread_id ON posts
WHEN (OLD.status = 'visible') != (NEW.status = 'visible') OR OLD.thread_id != NEW.thread_id
BEGIN
    UPDATE threads SET
        visible_posts = (SELECT count(*) FROM posts p WHERE p.thread_id = threads.id
                           AND p.status = 'visible'),
        last_visible_id = (SELECT max(p.id) FROM posts p WHERE p.thread_id = threads.id
                             AND p.status = 'visible')
     WHERE id IN (OLD.thread_id, NEW.thread_id);
END;

CREATE TRIGGER posts_visible_delete AFTER DELETE ON posts WHEN OLD.status = 'visible'
BEGIN
    UPDATE threads SET
        visible_posts = (SELECT count(*) FROM posts p WHERE p.thread_id = threads.id
                           AND p.status = 'visible'),
        last_visible_id = (SELECT max(p.id) FROM posts p WHERE p.thread_id = threads.id
                             AND p.status = 'visible')
     WHERE id = OLD.thread_id;
END;

CREATE TRIGGER threads_shown_insert AFTER INSERT ON threads
BEGIN
    UPDATE boards SET
        shown_threads = shown_threads + (NEW.hidden = 0),
        live_threads = live_threads + (NEW.hidden = 0 AND NEW.last_visible_id IS NOT NULL)
     WHERE id = NEW.board_id;
END;

CREATE TRIGGER threads_shown_update AFTER UPDATE OF hidden, board_id, last_visible_id ON threads
BEGIN
    UPDATE boards SET
        shown_threads = shown_threads - (OLD.hidden = 0),
        live_threads = live_threads - (OLD.hidden = 0 AND OLD.last_visible_id IS NOT NULL)
     WHERE id = OLD.board_id;
    UPDATE boards SET
        shown_threads = shown_threads + (NEW.hidden = 0),
        live_threads = live_threads + (NEW.hidden = 0 AND NEW.last_visible_id IS NOT NULL)
     WHERE id = NEW.board_id;
END;

CREATE TRIGGER threads_shown_delete AFTER DELETE ON threads
BEGIN
    UPDATE boards SET
        shown_threads = shown_threads - (OLD.hidden = 0),
        live_threads = live_threads - (OLD.hidden = 0 AND OLD.last_visible_id IS NOT NULL)
     WHERE id = OLD.board_id;
END;
