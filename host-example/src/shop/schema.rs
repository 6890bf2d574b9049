//! Diesel table definitions of the store's tables, written to match
//! `migrations/sqlite` and `migrations/postgres`.

diesel::table! {
    shop_users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    shop_products (id) {
        id -> BigInt,
        name -> Text,
        description -> Text,
        price_cents -> BigInt,
        vendor_id -> Nullable<BigInt>,
        emoji -> Text,
        colour -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    shop_orders (id) {
        id -> BigInt,
        number -> Text,
        customer_id -> BigInt,
        status -> Text,
        total_cents -> BigInt,
        placed_at -> Timestamp,
    }
}

diesel::table! {
    shop_order_items (id) {
        id -> BigInt,
        order_id -> BigInt,
        product_id -> BigInt,
        name -> Text,
        quantity -> Integer,
        price_cents -> BigInt,
    }
}

diesel::joinable!(shop_orders -> shop_users (customer_id));
diesel::joinable!(shop_order_items -> shop_orders (order_id));
diesel::joinable!(shop_order_items -> shop_products (product_id));
diesel::joinable!(shop_products -> shop_users (vendor_id));

diesel::table! {
    shop_loyalty_accounts (user_id) {
        user_id -> BigInt,
        balance -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    shop_loyalty_events (id) {
        id -> BigInt,
        user_id -> BigInt,
        delta -> BigInt,
        reason -> Text,
        staff_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    shop_vouchers (id) {
        id -> BigInt,
        code -> Text,
        user_id -> BigInt,
        amount_cents -> BigInt,
        issued_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        redeemed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    shop_activity (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        conversation_id -> Nullable<BigInt>,
        text -> Text,
        detail -> Text,
        href -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    shop_users,
    shop_products,
    shop_orders,
    shop_order_items,
    shop_loyalty_accounts,
    shop_loyalty_events,
    shop_vouchers,
    shop_activity
);
