DROP TABLE cart_event;
