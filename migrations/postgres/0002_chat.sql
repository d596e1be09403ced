-- Live chat rooms (PostgreSQL). Timestamps are microseconds since the Unix epoch.

CREATE TABLE chat_rooms (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT    NOT NULL,
    creator_id BIGINT  NOT NULL REFERENCES users (id),
    created_at BIGINT  NOT NULL
);

-- Leaving deletes the row; joining again inserts a new one with a new
-- `joined_at`, which is how a lagging subscription tells "still a member"
-- from "left and came back" when it re-reads the store.
CREATE TABLE chat_members (
    room_id   BIGINT  NOT NULL REFERENCES chat_rooms (id),
    user_id   BIGINT  NOT NULL REFERENCES users (id),
    joined_at BIGINT  NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX chat_members_by_user ON chat_members (user_id);

-- `prev_id` is the id of the room's previous message (0 for the first),
-- the same gap detection as `notifications.prev_id`, per room.
CREATE TABLE chat_messages (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id    BIGINT  NOT NULL REFERENCES chat_rooms (id),
    prev_id    BIGINT  NOT NULL,
    author_id  BIGINT  NOT NULL REFERENCES users (id),
    body       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX chat_messages_by_room ON chat_messages (room_id, id);

-- A CHAT_MENTION notification points at the message that mentioned you.
ALTER TABLE notifications ADD COLUMN chat_message_id BIGINT REFERENCES chat_messages (id);
