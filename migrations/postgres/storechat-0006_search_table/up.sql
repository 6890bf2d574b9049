-- The admin search's trigram index moves to a table of its own. On the
-- conversations table it was written on every message: the row's update
-- changes indexed columns (last activity, counters), so PostgreSQL cannot
-- make it a HOT update and adds an entry to every index of the table,
-- the GIN index included, with one key per trigram of the search text. That
-- was most of a message's cost. The search text changes only with the
-- subject, the customer's name or e-mail, the order or the product, so a
-- trigger keeps this table and its index for those changes alone.
CREATE TABLE storechat_conversation_search (
    conversation_id BIGINT PRIMARY KEY REFERENCES storechat_conversations (id) ON DELETE CASCADE,
    search_text TEXT NOT NULL
);
INSERT INTO storechat_conversation_search (conversation_id, search_text)
    SELECT id, search_text FROM storechat_conversations;

CREATE FUNCTION storechat_conversation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO storechat_conversation_search (conversation_id, search_text)
        VALUES (NEW.id, NEW.search_text)
        ON CONFLICT (conversation_id) DO UPDATE SET search_text = EXCLUDED.search_text;
    RETURN NULL;
END
$$;
CREATE TRIGGER storechat_conversation_search_insert
    AFTER INSERT ON storechat_conversations
    FOR EACH ROW EXECUTE FUNCTION storechat_conversation_search_sync();
CREATE TRIGGER storechat_conversation_search_update
    AFTER UPDATE OF subject, customer_name, customer_email, order_number, product_name ON storechat_conversations
    FOR EACH ROW EXECUTE FUNCTION storechat_conversation_search_sync();

DROP INDEX IF EXISTS storechat_conversations_search_trgm;
-- As in migration 0004: without pg_trgm the search works, unindexed.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX storechat_conversation_search_trgm ON storechat_conversation_search USING gin (search_text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'storechat: no trigram index for the admin search (%); search works, slower on large stores', SQLERRM;
END
$$;
