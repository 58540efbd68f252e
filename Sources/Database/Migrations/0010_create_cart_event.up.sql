-- The outbox of cart events (abandoned, expired, converted), written in the same transaction
-- as the change each reports, and delivered to CART_WEBHOOK_URL by the flushers: in order per
-- cart (`sequence`), at least once, retried with back-off for 24 h, then `failed`.
CREATE TABLE cart_event (
    id               UUID PRIMARY KEY,
    sequence         BIGSERIAL NOT NULL UNIQUE,
    type             VARCHAR(32) NOT NULL CHECK (type IN ('cart.abandoned', 'cart.expired', 'cart.converted')),
    cart_id          UUID NOT NULL,
    user_id          UUID NULL,
    email            VARCHAR(320) NULL,
    items            JSONB NOT NULL,
    subtotal         NUMERIC(12, 2) NOT NULL,
    occurred_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    status           VARCHAR(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ NULL
);
CREATE INDEX cart_event_due_idx ON cart_event (next_attempt_at) WHERE status = 'pending';
CREATE INDEX cart_event_cart_idx ON cart_event (cart_id, sequence);
CREATE INDEX cart_event_status_idx ON cart_event (status, sequence);
