"""The original tool's method: pandas read_sql into a DataFrame, then into DuckDB (through a
Parquet file written by pandas is not possible without pyarrow here, so through CSV as it would
with DuckDB's Python API absent). Prints seconds."""
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd
import psycopg2

start = time.perf_counter()
connection = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER"],
                              password=os.environ["PGPASSWORD"], dbname=os.environ["PGDATABASE"])
frame = pd.read_sql("SELECT * FROM bench_orders", connection)
with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
    frame.to_csv(handle.name, index=False)
    subprocess.run([sys.argv[1], sys.argv[2], f"FILE={handle.name}"], check=True, stdout=subprocess.DEVNULL)
print(time.perf_counter() - start)
