-- dialect: mysql
SELECT u.`id`, CONCAT(u.first_name, ' ', u.last_name) AS full_name
FROM `shop`.`users` u
LEFT JOIN shop.orders o ON o.user_id = u.id
GROUP BY u.id;
