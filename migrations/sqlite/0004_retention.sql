-- Retention (SQLite): notifications and chat messages older than a
-- policy are deleted oldest first, a batch at a time.
--
-- `horizon` is the highest id deleted so far of each kind: every
-- notification at or below it is gone, and so is every chat message at or
-- below it except those a notification still names (a mention), which go
-- with that notification. A client resuming after a cursor below the
-- horizon may need rows that no longer exist and is told CURSOR_EXPIRED.
-- The batched delete walks each table by primary key from the horizon
-- up, so it needs no index on `created_at`.
CREATE TABLE retention_horizons (
    kind    TEXT    PRIMARY KEY,
    horizon INTEGER NOT NULL
);
INSERT INTO retention_horizons (kind, horizon) VALUES ('notifications', 0), ('chat_messages', 0);

-- Deleting a chat message looks up the notifications that name it (the
-- sweep, and the foreign key check); without this index each lookup would
-- scan every notification. Partial: most notifications name no message.
CREATE INDEX notifications_by_chat_message ON notifications (chat_message_id)
    WHERE chat_message_id IS NOT NULL;
