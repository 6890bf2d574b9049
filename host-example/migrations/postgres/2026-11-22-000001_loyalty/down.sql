DROP TABLE shop_vouchers;
DROP TABLE shop_loyalty_events;
DROP TABLE shop_loyalty_accounts;
