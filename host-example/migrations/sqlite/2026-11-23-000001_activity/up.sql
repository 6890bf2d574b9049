-- The store's own notification centre: one line per chat event that
-- concerns a customer ("Ann Admin replied to “Gift wrapping”"), written by
-- the host adapter's event hook after the chat has committed, and shown on
-- /account/activity/ with an unread badge in the header.

CREATE TABLE shop_activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES shop_users (id),
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'reply', 'status', 'assigned', 'removed')),
    -- The chat conversation it is about: the plugin's id, kept without a
    -- foreign key (the plugin's tables are its own).
    conversation_id BIGINT,
    text TEXT NOT NULL,
    -- A line of context under the text (the start of a reply); may be empty.
    detail TEXT NOT NULL DEFAULT '',
    -- Where the line leads; NULL once the conversation is deleted.
    href TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX shop_activity_by_user ON shop_activity (user_id, created_at, id);
CREATE INDEX shop_activity_unread ON shop_activity (user_id) WHERE read_at IS NULL;
CREATE INDEX shop_activity_by_conversation ON shop_activity (conversation_id);
