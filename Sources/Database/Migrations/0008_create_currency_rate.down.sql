DROP TABLE currency_rate;
