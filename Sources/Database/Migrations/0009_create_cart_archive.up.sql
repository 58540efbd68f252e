-- Carts abandoned or expired long ago (CART_ARCHIVE_AFTER_DAYS) leave the working tables for
-- these, with their lines. The columns are the working tables' in the same order, then when
-- the row was archived: a migration that adds a column to cart or cart_item adds it here too.
CREATE TABLE cart_archive (LIKE cart INCLUDING DEFAULTS, archived_at TIMESTAMPTZ NOT NULL DEFAULT now());
ALTER TABLE cart_archive ADD PRIMARY KEY (id);
CREATE INDEX cart_archive_user_id_idx ON cart_archive (user_id);
CREATE TABLE cart_item_archive (LIKE cart_item INCLUDING DEFAULTS, archived_at TIMESTAMPTZ NOT NULL DEFAULT now());
ALTER TABLE cart_item_archive ADD PRIMARY KEY (id);
CREATE INDEX cart_item_archive_cart_id_idx ON cart_item_archive (cart_id);
-- The archive sweep looks for ended carts by age.
CREATE INDEX cart_ended_updated_at_idx ON cart (updated_at) WHERE status IN ('abandoned', 'expired');
