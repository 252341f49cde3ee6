-- dialect: postgres
INSERT INTO dw.ok1 SELECT a FROM raw.src1;
SELECT FROM WHERE broken;
INSERT INTO dw.ok2 SELECT b FROM raw.src2;
