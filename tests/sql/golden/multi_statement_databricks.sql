-- dialect: databricks
CREATE TABLE tmp.active AS SELECT id, email FROM raw.users WHERE active = true;
CREATE TABLE tmp.enriched AS
SELECT a.id, a.email, p.plan FROM tmp.active a JOIN raw.plans p ON p.user_id = a.id;
INSERT INTO mart.users SELECT * FROM tmp.enriched;
DROP TABLE tmp.active;
