-- Prompt/completion pairs for fine-tuning the support model.
-- The free-text body still carries whatever the customer typed (names, phones, emails).
CREATE OR REPLACE TABLE features.support.ticket_pairs AS
SELECT
    c.ticket_id,
    c.subject || '\n' || c.body AS prompt,
    c.resolution AS completion,
    c.requester_email
FROM staging.support.tickets_clean AS c
WHERE c.resolution IS NOT NULL;

-- Weekly volume for the support dashboard: aggregates only.
CREATE OR REPLACE TABLE marts.support.weekly_volume AS
SELECT DATE_TRUNC('week', created_at) AS week, COUNT(*) AS tickets
FROM staging.support.tickets_clean
GROUP BY 1;
