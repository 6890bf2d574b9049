-- Loyalty points and vouchers, shown to staff beside a customer's
-- conversations by the chat plugin's customer panel (see src/adapter/).
-- Only customers hold them; the role is checked in code, as SQL cannot.

-- The balance is kept here rather than summed from the events, so the panel
-- reads one row; the events say how it got there.
CREATE TABLE shop_loyalty_accounts (
    user_id BIGINT PRIMARY KEY REFERENCES shop_users (id),
    balance BIGINT NOT NULL CHECK (balance >= 0),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE shop_loyalty_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES shop_users (id),
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('earned', 'gift', 'reset')),
    -- Who did it; NULL for points the shop itself granted.
    staff_id BIGINT REFERENCES shop_users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX shop_loyalty_events_by_user ON shop_loyalty_events (user_id, created_at, id);

CREATE TABLE shop_vouchers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES shop_users (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    -- The member of staff who issued it; NULL when the shop did.
    issued_by BIGINT REFERENCES shop_users (id),
    created_at TIMESTAMP NOT NULL,
    -- Set at checkout; a redeemed voucher is kept for the accounts.
    redeemed_at TIMESTAMP
);
CREATE INDEX shop_vouchers_by_user ON shop_vouchers (user_id, redeemed_at, created_at);
