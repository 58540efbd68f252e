-- Deleted products leave the catalog but stay for the carts and orders that name them.
ALTER TABLE product ADD COLUMN deleted_at TIMESTAMPTZ NULL;
