-- dialect: hive
INSERT OVERWRITE TABLE dw.events PARTITION (ds = '2024-01-01')
SELECT e.user_id, q.tag
FROM raw.events e
LATERAL VIEW explode(e.tags) q AS tag
WHERE e.ds = '2024-01-01';
