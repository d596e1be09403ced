-- Live chat rooms (SQLite). Timestamps are microseconds since the Unix epoch.

CREATE TABLE chat_rooms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    creator_id INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);

-- Leaving deletes the row; joining again inserts a new one with a new
-- `joined_at`, which is how a lagging subscription tells "still a member"
-- from "left and came back" when it re-reads the store.
CREATE TABLE chat_members (
    room_id   INTEGER NOT NULL REFERENCES chat_rooms (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX chat_members_by_user ON chat_members (user_id);

-- `prev_id` is the id of the room's previous message (0 for the first),
-- the same gap detection as `notifications.prev_id`, per room.
CREATE TABLE chat_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id    INTEGER NOT NULL REFERENCES chat_rooms (id),
    prev_id    INTEGER NOT NULL,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX chat_messages_by_room ON chat_messages (room_id, id);

-- A CHAT_MENTION notification points at the message that mentioned you.
ALTER TABLE notifications ADD COLUMN chat_message_id INTEGER REFERENCES chat_messages (id);
