-- dialect: ansi
INSERT INTO mart.copy SELECT * FROM raw.unknown_table;
INSERT INTO mart.join_out SELECT name FROM raw.a JOIN raw.b ON a.id = b.id;
