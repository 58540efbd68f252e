-- Shared carts: a read-only snapshot of a cart's lines behind an unguessable id, until it
-- expires. Nothing here names the owner: the id is the only way in.
CREATE TABLE cart_share (
    id          VARCHAR(64) PRIMARY KEY,
    subtotal    NUMERIC(12, 2) NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX cart_share_expires_at_idx ON cart_share (expires_at);

CREATE TABLE cart_share_line (
    share_id      VARCHAR(64) NOT NULL REFERENCES cart_share (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    product_id    INTEGER NOT NULL,
    product_name  VARCHAR(255) NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    unit_price    NUMERIC(10, 2) NOT NULL,
    PRIMARY KEY (share_id, position)
);
