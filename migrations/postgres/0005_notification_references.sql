-- A notification's references to users, cards, comments and posts,
-- checked once per statement instead of once per row (PostgreSQL).
--
-- A fan-out inserts one notification per recipient in one statement. As
-- foreign keys, each of its rows was checked on its own: three lookups
-- per row (recipient, actor, post or card), each locking the row it found
-- (FOR KEY SHARE), which took most of a 10,000-row statement's time.
--
-- Integrity is kept with the same guarantees, checked per statement:
--  - after an INSERT, one query over the inserted rows finds any that
--    names a user, card, comment or post that does not exist;
--  - the referenced columns of a notification never change;
--  - deleting a user, card, comment or post that a notification names is
--    refused, as the foreign key did. Before it looks, the delete takes a
--    SHARE lock on `notifications`: it waits for transactions that are
--    inserting notifications to end, and holds new inserts off until it
--    ends, so that an insert and a delete cannot each miss the other
--    (each check is a new statement, which under READ COMMITTED sees
--    what committed before it).
--    Herald deletes none of these rows today; the check costs a scan of
--    `notifications` per delete statement, and an index is due if they
--    ever are deleted in bulk.
-- `chat_message_id` keeps its foreign key: retention deletes chat
-- messages, and fan-outs leave it NULL, which the key does not look up.

ALTER TABLE notifications
    DROP CONSTRAINT notifications_recipient_id_fkey,
    DROP CONSTRAINT notifications_actor_id_fkey,
    DROP CONSTRAINT notifications_card_id_fkey,
    DROP CONSTRAINT notifications_comment_id_fkey,
    DROP CONSTRAINT notifications_post_id_fkey;

CREATE FUNCTION notifications_check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM inserted n
        WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = n.recipient_id)
           OR (n.actor_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = n.actor_id))
           OR (n.card_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.id = n.card_id))
           OR (n.comment_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = n.comment_id))
           OR (n.post_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = n.post_id))
    ) THEN
        RAISE EXCEPTION 'a notification names a user, card, comment or post that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER notifications_references
    AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_check_references();

CREATE FUNCTION notifications_references_are_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a notification''s recipient, actor, card, comment and post never change'
        USING ERRCODE = 'foreign_key_violation';
END
$$;

CREATE TRIGGER notifications_references_fixed
    BEFORE UPDATE ON notifications
    FOR EACH ROW
    WHEN (OLD.recipient_id IS DISTINCT FROM NEW.recipient_id
          OR OLD.actor_id IS DISTINCT FROM NEW.actor_id
          OR OLD.card_id IS DISTINCT FROM NEW.card_id
          OR OLD.comment_id IS DISTINCT FROM NEW.comment_id
          OR OLD.post_id IS DISTINCT FROM NEW.post_id)
    EXECUTE FUNCTION notifications_references_are_fixed();

-- One function for the four referenced tables: TG_TABLE_NAME says which
-- notification columns name the deleted rows.
CREATE FUNCTION notifications_restrict_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    named BOOLEAN;
BEGIN
    LOCK TABLE notifications IN SHARE MODE;
    CASE TG_TABLE_NAME
        WHEN 'users' THEN
            SELECT EXISTS (
                SELECT 1 FROM notifications n JOIN deleted d
                    ON n.recipient_id = d.id OR n.actor_id = d.id
            ) INTO named;
        WHEN 'cards' THEN
            SELECT EXISTS (
                SELECT 1 FROM notifications n JOIN deleted d ON n.card_id = d.id
            ) INTO named;
        WHEN 'comments' THEN
            SELECT EXISTS (
                SELECT 1 FROM notifications n JOIN deleted d ON n.comment_id = d.id
            ) INTO named;
        WHEN 'posts' THEN
            SELECT EXISTS (
                SELECT 1 FROM notifications n JOIN deleted d ON n.post_id = d.id
            ) INTO named;
    END CASE;
    IF named THEN
        RAISE EXCEPTION 'a notification still names a deleted row of %', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER notifications_restrict_user_delete
    AFTER DELETE ON users REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_restrict_delete();
CREATE TRIGGER notifications_restrict_card_delete
    AFTER DELETE ON cards REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_restrict_delete();
CREATE TRIGGER notifications_restrict_comment_delete
    AFTER DELETE ON comments REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_restrict_delete();
CREATE TRIGGER notifications_restrict_post_delete
    AFTER DELETE ON posts REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_restrict_delete();
