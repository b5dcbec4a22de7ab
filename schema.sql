-- Haven: schema of record (migration 0).
--
-- Never edit or remove a migration once it has shipped: later changes are appended as new
-- migrations in src/store/migrations.rs and applied in one transaction past PRAGMA user_version.
--
-- Privacy rules this schema keeps (DESIGN.md §6, §8):
--  * no column holds an IP address or any other network identity;
--  * an anonymous post stores its author (so the author can edit, export and delete it) but no
--    view, index or event row exposes that author to anyone else;
--  * events carry ids only, never post text, so the events table holds nothing worth reading.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    handle          TEXT    NOT NULL,              -- as the member typed it (sanitised)
    handle_norm     TEXT    NOT NULL UNIQUE,       -- NFKC + case-folded form, for lookups
    handle_skeleton TEXT    NOT NULL,              -- confusable skeleton, for look-alike checks
    role            TEXT    NOT NULL DEFAULT 'member'
                    CHECK (role IN ('member', 'professional', 'moderator', 'sysop')),
    status          TEXT    NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'pending', 'banned', 'deleted')),
    trust_level     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,              -- unix seconds
    last_seen_at    INTEGER,
    guidelines_version INTEGER NOT NULL DEFAULT 0, -- version of the guidelines last accepted
    privacy_version    INTEGER NOT NULL DEFAULT 0, -- version of the privacy policy last accepted
    silenced_until  INTEGER,
    banned_until    INTEGER,
    theme           TEXT    NOT NULL DEFAULT 'default',
    presence_visible INTEGER NOT NULL DEFAULT 0,   -- invisible by default
    totp_secret     BLOB,
    totp_last_step  INTEGER,
    totp_failures   INTEGER NOT NULL DEFAULT 0,
    totp_locked_until INTEGER,
    safety_plan     TEXT
);
CREATE INDEX users_skeleton ON users(handle_skeleton);

CREATE TABLE user_keys (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    algorithm   TEXT    NOT NULL,
    public_key  TEXT    NOT NULL UNIQUE,           -- OpenSSH "algo base64" form, no comment
    fingerprint TEXT    NOT NULL,                  -- SHA256:… as ssh-keygen -lf prints it
    comment     TEXT,
    created_at  INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX user_keys_user ON user_keys(user_id);

CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,                    -- argon2id PHC string
    used_at   INTEGER
);

CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    code_hash  TEXT    NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    used_at    INTEGER
);

-- Small server-wide facts: the sysop claim code's hash, document versions, …
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE boards (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    read_only   INTEGER NOT NULL DEFAULT 0,        -- only moderators post (announcements)
    allow_anonymous INTEGER NOT NULL DEFAULT 0,
    min_trust_level INTEGER NOT NULL DEFAULT 0,
    is_welcome  INTEGER NOT NULL DEFAULT 0,        -- readable by pending accounts
    archived    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE threads (
    id          INTEGER PRIMARY KEY,
    board_id    INTEGER NOT NULL REFERENCES boards(id),
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    anonymous   INTEGER NOT NULL DEFAULT 0,
    title       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    last_post_at INTEGER NOT NULL,
    last_post_id INTEGER,
    post_count  INTEGER NOT NULL DEFAULT 0,
    pinned      INTEGER NOT NULL DEFAULT 0,
    locked      INTEGER NOT NULL DEFAULT 0,
    hidden      INTEGER NOT NULL DEFAULT 0,
    -- per-thread salt for anonymous pseudonyms: stable within the thread, unrelated across threads
    anon_salt   BLOB    NOT NULL
);
-- The thread list's only access path: pinned first, then most recent activity (the newest post id
-- orders activity exactly, where timestamps in seconds would tie).
CREATE INDEX threads_board_order ON threads(board_id, pinned DESC, last_post_id DESC);

CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    thread_id   INTEGER NOT NULL REFERENCES threads(id),
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    anonymous   INTEGER NOT NULL DEFAULT 0,
    body        TEXT    NOT NULL,
    content_warning TEXT,
    created_at  INTEGER NOT NULL,
    edited_at   INTEGER,
    status      TEXT    NOT NULL DEFAULT 'visible'
                CHECK (status IN ('visible', 'hidden', 'pending', 'deleted'))
);
CREATE INDEX posts_thread ON posts(thread_id, id);
CREATE INDEX posts_author ON posts(author_id);

CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    editor_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    body       TEXT    NOT NULL,
    content_warning TEXT,
    reason     TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE reactions (
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
) WITHOUT ROWID;

-- Full-text index over titles and bodies; rowid = posts.id; title is the thread's title for its
-- first post and empty for replies. Contentless (the text lives in posts/threads only); the store
-- keeps it in step and removes a row with the 'delete' command and the row's original text,
-- which with secure-delete removes its terms from the index for good (erased accounts, deleted
-- posts). A contentless_delete table would only record tombstones and keep the terms.
CREATE VIRTUAL TABLE posts_fts USING fts5(title, body, tokenize = 'unicode61', content = '');
INSERT INTO posts_fts (posts_fts, rank) VALUES ('secure-delete', 1);

CREATE TABLE read_marks (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    thread_id    INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    last_read_post_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, thread_id)
) WITHOUT ROWID;

-- One draft per member and place: a new thread on a board (thread_id NULL) or a reply in a thread.
CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    board_id   INTEGER NOT NULL REFERENCES boards(id),
    thread_id  INTEGER REFERENCES threads(id) ON DELETE CASCADE,
    title      TEXT    NOT NULL DEFAULT '',
    body       TEXT    NOT NULL DEFAULT '',
    content_warning TEXT NOT NULL DEFAULT '',
    anonymous  INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX drafts_place ON drafts(user_id, board_id, IFNULL(thread_id, 0));

CREATE TABLE blocks (
    blocker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;
CREATE INDEX blocks_blocked ON blocks(blocked_id);

-- "Hide this anonymous poster": one member no longer sees one pseudonym's posts in one thread.
-- Keyed by the real author so the pseudonym stays hidden however it is computed, but nothing
-- here is ever shown to the member who hid it (they see only the pseudonym), so it is no oracle.
CREATE TABLE anon_hides (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, thread_id, author_id)
) WITHOUT ROWID;

CREATE TABLE muted_words (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    word    TEXT    NOT NULL,
    PRIMARY KEY (user_id, word)
) WITHOUT ROWID;

CREATE TABLE conversations (
    id         INTEGER PRIMARY KEY,
    user_a     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- user_a < user_b
    user_b     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_message_at INTEGER NOT NULL,
    UNIQUE (user_a, user_b)
);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    sender_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    read_at         INTEGER
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,                   -- reply | mention | message | moderator | report
    actor_id   INTEGER REFERENCES users(id) ON DELETE CASCADE,  -- NULL when anonymous or system
    thread_id  INTEGER REFERENCES threads(id) ON DELETE CASCADE,
    post_id    INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    body       TEXT,                               -- system text (e.g. a report's outcome)
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    reporter_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    target_kind TEXT    NOT NULL CHECK (target_kind IN ('post', 'thread', 'message', 'user')),
    target_id   INTEGER NOT NULL,
    category    TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    claimed_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    resolved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    resolved_at INTEGER,
    outcome     TEXT
);
CREATE INDEX reports_target ON reports(target_kind, target_id);

-- Moderator actions against a member (warnings, silences, bans), shown to them in "my record".
CREATE TABLE sanctions (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('warning', 'silence', 'ban', 'unmask')),
    reason     TEXT    NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);

-- Append-only: rows are only ever inserted (and purged past retention).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action    TEXT    NOT NULL,
    target_kind TEXT,
    target_id INTEGER,
    reason    TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Live events that cross processes: each writer appends here in the same transaction as its
-- change; every process watches PRAGMA data_version and forwards new rows to its in-process hub.
-- Rows carry ids only and are pruned after a short while.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    board_id  INTEGER,
    thread_id INTEGER,
    post_id   INTEGER,
    user_id   INTEGER
);
