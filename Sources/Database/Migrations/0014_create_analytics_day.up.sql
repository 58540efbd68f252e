-- The analytics figures of whole UTC days that have settled (see CartAnalytics): worked out from
-- the rows once (by the flusher every hour, or by the first report that covers the day) and read
-- from here afterwards, so that a report over a month reads about as many rows as one over three
-- days. Money is in cents.
CREATE TABLE analytics_day (
    day                      DATE PRIMARY KEY,
    carts_created            INTEGER NOT NULL,
    carts_converted          INTEGER NOT NULL,
    carts_abandoned          INTEGER NOT NULL,
    carts_expired            INTEGER NOT NULL,
    ended_subtotal_cents     BIGINT NOT NULL,
    orders_completed         INTEGER NOT NULL,
    order_total_cents        BIGINT NOT NULL,
    computed_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Each product's units of such a day: put in carts (lines not saved for later) and sold.
CREATE TABLE analytics_day_product (
    day          DATE NOT NULL REFERENCES analytics_day (day) ON DELETE CASCADE,
    product_id   INTEGER NOT NULL,
    units_added  BIGINT NOT NULL,
    units_sold   BIGINT NOT NULL,
    PRIMARY KEY (day, product_id)
);
