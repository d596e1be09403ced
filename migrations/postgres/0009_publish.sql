-- The publish API (PostgreSQL): the app's server credentials, topics, the
-- idempotency keys of publishes, and what a published notification
-- carries besides its kind.
--
-- An API key is stored as the SHA-256 of its secret (a key is 32 random
-- bytes: a slow hash would add nothing), with its first characters to
-- recognise it in `herald api-key list`.
CREATE TABLE api_keys (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    secret_hash TEXT   NOT NULL UNIQUE,
    prefix      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE topics (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE topic_members (
    topic_id   BIGINT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (topic_id, user_id)
);
CREATE INDEX topic_members_by_user ON topic_members (user_id);

-- One row per publish that named an idempotency key, per API key: a
-- retry finds it and is answered with `notified` instead of publishing
-- again. `request_hash` tells a retry from another request that reused
-- the key (CONFLICT). Rows older than the window are deleted.
CREATE TABLE publish_keys (
    api_key_id   BIGINT NOT NULL,
    idem_key     TEXT   NOT NULL,
    request_hash TEXT   NOT NULL,
    notified     BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (api_key_id, idem_key)
);
CREATE INDEX publish_keys_by_age ON publish_keys (created_at);

-- A CUSTOM notification's type (e.g. `invoice.paid`), and what any
-- published notification may carry: a link and a JSON document.
ALTER TABLE notifications ADD COLUMN custom_type TEXT;
ALTER TABLE notifications ADD COLUMN link TEXT;
ALTER TABLE notifications ADD COLUMN data TEXT;
