-- A trigram index for the admin search, so a rare term (an e-mail address,
-- an order number) is found without reading every conversation. FTS5's
-- trigram tokenizer serves LIKE '%term%' for terms of 3 characters or more.
CREATE VIRTUAL TABLE storechat_conversations_fts USING fts5(search_text, tokenize = 'trigram');
INSERT INTO storechat_conversations_fts (rowid, search_text) SELECT id, search_text FROM storechat_conversations;
CREATE TRIGGER storechat_conversations_fts_insert AFTER INSERT ON storechat_conversations
BEGIN
    INSERT INTO storechat_conversations_fts (rowid, search_text) VALUES (NEW.id, lower(NEW.subject || ' ' || NEW.customer_name || ' ' || NEW.customer_email || ' ' || COALESCE(NEW.order_number, '') || ' ' || COALESCE(NEW.product_name, '')));
END;
CREATE TRIGGER storechat_conversations_fts_update
AFTER UPDATE OF subject, customer_name, customer_email, order_number, product_name ON storechat_conversations
BEGIN
    UPDATE storechat_conversations_fts SET search_text = lower(NEW.subject || ' ' || NEW.customer_name || ' ' || NEW.customer_email || ' ' || COALESCE(NEW.order_number, '') || ' ' || COALESCE(NEW.product_name, '')) WHERE rowid = NEW.id;
END;
CREATE TRIGGER storechat_conversations_fts_delete AFTER DELETE ON storechat_conversations
BEGIN
    DELETE FROM storechat_conversations_fts WHERE rowid = OLD.id;
END;
