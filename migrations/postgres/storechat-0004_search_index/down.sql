DROP INDEX IF EXISTS storechat_conversations_search_trgm;
