-- Nothing to do on SQLite: its search index (migration 0004, FTS5) is
-- already a table of its own, kept by triggers on the searched columns
-- only. PostgreSQL's migration 0006 moves its trigram index out of the
-- conversations table likewise; the versions stay the same on both.
SELECT 1;
