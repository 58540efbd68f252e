-- A checkout remembers the Idempotency-Key of the request that made it, so that the same
-- owner's retry within 24 h gets that checkout back instead of a second one (or a conflict
-- with the empty cart the first one left). Looked up by owner and key only.
ALTER TABLE checkout ADD COLUMN idempotency_key VARCHAR(300) NULL;
CREATE INDEX checkout_idempotency_key_idx ON checkout (owner_key, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
