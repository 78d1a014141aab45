DROP TABLE IF EXISTS bench_orders;
CREATE TABLE bench_orders AS
  SELECT g AS id, g % 100000 AS customer_id, (g % 1000)::int AS product_id, round((g % 100000) / 100.0, 2)::numeric(12,2) AS amount,
         (g % 7 = 0) AS flagged, DATE '2024-01-01' + (g % 365) AS day, 'note ' || (g % 1000) AS note,
         TIMESTAMP '2024-01-01' + g * interval '1 second' AS created_at
  FROM generate_series(0, 4999999) g;
