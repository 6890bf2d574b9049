DROP INDEX storechat_conversations_by_order;
CREATE INDEX storechat_conversations_by_order ON storechat_conversations (order_id);
DROP INDEX storechat_conversations_by_product;
CREATE INDEX storechat_conversations_by_product ON storechat_conversations (product_id, last_message_at, id);
DROP INDEX storechat_conversations_by_vendor;
CREATE INDEX storechat_conversations_by_vendor ON storechat_conversations (vendor_id, last_message_at, id);
DROP INDEX storechat_order_cards_by_message;
DROP INDEX storechat_notifications_by_message;
DROP INDEX storechat_messages_replies;
