-- dialect: ansi
-- schema: {"dw.users": ["user_id", "user_email"]}
INSERT INTO dw.users SELECT id, email FROM raw.users;
INSERT INTO dw.users_copy (uid, mail) SELECT id, email FROM raw.users;
