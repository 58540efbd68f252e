DROP INDEX checkout_idempotency_key_idx;
ALTER TABLE checkout DROP COLUMN idempotency_key;
