-- Deleting a conversation deletes its messages, and for every deleted
-- message the database looked for the replies that quote it and for its
-- notifications with no index to find them: one scan of both tables per
-- message (PostgreSQL: 1.6 s for a conversation of 400 messages in a store
-- of 25,000, growing with both). Replies are few, so that index only holds
-- messages that quote one.
CREATE INDEX storechat_messages_replies ON storechat_messages (reply_to_id)
    WHERE reply_to_id IS NOT NULL;
CREATE INDEX storechat_notifications_by_message ON storechat_notifications (message_id)
    WHERE message_id IS NOT NULL;
CREATE INDEX storechat_order_cards_by_message ON storechat_order_cards (message_id);

-- The optional links are only ever looked up by value, so conversations
-- without them need no entry. Every message updates its conversation's
-- row: on PostgreSQL that update adds an entry to each index that holds the
-- row, on SQLite to each index with its last activity.
DROP INDEX storechat_conversations_by_vendor;
CREATE INDEX storechat_conversations_by_vendor
    ON storechat_conversations (vendor_id, last_message_at, id) WHERE vendor_id IS NOT NULL;
DROP INDEX storechat_conversations_by_product;
CREATE INDEX storechat_conversations_by_product
    ON storechat_conversations (product_id, last_message_at, id) WHERE product_id IS NOT NULL;
DROP INDEX storechat_conversations_by_order;
CREATE INDEX storechat_conversations_by_order
    ON storechat_conversations (order_id) WHERE order_id IS NOT NULL;
