-- HR: people data is only ever read through a masking view.
CREATE OR REPLACE VIEW hr.analytics.people_masked AS
SELECT
    employee_id,
    SHA2(email, 256) AS email_hash,
    department,
    salary_band,
    tenure_months
FROM hr.core.people;

-- Features for the internal attrition model.
CREATE OR REPLACE TABLE features.hr.attrition AS
SELECT
    department,
    salary_band,
    AVG(tenure_months) AS avg_tenure,
    COUNT(DISTINCT email_hash) AS headcount
FROM hr.analytics.people_masked
GROUP BY department, salary_band;
