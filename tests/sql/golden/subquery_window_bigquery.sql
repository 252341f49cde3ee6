-- dialect: bigquery
-- schema: {"proj.raw.users": {"id": "INT64", "email": "STRING", "ssn": "STRING", "country": "STRING"}}
CREATE TABLE proj.mart.users AS
SELECT * EXCEPT (ssn),
       ROW_NUMBER() OVER (PARTITION BY country ORDER BY id) AS rank_in_country,
       (SELECT max(score) FROM proj.raw.scores s WHERE s.user_id = u.id) AS best_score
FROM proj.raw.users u, UNNEST([1, 2]) AS n
WHERE id IN (SELECT user_id FROM proj.raw.active);
