-- Accounts from other identity providers and revocable sessions
-- (PostgreSQL). See the SQLite migration of the same name for what each
-- column is for.

ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN external_id TEXT UNIQUE;
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN tokens_revoked_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE revoked_sessions (
    user_id BIGINT NOT NULL REFERENCES users (id),
    session TEXT   NOT NULL,
    until   BIGINT NOT NULL,
    PRIMARY KEY (user_id, session)
);
CREATE INDEX revoked_sessions_by_expiry ON revoked_sessions (until);
