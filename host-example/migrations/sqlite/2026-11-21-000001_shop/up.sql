-- The example store's own records. The chat plugin refers to these rows by
-- their ids as strings and never by foreign key, so they stay the host's.
CREATE TABLE shop_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Stored lower-cased so that uniqueness and sign-in ignore case.
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- An argon2 PHC string.
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('customer', 'staff', 'vendor')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE shop_products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    vendor_id BIGINT REFERENCES shop_users (id),
    emoji TEXT NOT NULL,
    colour TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX shop_products_by_vendor ON shop_products (vendor_id);

CREATE TABLE shop_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES shop_users (id),
    status TEXT NOT NULL CHECK (status IN ('Placed', 'Paid', 'Shipped', 'Delivered', 'Cancelled')),
    total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
    placed_at TIMESTAMP NOT NULL
);
CREATE INDEX shop_orders_by_customer ON shop_orders (customer_id, placed_at, id);

CREATE TABLE shop_order_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES shop_orders (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES shop_products (id),
    -- Name and unit price as sold: a later price change must not rewrite history.
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0)
);
CREATE INDEX shop_order_items_by_order ON shop_order_items (order_id, id);
