DROP INDEX cart_ended_updated_at_idx;
DROP TABLE cart_item_archive;
DROP TABLE cart_archive;
