-- dialect: postgres
WITH RECURSIVE chain AS (
    SELECT id, manager_id, name FROM hr.employees WHERE manager_id IS NULL
    UNION ALL
    SELECT e.id, e.manager_id, e.name FROM hr.employees e JOIN chain c ON e.manager_id = c.id
)
INSERT INTO hr.org_chart (employee_id, boss_id, employee_name)
SELECT id, manager_id, name FROM chain;
