-- dialect: spark
INSERT INTO secure.customers
SELECT md5(email) AS email,
       regexp_replace(ssn, '[0-9]', '*') AS ssn,
       regexp_replace(phone, '-', separator) AS phone,
       mask(card_number) AS card,
       CASE WHEN vip THEN name ELSE 'anonymous' END AS name
FROM raw.customers;
