-- A small shop in PostgreSQL: the source tables of the example. run.sh loads it with psql.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS shop CASCADE;
DROP SCHEMA IF EXISTS analytics CASCADE;
CREATE SCHEMA shop;
CREATE SCHEMA analytics;  -- the pipelines create their tables in it

CREATE TABLE shop.customers (
  id        integer PRIMARY KEY,
  name      text NOT NULL,
  country   char(2) NOT NULL,
  tags      text[] NOT NULL DEFAULT '{}',
  signed_up date NOT NULL
);

CREATE TABLE shop.orders (
  id          integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES shop.customers (id),
  amount      numeric(10,2) NOT NULL,
  status      text NOT NULL,
  ordered_at  timestamptz NOT NULL,
  details     jsonb
);

INSERT INTO shop.customers VALUES
  (1, 'Ada',     'GB', '{vip,newsletter}', '2023-01-15'),
  (2, 'Grace',   'US', '{newsletter}',     '2023-03-02'),
  (3, 'Linus',   'FI', '{}',               '2023-06-20'),
  (4, 'Barbara', 'US', '{vip}',            '2024-01-05');

INSERT INTO shop.orders VALUES
  (101, 1, 120.50, 'shipped',   '2024-03-01 09:15:00+00', '{"items": 2}'),
  (102, 1,  79.50, 'shipped',   '2024-03-04 17:40:00+00', '{"items": 1}'),
  (103, 2, 250.00, 'shipped',   '2024-03-02 11:00:00+00', '{"items": 5, "gift": true}'),
  (104, 2,  30.00, 'cancelled', '2024-03-03 08:30:00+00', NULL),
  (105, 4,  45.25, 'pending',   '2024-03-05 14:05:00+00', '{"items": 1}');
