-- Durable cart snapshots, written behind Redis by the flusher, version-guarded.
CREATE TABLE cart (
    id          UUID PRIMARY KEY,
    user_id     UUID NULL REFERENCES "user" (id) ON DELETE CASCADE,
    session_id  VARCHAR(255) NULL,
    status      VARCHAR(16) NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'abandoned', 'converted', 'expired')),
    version     BIGINT NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NULL
);
CREATE INDEX cart_user_id_idx ON cart (user_id);
CREATE INDEX cart_session_id_idx ON cart (session_id);
CREATE INDEX cart_expires_at_idx ON cart (expires_at);
-- One active cart per user.
CREATE UNIQUE INDEX cart_one_active_per_user ON cart (user_id) WHERE status = 'active' AND user_id IS NOT NULL;

CREATE TABLE cart_item (
    id          UUID PRIMARY KEY,
    cart_id     UUID NOT NULL REFERENCES cart (id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES product (id),
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_price  NUMERIC(10, 2) NOT NULL,
    saved       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (cart_id, product_id)
);
