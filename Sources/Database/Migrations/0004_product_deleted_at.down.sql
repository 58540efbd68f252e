ALTER TABLE product DROP COLUMN deleted_at;
