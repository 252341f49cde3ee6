-- dialect: redshift
INSERT INTO analytics.daily SELECT trunc(created_at) AS day, count(*) AS n FROM public.events GROUP BY 1;
UNLOAD ('select * from analytics.daily') TO 's3://bucket/daily_' IAM_ROLE 'arn:aws:iam::123:role/x';
