-- storechat: conversations, messages, reactions and in-app notifications.
-- Host records (users, orders, products) are referenced by opaque string ids,
-- never by foreign key; their display values are copied here so lists need no
-- host call per row.
CREATE TABLE storechat_conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    vendor_id TEXT,
    order_id TEXT,
    order_number TEXT,
    product_id TEXT,
    product_name TEXT,
    status TEXT NOT NULL CHECK (status IN ('OPEN', 'AWAITING_ADMIN', 'AWAITING_USER', 'RESOLVED', 'CLOSED')),
    assignee_id TEXT,
    assignee_name TEXT,
    priority INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    unread_for_admin INTEGER NOT NULL DEFAULT 0,
    unread_for_user INTEGER NOT NULL DEFAULT 0,
    admin_read_up_to BIGINT NOT NULL DEFAULT 0,
    user_read_up_to BIGINT NOT NULL DEFAULT 0,
    last_message_id BIGINT,
    last_message_preview TEXT NOT NULL DEFAULT '',
    last_message_side TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_message_at TIMESTAMP NOT NULL
);
CREATE INDEX storechat_conversations_by_activity ON storechat_conversations (last_message_at, id);
CREATE INDEX storechat_conversations_by_status ON storechat_conversations (status, last_message_at, id);
CREATE INDEX storechat_conversations_by_customer ON storechat_conversations (customer_id, last_message_at, id);
CREATE INDEX storechat_conversations_by_vendor ON storechat_conversations (vendor_id, last_message_at, id);
CREATE INDEX storechat_conversations_by_order ON storechat_conversations (order_id);
CREATE INDEX storechat_conversations_admin_unread ON storechat_conversations (unread_for_admin, last_message_at);

CREATE TABLE storechat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT NOT NULL REFERENCES storechat_conversations (id) ON DELETE CASCADE,
    sender_id TEXT,
    sender_side TEXT NOT NULL CHECK (sender_side IN ('customer', 'staff', 'vendor', 'system')),
    sender_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'system', 'order_card')),
    body TEXT NOT NULL,
    reply_to_id BIGINT REFERENCES storechat_messages (id) ON DELETE SET NULL,
    client_msg_id TEXT,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    deleted_at TIMESTAMP,
    deleted_by TEXT
);
-- Idempotent retries: one row per (sender, client message id). NULLs are distinct.
CREATE UNIQUE INDEX storechat_messages_client_id ON storechat_messages (sender_id, client_msg_id);
-- Keyset pagination of a conversation's history.
CREATE INDEX storechat_messages_history ON storechat_messages (conversation_id, id);

CREATE TABLE storechat_reactions (
    message_id BIGINT NOT NULL REFERENCES storechat_messages (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    emoji TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE storechat_notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_side TEXT NOT NULL CHECK (recipient_side IN ('customer', 'staff', 'vendor')),
    recipient_id TEXT,
    kind TEXT NOT NULL,
    conversation_id BIGINT NOT NULL REFERENCES storechat_conversations (id) ON DELETE CASCADE,
    message_id BIGINT REFERENCES storechat_messages (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX storechat_notifications_inbox ON storechat_notifications (recipient_side, recipient_id, read_at, id);
CREATE INDEX storechat_notifications_conversation ON storechat_notifications (conversation_id);
