-- dialect: tsql
UPDATE t SET t.phone = s.phone FROM dbo.customers t JOIN staging.phones s ON t.id = s.customer_id;
