-- dialect: snowflake
CREATE OR REPLACE VIEW mart.v_customers AS
SELECT id, sha2(email) AS email_hash, f.value::string AS phone
FROM crm.customers, LATERAL FLATTEN(input => phones) f;
CREATE MATERIALIZED VIEW mart.mv_totals AS
SELECT region, sum(amount) AS total FROM sales.orders GROUP BY region;
