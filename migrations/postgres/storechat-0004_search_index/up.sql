-- A trigram index for the admin search, so a rare term (an e-mail address,
-- an order number) is found without reading every conversation. pg_trgm is a
-- trusted extension (PostgreSQL 13+), but a server without contrib or a
-- role without CREATE on the database cannot add it: then the search keeps
-- working without the index, and the notice says why.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX storechat_conversations_search_trgm ON storechat_conversations USING gin (search_text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'storechat: no trigram index for the admin search (%); search works, slower on large stores', SQLERRM;
END
$$;
