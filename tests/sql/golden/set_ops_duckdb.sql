-- dialect: duckdb
CREATE TABLE mart.contacts AS
SELECT email, phone FROM crm.leads
UNION
SELECT email, phone FROM crm.customers
EXCEPT
SELECT email, phone FROM crm.unsubscribed;
