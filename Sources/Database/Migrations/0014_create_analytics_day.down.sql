DROP TABLE analytics_day_product;
DROP TABLE analytics_day;
