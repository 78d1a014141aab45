COPY (
  SELECT range AS order_id,
         (hash(range) % 100000) + 1 AS customer_id,
         (hash(range * 7) % 1000) + 1 AS product_id,
         round(((hash(range * 13) % 100000) / 100.0), 2) AS amount,
         DATE '2023-01-01' + CAST(hash(range * 17) % 730 AS INTEGER) AS order_date
  FROM range(10000000)
) TO 'DATA/orders_10m.csv' (FORMAT csv, HEADER true);
COPY (
  SELECT range + 1 AS customer_id,
         ['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA'][((hash(range) % 8) + 1)::BIGINT] AS country,
         ['consumer', 'smb', 'enterprise'][((hash(range * 3) % 3) + 1)::BIGINT] AS segment
  FROM range(100000)
) TO 'DATA/customers_100k.csv' (FORMAT csv, HEADER true);
COPY (
  SELECT range AS id, (hash(range) % 1000) AS bucket, round((hash(range * 5) % 100000) / 100.0, 2) AS amount,
         'row ' || range AS label
  FROM range(10000000)
) TO 'DATA/append_10m.parquet' (FORMAT parquet);
-- 1M changed keys: half of them exist in the 20M-row target (even ids below 20M), half are new.
COPY (
  SELECT CASE WHEN range % 2 = 0 THEN range * 20 ELSE 20000000 + range END AS id,
         (hash(range * 3) % 1000) AS bucket, round((hash(range * 11) % 100000) / 100.0, 2) AS amount,
         'changed ' || range AS label
  FROM range(1000000)
) TO 'DATA/merge_1m.parquet' (FORMAT parquet);
