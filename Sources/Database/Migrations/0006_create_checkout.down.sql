DROP TABLE checkout_line;
DROP TABLE checkout;
