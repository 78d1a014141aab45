CREATE OR REPLACE TABLE orders AS SELECT * FROM read_csv('DATA/orders_10m.csv', header = true);
CREATE OR REPLACE TABLE customers AS SELECT * FROM read_csv('DATA/customers_100k.csv', header = true);
CREATE OR REPLACE TABLE enriched AS
  SELECT o.order_id, o.amount, o.order_date, c.country, c.segment
  FROM orders o JOIN customers c USING (customer_id);
CREATE OR REPLACE TABLE revenue AS
  SELECT country, segment, date_trunc('month', order_date) AS month, sum(amount) AS revenue, count(*) AS orders
  FROM enriched GROUP BY ALL;
CREATE OR REPLACE TABLE ranked AS
  SELECT *, rank() OVER (PARTITION BY month ORDER BY revenue DESC) AS rank_in_month FROM revenue;
COPY (SELECT * FROM ranked) TO 'OUT/ranked_raw.parquet' (FORMAT parquet, COMPRESSION 'zstd');
