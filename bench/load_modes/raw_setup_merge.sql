CREATE TABLE target AS
  SELECT range AS id, (hash(range) % 1000) AS bucket, round((hash(range * 5) % 100000) / 100.0, 2) AS amount,
         'row ' || range AS label
  FROM range(20000000);
