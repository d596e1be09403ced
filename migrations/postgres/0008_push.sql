-- Web Push (PostgreSQL): the browsers' push subscriptions, which users
-- have a live connection on which replica, and the pushes still to send.
--
-- A push is written to `push_outbox` in the transaction that writes its
-- notification, one row per (notification, push subscription): a crash
-- after the commit loses no push. A sender claims rows for a while
-- (`claimed_until`, with SKIP LOCKED, so that each row goes to one
-- replica), deletes each once the push service took it (or it no longer
-- has to be sent), and otherwise pushes `due_at` back.
CREATE TABLE push_subscriptions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint   TEXT   NOT NULL UNIQUE,
    p256dh     TEXT   NOT NULL,
    auth       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);

CREATE TABLE push_outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id BIGINT NOT NULL,
    subscription_id BIGINT NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    due_at          BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX push_outbox_due ON push_outbox (due_at);
CREATE INDEX push_outbox_by_subscription ON push_outbox (subscription_id);

-- The users with a live connection on each replica, refreshed by that
-- replica; a row not refreshed for a while is of a replica that is gone.
CREATE TABLE push_presence (
    user_id BIGINT NOT NULL,
    replica TEXT   NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, replica)
);
