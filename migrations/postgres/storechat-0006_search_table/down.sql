DROP TRIGGER storechat_conversation_search_update ON storechat_conversations;
DROP TRIGGER storechat_conversation_search_insert ON storechat_conversations;
DROP FUNCTION storechat_conversation_search_sync();
DROP TABLE storechat_conversation_search;
DO $$
BEGIN
    CREATE INDEX storechat_conversations_search_trgm ON storechat_conversations USING gin (search_text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'storechat: no trigram index for the admin search (%)', SQLERRM;
END
$$;
