ALTER TABLE cart DROP COLUMN promo_code;
DROP TABLE promo_code;
