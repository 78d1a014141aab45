CREATE TABLE orders AS SELECT * FROM read_csv('FILE', header = true);
