-- dialect: ansi
MERGE INTO dw.customers AS t
USING staging.customers AS s ON t.id = s.id
WHEN MATCHED AND s.deleted = 0 THEN UPDATE SET t.email = s.email, t.name = upper(s.name)
WHEN NOT MATCHED THEN INSERT (id, email, name) VALUES (s.id, s.email, s.name);
