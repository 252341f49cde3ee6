-- dialect: snowflake
COPY INTO raw.events FROM @landing/events/ FILE_FORMAT = (TYPE = JSON);
COPY INTO @exports/users/ FROM (SELECT id, sha2(email) AS email_hash FROM crm.users);
