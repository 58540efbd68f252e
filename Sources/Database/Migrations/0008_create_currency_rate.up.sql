-- Display currencies: units of each currency per unit of the base currency (CART_CURRENCY).
CREATE TABLE currency_rate (
    code        CHAR(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    rate        NUMERIC(20, 10) NOT NULL CHECK (rate > 0),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
