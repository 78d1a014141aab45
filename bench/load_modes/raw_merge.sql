MERGE INTO target AS t USING (SELECT * FROM read_parquet('DATA/merge_1m.parquet')) AS s ON (t.id = s.id)
  WHEN MATCHED THEN UPDATE SET bucket = s.bucket, amount = s.amount, label = s.label
  WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.bucket, s.amount, s.label);
