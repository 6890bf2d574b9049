-- Writing in a conversation marks the writer's own notifications about it
-- read. With only the inbox index, finding those meant reading every
-- notification of the conversation (one per message of the other side);
-- the unread ones are few.
CREATE INDEX storechat_notifications_unread_by_conversation
    ON storechat_notifications (conversation_id, recipient_side)
    WHERE read_at IS NULL;
