-- dialect: snowflake
INSERT ALL
  WHEN region = 'eu' THEN INTO mart.eu_users (id, email_hash) VALUES (id, sha2(email))
  WHEN region = 'us' THEN INTO mart.us_users (id, email) VALUES (id, email)
SELECT id, email, region FROM crm.users;
