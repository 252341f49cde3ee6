-- dialect: hive
FROM raw.clicks c
INSERT OVERWRITE TABLE dw.clicks_eu SELECT c.user_id, c.url WHERE c.region = 'eu'
INSERT OVERWRITE TABLE dw.clicks_us SELECT c.user_id, c.url WHERE c.region = 'us';
