-- Notifications grouped by what they are about (PostgreSQL).
--
-- `group_key` names a notification's group: its kind and its subject (a
-- card for card updates, assignments and comments; the poster for
-- uploads; the room for mentions), written by the insert from what
-- `notify` decided. Unread notifications with one key are shown as one
-- entry ("Alice and 3 others commented on the card “Ship v1”").
ALTER TABLE notifications ADD COLUMN group_key TEXT NOT NULL DEFAULT '';

UPDATE notifications SET group_key = CASE kind
    WHEN 'POST_UPLOADED' THEN kind || ':user:' || COALESCE(CAST(actor_id AS TEXT), '')
    WHEN 'CHAT_MENTION' THEN kind || ':room:' || COALESCE(
        (SELECT CAST(m.room_id AS TEXT) FROM chat_messages m WHERE m.id = chat_message_id), '')
    ELSE kind || ':card:' || COALESCE(CAST(card_id AS TEXT), '')
END;

-- No index of its own: every extra index of `notifications` costs the
-- fan-out insert a random b-tree write per row (+20 to 25 ms per 10,000
-- rows on SQLite, measured). A group is read from the recipient's unread
-- rows (`notifications_unread`), so its cost grows with their unread
-- notifications, which reading keeps short.
