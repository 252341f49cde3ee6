-- Support tickets: raw SaaS export (loaded by Airflow) -> cleaned staging table.
CREATE OR REPLACE TABLE staging.support.tickets_clean AS
SELECT
    t.ticket_id,
    t.created_at,
    t.requester_email,
    LOWER(t.subject) AS subject,
    t.body,
    t.resolution
FROM raw.support.tickets AS t
WHERE t.status <> 'spam';
