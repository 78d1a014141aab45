INSERT INTO target SELECT * FROM read_parquet('DATA/append_10m.parquet');
