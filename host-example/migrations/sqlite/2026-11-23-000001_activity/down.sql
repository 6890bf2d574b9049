DROP TABLE shop_activity;
