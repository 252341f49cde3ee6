-- dialect: databricks
-- schema: {"staging.users": ["id", "email", "plan"]}
MERGE INTO prod.users t USING staging.users s ON t.id = s.id
WHEN MATCHED AND s.deleted THEN DELETE
WHEN MATCHED THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT *;
