-- Web Push (SQLite): the browsers' push subscriptions, and the pushes
-- still to send.
--
-- A push is written to `push_outbox` in the transaction that writes its
-- notification, one row per (notification, push subscription): a crash
-- after the commit loses no push. A sender claims rows for a while
-- (`claimed_until`), deletes each once the push service took it (or it
-- no longer has to be sent), and otherwise pushes `due_at` back.
CREATE TABLE push_subscriptions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint   TEXT    NOT NULL UNIQUE,
    p256dh     TEXT    NOT NULL,
    auth       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);

CREATE TABLE push_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id INTEGER NOT NULL,
    subscription_id INTEGER NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    due_at          INTEGER NOT NULL,
    claimed_until   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_outbox_due ON push_outbox (due_at);
CREATE INDEX push_outbox_by_subscription ON push_outbox (subscription_id);
