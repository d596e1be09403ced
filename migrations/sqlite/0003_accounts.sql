-- Accounts from other identity providers and revocable sessions (SQLite).
--
-- `users.password_hash` and `users.email` become optional: a user created
-- from an identity provider's token has no password, and maybe no e-mail.
-- `external_id` is that provider's id for the user. `token_generation`
-- invalidates every token Herald issued before it was raised (log out
-- everywhere); `tokens_revoked_at` (seconds) does the same for the
-- provider's tokens, which carry no generation but an issue time.
--
-- SQLite cannot drop NOT NULL in place, so the table is rebuilt as its
-- documentation describes (create, copy, drop, rename). That needs
-- foreign keys off: `Store::migrate` runs SQLite migrations with them off
-- and checks every reference once the migrations are done.

CREATE TABLE users_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    email             TEXT    UNIQUE,
    password_hash     TEXT,
    external_id       TEXT    UNIQUE,
    token_generation  INTEGER NOT NULL DEFAULT 0,
    tokens_revoked_at INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL
);
INSERT INTO users_new (id, name, email, password_hash, created_at)
    SELECT id, name, email, password_hash, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- A session (every token refreshed from one log-in) that was logged out,
-- kept until no token of it can still be valid.
CREATE TABLE revoked_sessions (
    user_id INTEGER NOT NULL REFERENCES users (id),
    session TEXT    NOT NULL,
    until   INTEGER NOT NULL,
    PRIMARY KEY (user_id, session)
);
CREATE INDEX revoked_sessions_by_expiry ON revoked_sessions (until);
