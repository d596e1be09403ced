-- The inbox as a versioned sequence per user, and what users want to be
-- told (SQLite).
--
-- A user's inbox changes when they get a notification, read some, or
-- change their preferences. The reads and preference changes are
-- `inbox_changes`; their ids come from the notifications' own sequence
-- (`sqlite_sequence`, which AUTOINCREMENT keeps above every id it gave),
-- so that notifications and changes together are one sequence of
-- versions per user. Each change names the user's previous version
-- (`prev_version`), and each notification the user's newest change before
-- it (`prev_change`): its previous version is the newer of that and
-- `prev_id`.
ALTER TABLE notifications ADD COLUMN prev_change INTEGER NOT NULL DEFAULT 0;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'notifications', COALESCE((SELECT MAX(id) FROM notifications), 0)
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'notifications');

CREATE TABLE inbox_changes (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    prev_version INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    -- READ: a JSON array of the notification ids marked read.
    read_ids     TEXT    NOT NULL,
    read_up_to   INTEGER,
    marked       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX inbox_changes_by_user ON inbox_changes (user_id, id);

-- Kinds a user turned off, per channel; every kind is on until a row
-- here says otherwise.
CREATE TABLE disabled_kinds (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT    NOT NULL,
    channel TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind, channel)
) WITHOUT ROWID;

-- Boards and chat rooms a user hears nothing from.
CREATE TABLE board_mutes (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    board_id INTEGER NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, board_id)
) WITHOUT ROWID;

CREATE TABLE room_mutes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id INTEGER NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;
