-- One index of notifications by conversation instead of two. Every message
-- adds a notification, and each index led by the conversation takes the
-- new entry on a page of its own (the conversation's end of the index):
-- at 6,000 messages a second on SQLite these two indexes were 106 of the
-- 247 pages a batch wrote to the log. The unread look-ups (conversation,
-- side, unread) and the cascade from a deleted conversation both use this
-- one.
DROP INDEX storechat_notifications_unread_by_conversation;
DROP INDEX storechat_notifications_conversation;
CREATE INDEX storechat_notifications_by_conversation
    ON storechat_notifications (conversation_id, recipient_side, read_at);
