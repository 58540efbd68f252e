DROP INDEX cart_event_occurred_at_brin;
DROP INDEX cart_created_at_brin;
