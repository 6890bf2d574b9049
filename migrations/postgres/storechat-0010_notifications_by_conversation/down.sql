DROP INDEX storechat_notifications_by_conversation;
CREATE INDEX storechat_notifications_conversation ON storechat_notifications (conversation_id);
CREATE INDEX storechat_notifications_unread_by_conversation
    ON storechat_notifications (conversation_id, recipient_side)
    WHERE read_at IS NULL;
