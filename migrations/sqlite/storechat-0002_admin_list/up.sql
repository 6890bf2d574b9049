-- The admin list: a vendor name to show, one lowercased search column (subject,
-- customer name and e-mail, order number, product name), and an index per
-- sortable column so that every sort and every page is an index walk.
ALTER TABLE storechat_conversations ADD COLUMN vendor_name TEXT;
-- Kept by the database itself (triggers here, a generated column on
-- PostgreSQL), so no code path can forget it.
ALTER TABLE storechat_conversations ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE storechat_conversations SET search_text = lower(subject || ' ' || customer_name || ' ' || customer_email || ' ' || COALESCE(order_number, '') || ' ' || COALESCE(product_name, ''));
CREATE TRIGGER storechat_conversations_search_insert AFTER INSERT ON storechat_conversations
BEGIN
    UPDATE storechat_conversations SET search_text = lower(NEW.subject || ' ' || NEW.customer_name || ' ' || NEW.customer_email || ' ' || COALESCE(NEW.order_number, '') || ' ' || COALESCE(NEW.product_name, '')) WHERE id = NEW.id;
END;
CREATE TRIGGER storechat_conversations_search_update
AFTER UPDATE OF subject, customer_name, customer_email, order_number, product_name ON storechat_conversations
BEGIN
    UPDATE storechat_conversations SET search_text = lower(NEW.subject || ' ' || NEW.customer_name || ' ' || NEW.customer_email || ' ' || COALESCE(NEW.order_number, '') || ' ' || COALESCE(NEW.product_name, '')) WHERE id = NEW.id;
END;

DROP INDEX storechat_conversations_admin_unread;
CREATE INDEX storechat_conversations_by_unread ON storechat_conversations (unread_for_admin, id);
CREATE INDEX storechat_conversations_by_subject ON storechat_conversations (subject, id);
CREATE INDEX storechat_conversations_by_customer_name ON storechat_conversations (customer_name, id);
CREATE INDEX storechat_conversations_by_context ON storechat_conversations ((COALESCE(order_number, product_name, '')), id);
CREATE INDEX storechat_conversations_by_vendor_name ON storechat_conversations ((COALESCE(vendor_name, '')), id);
CREATE INDEX storechat_conversations_by_status_id ON storechat_conversations (status, id);
CREATE INDEX storechat_conversations_by_assignee ON storechat_conversations ((COALESCE(assignee_name, '')), id);
CREATE INDEX storechat_conversations_by_assignee_id ON storechat_conversations (assignee_id, last_message_at, id);
CREATE INDEX storechat_conversations_by_product ON storechat_conversations (product_id, last_message_at, id);
CREATE INDEX storechat_conversations_by_messages ON storechat_conversations (message_count, id);
CREATE INDEX storechat_conversations_by_created ON storechat_conversations (created_at, id);
CREATE INDEX storechat_conversations_by_updated ON storechat_conversations (updated_at, id);
