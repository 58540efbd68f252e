-- Checkouts: a cart handed to payment with its stock (and promotion use) reserved.
-- `owner_key` is the cart owner's key ('g:<guest session>' or 'u:<user id>'): only that owner
-- reads, completes or cancels the checkout. `lines_returned_at` is set once a cancelled or
-- expired checkout's lines are back in the owner's cart, so a retry never returns them twice.
CREATE TABLE checkout (
    id                 UUID PRIMARY KEY,
    cart_id            UUID NOT NULL,
    owner_key          VARCHAR(300) NOT NULL,
    session_reference  VARCHAR(255) NULL,
    status             VARCHAR(16) NOT NULL CHECK (status IN ('reserved', 'completed', 'cancelled', 'expired')),
    subtotal           NUMERIC(12, 2) NOT NULL,
    discount           NUMERIC(12, 2) NOT NULL,
    total              NUMERIC(12, 2) NOT NULL,
    currency           VARCHAR(3) NOT NULL,
    promo_code         VARCHAR(64) NULL,
    reserved_until     TIMESTAMPTZ NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    lines_returned_at  TIMESTAMPTZ NULL
);
CREATE INDEX checkout_reserved_until_idx ON checkout (reserved_until) WHERE status = 'reserved';
CREATE INDEX checkout_returning_idx ON checkout (updated_at)
    WHERE status IN ('cancelled', 'expired') AND lines_returned_at IS NULL;

CREATE TABLE checkout_line (
    checkout_id   UUID NOT NULL REFERENCES checkout (id) ON DELETE CASCADE,
    item_id       UUID NOT NULL,
    product_id    INTEGER NOT NULL REFERENCES product (id),
    product_name  VARCHAR(255) NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    unit_price    NUMERIC(10, 2) NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (checkout_id, product_id)
);

