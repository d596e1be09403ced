-- Herald core schema (PostgreSQL). Timestamps are microseconds since the Unix epoch.

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE boards (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT    NOT NULL,
    owner_id   BIGINT  NOT NULL REFERENCES users (id),
    created_at BIGINT  NOT NULL
);

CREATE TABLE board_members (
    board_id  BIGINT  NOT NULL REFERENCES boards (id),
    user_id   BIGINT  NOT NULL REFERENCES users (id),
    joined_at BIGINT  NOT NULL,
    PRIMARY KEY (board_id, user_id)
);
CREATE INDEX board_members_by_user ON board_members (user_id);

CREATE TABLE cards (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    board_id    BIGINT  NOT NULL REFERENCES boards (id),
    title       TEXT    NOT NULL,
    description TEXT,
    creator_id  BIGINT  NOT NULL REFERENCES users (id),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX cards_by_board ON cards (board_id, id);

CREATE TABLE card_assignees (
    card_id     BIGINT  NOT NULL REFERENCES cards (id),
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    assigned_at BIGINT  NOT NULL,
    PRIMARY KEY (card_id, user_id)
);

CREATE TABLE comments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    card_id    BIGINT  NOT NULL REFERENCES cards (id),
    author_id  BIGINT  NOT NULL REFERENCES users (id),
    body       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX comments_by_card ON comments (card_id, id);

CREATE TABLE follows (
    follower_id BIGINT  NOT NULL REFERENCES users (id),
    followee_id BIGINT  NOT NULL REFERENCES users (id),
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_by_followee ON follows (followee_id, follower_id);

CREATE TABLE posts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id  BIGINT  NOT NULL REFERENCES users (id),
    caption    TEXT,
    image_file TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

-- One row per recipient. `prev_id` is the id of the recipient's previous
-- notification (0 for the first): a subscriber that receives a notification
-- whose prev_id is not the last one it delivered knows it missed something
-- and reads the gap from here, whatever order the broker delivered in.
CREATE TABLE notifications (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_id BIGINT  NOT NULL REFERENCES users (id),
    prev_id      BIGINT  NOT NULL,
    kind         TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    actor_id     BIGINT  REFERENCES users (id),
    card_id      BIGINT  REFERENCES cards (id),
    comment_id   BIGINT  REFERENCES comments (id),
    post_id      BIGINT  REFERENCES posts (id),
    created_at   BIGINT  NOT NULL,
    read_at      BIGINT 
);
CREATE INDEX notifications_by_recipient ON notifications (recipient_id, id);
CREATE INDEX notifications_unread ON notifications (recipient_id, id) WHERE read_at IS NULL;
