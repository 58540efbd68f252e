DROP TABLE cart_share_line;
DROP TABLE cart_share;
