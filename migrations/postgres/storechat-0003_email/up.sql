-- E-mail notifications through a durable outbox, written in the message's
-- own transaction. One pending row per conversation and recipient side
-- gathers every reply until it is sent (one e-mail with a recap).
CREATE TABLE storechat_outbox (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('replies', 'opened')),
    conversation_id BIGINT NOT NULL REFERENCES storechat_conversations (id) ON DELETE CASCADE,
    recipient_side TEXT NOT NULL CHECK (recipient_side IN ('customer', 'staff', 'vendor')),
    first_message_id BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'dead')),
    due_at TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_until TIMESTAMP,
    claimed_by TEXT,
    last_error TEXT,
    recipient_email TEXT,
    message_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE UNIQUE INDEX storechat_outbox_one_pending ON storechat_outbox (conversation_id, recipient_side) WHERE status = 'pending';
CREATE INDEX storechat_outbox_due ON storechat_outbox (status, next_attempt_at);

-- E-mail on or off per person (host user id); no row means on.
CREATE TABLE storechat_email_prefs (
    user_id TEXT PRIMARY KEY,
    email_enabled BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
