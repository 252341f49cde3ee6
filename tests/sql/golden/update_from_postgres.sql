-- dialect: postgres
UPDATE dw.accounts AS a
SET balance = a.balance + t.amount, last_tx = t.ts
FROM staging.transactions AS t
WHERE t.account_id = a.id;
DELETE FROM dw.accounts AS a USING staging.closed AS c WHERE c.account_id = a.id;
