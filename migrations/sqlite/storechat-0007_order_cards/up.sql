-- Order progress cards: one per (order, order status), whichever conversation
-- it went to. The primary key is what makes a repeated or concurrent call
-- from the host add nothing (the service replays the stored card).
CREATE TABLE storechat_order_cards (
    order_id TEXT NOT NULL,
    order_status TEXT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES storechat_messages (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES storechat_conversations (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (order_id, order_status)
);
CREATE INDEX storechat_order_cards_conversation ON storechat_order_cards (conversation_id);
