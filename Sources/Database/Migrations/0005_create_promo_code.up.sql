-- Promotion codes: percent or fixed amount off, a minimum subtotal, a use budget and a window.
-- Codes are unique whatever their case; `uses` counts uses taken by checkouts (reserved or
-- completed) and can never pass `max_uses`.
CREATE TABLE promo_code (
    id            SERIAL PRIMARY KEY,
    code          VARCHAR(64) NOT NULL,
    percent_off   INTEGER NULL CHECK (percent_off BETWEEN 1 AND 100),
    amount_off    NUMERIC(10, 2) NULL CHECK (amount_off > 0),
    min_subtotal  NUMERIC(10, 2) NOT NULL DEFAULT 0 CHECK (min_subtotal >= 0),
    max_uses      INTEGER NULL CHECK (max_uses >= 1),
    uses          INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    starts_at     TIMESTAMPTZ NULL,
    expires_at    TIMESTAMPTZ NULL,
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((percent_off IS NULL) <> (amount_off IS NULL)),
    CHECK (starts_at IS NULL OR expires_at IS NULL OR starts_at < expires_at)
);
CREATE UNIQUE INDEX promo_code_code_idx ON promo_code (lower(code));

-- The code a cart holds, written behind Redis with the rest of the cart.
ALTER TABLE cart ADD COLUMN promo_code VARCHAR(64) NULL;
