DROP INDEX cart_user_id_idx;
CREATE INDEX cart_user_id_idx ON cart (user_id);
