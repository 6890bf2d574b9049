DROP TABLE shop_order_items;
DROP TABLE shop_orders;
DROP TABLE shop_products;
DROP TABLE shop_users;
