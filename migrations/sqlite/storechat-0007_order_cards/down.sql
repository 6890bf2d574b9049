DROP TABLE storechat_order_cards;
