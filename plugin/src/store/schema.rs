//! Diesel table definitions shared by both backends. Hand-written to match
//! `migrations/sqlite` and `migrations/postgres`, which must stay identical in
//! shape (the migration test diffs them).

diesel::table! {
    storechat_conversations (id) {
        id -> BigInt,
        subject -> Text,
        customer_id -> Text,
        customer_name -> Text,
        customer_email -> Text,
        vendor_id -> Nullable<Text>,
        order_id -> Nullable<Text>,
        order_number -> Nullable<Text>,
        product_id -> Nullable<Text>,
        product_name -> Nullable<Text>,
        status -> Text,
        assignee_id -> Nullable<Text>,
        assignee_name -> Nullable<Text>,
        priority -> Integer,
        message_count -> Integer,
        unread_for_admin -> Integer,
        unread_for_user -> Integer,
        admin_read_up_to -> BigInt,
        user_read_up_to -> BigInt,
        last_message_id -> Nullable<BigInt>,
        last_message_preview -> Text,
        last_message_side -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_message_at -> Timestamp,
        vendor_name -> Nullable<Text>,
    }
}

diesel::table! {
    storechat_messages (id) {
        id -> BigInt,
        conversation_id -> BigInt,
        sender_id -> Nullable<Text>,
        sender_side -> Text,
        sender_name -> Text,
        kind -> Text,
        body -> Text,
        reply_to_id -> Nullable<BigInt>,
        client_msg_id -> Nullable<Text>,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    storechat_reactions (message_id, user_id, emoji) {
        message_id -> BigInt,
        user_id -> Text,
        emoji -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    storechat_notifications (id) {
        id -> BigInt,
        recipient_side -> Text,
        recipient_id -> Nullable<Text>,
        kind -> Text,
        conversation_id -> BigInt,
        message_id -> Nullable<BigInt>,
        title -> Text,
        body -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(storechat_messages -> storechat_conversations (conversation_id));
diesel::joinable!(storechat_notifications -> storechat_conversations (conversation_id));
diesel::joinable!(storechat_reactions -> storechat_messages (message_id));
diesel::allow_tables_to_appear_in_same_query!(
    storechat_conversations,
    storechat_messages,
    storechat_reactions,
    storechat_notifications,
);

diesel::table! {
    storechat_outbox (id) {
        id -> BigInt,
        kind -> Text,
        conversation_id -> BigInt,
        recipient_side -> Text,
        first_message_id -> BigInt,
        status -> Text,
        due_at -> Timestamp,
        next_attempt_at -> Timestamp,
        attempts -> Integer,
        claimed_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        recipient_email -> Nullable<Text>,
        message_count -> Integer,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    storechat_email_prefs (user_id) {
        user_id -> Text,
        email_enabled -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(storechat_outbox -> storechat_conversations (conversation_id));
diesel::allow_tables_to_appear_in_same_query!(storechat_outbox, storechat_conversations);

diesel::table! {
    storechat_order_cards (order_id, order_status) {
        order_id -> Text,
        order_status -> Text,
        message_id -> BigInt,
        conversation_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    storechat_settings (id) {
        id -> Integer,
        body -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}
