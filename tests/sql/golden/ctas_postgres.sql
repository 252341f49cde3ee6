-- dialect: postgres
CREATE TABLE analytics.customer_orders AS
SELECT c.id AS customer_id,
       lower(c.email) AS email,
       count(o.id) AS orders,
       sum(o.amount) AS revenue
FROM crm.customers AS c
JOIN sales.orders AS o ON o.customer_id = c.id
WHERE o.status = 'paid'
GROUP BY c.id, c.email
ORDER BY revenue DESC;
