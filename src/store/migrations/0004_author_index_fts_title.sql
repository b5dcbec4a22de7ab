-- Migration 4: a member's posts and threads by time, and what each post is indexed under.
-- Rate limits ask, before every post, when the author last posted and how much since they
-- joined: without these, that read every post
-- of theirs (and every thread on the board) at each post, so posting slowed as the board grew.
DROP INDEX posts_author;
CREATE INDEX posts_author_time ON posts(author_id, created_at);
CREATE INDEX threads_author_time ON threads(author_id, created_at);

-- What each post was indexed under in posts_fts (its thread's title for a thread's first post,
-- nothing for a reply), so it is unindexed with exactly that text. Working it out again from
-- the thread went wrong after an account was erased: the thread lost its first post and title,
-- and its oldest reply, indexed without a title, was then unindexed with one, which breaks a
-- contentless FTS5 index. A thread left by an erased account ("[removed]", no author) holds
-- only replies.
ALTER TABLE posts ADD COLUMN fts_title TEXT NOT NULL DEFAULT '';
UPDATE posts SET fts_title = (SELECT t.title FROM threads t WHERE t.id = posts.thread_id)
 WHERE id IN (SELECT min(id) FROM posts GROUP BY thread_id)
   AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = posts.thread_id
                     AND t.title = '[removed]' AND t.author_id IS NULL);
