#!/usr/bin/env bash
# Tests of the PostgreSQL connector against a real PostgreSQL server (tests/fixtures/postgres.sh):
# type mapping (every mapped type, NULLs, infinities, arrays), the ways to connect (table, schema,
# query, profile connector, connection URI, PG* variables, aliases), large reads, LOAD modes with
# a PostgreSQL source, EXPORT in each mode with its failures, connection errors and
# `sqlflow connect`, and a server restart during a run (with and without retries).
#   tests/postgres/run_tests.sh SQLFLOW_BINARY [NAME_REGEX]
# NAME_REGEX (optional, for debugging) runs only the tests whose names match.
# Prints "ok <name>" per test and "N passed, 0 failed" at the end; stops at the first failure.
# The server runs in its own temporary directory and is always stopped on exit.
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"
FIXTURE="$(cd "$(dirname "$0")/../fixtures" && pwd)/postgres.sh"
command -v psql >/dev/null || { echo "psql is not installed" >&2; exit 1; }

# The server's folder must be reachable by the postgres user when we are root.
if [ "$(id -u)" -eq 0 ]; then
  PGDIR="$(mktemp -d /tmp/sqlflow-pg-XXXXXX)"
else
  PGDIR="$(mktemp -d "${TMPDIR:-/tmp}/sqlflow-pg-XXXXXX")"
fi
ROOT="$(mktemp -d "${TMPDIR:-/tmp}/sqlflow-postgres-XXXXXX")"
BACKGROUND_PID=""
cleanup() {
  if [ -n "$BACKGROUND_PID" ] && kill -0 "$BACKGROUND_PID" 2>/dev/null; then
    kill -KILL "$BACKGROUND_PID" 2>/dev/null || true
  fi
  "$FIXTURE" stop "$PGDIR" >/dev/null 2>&1 || true
  rm -rf "$ROOT" "$PGDIR"
}
trap cleanup EXIT

# No PG* variable of the caller may leak into the tests; sqlflow sees them only where a test
# gives them (SF_ENV), psql always (pg).
unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGSERVICEFILE PGSSLMODE \
  PGOPTIONS PGAPPNAME PGCONNECT_TIMEOUT PGTZ PGCLIENTENCODING PGTARGETSESSIONATTRS
export PGPASSFILE="$ROOT/no-pgpass"

"$FIXTURE" start "$PGDIR" >"$ROOT/fixture.log" 2>&1 || {
  echo "cannot start PostgreSQL with $FIXTURE:" >&2
  cat "$ROOT/fixture.log" >&2
  exit 1
}
# shellcheck disable=SC1091,SC2153
read -r PG_HOST PG_PORT PG_USER PG_PASSWORD PG_DB < <(. "$PGDIR/env" && echo "$PGHOST $PGPORT $PGUSER $PGPASSWORD $PGDATABASE")
PG_URI="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
# shellcheck disable=SC2012  # as the fixture finds it
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PG_ENV=(PGHOST="$PG_HOST" PGPORT="$PG_PORT" PGUSER="$PG_USER" PGPASSWORD="$PG_PASSWORD" PGDATABASE="$PG_DB")

# The server down and up again on the same port and data directory (as the fixture starts it).
pg_stop() { "$FIXTURE" stop "$PGDIR" >/dev/null 2>&1; }
pg_start() {
  as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 \
    -o "-p $PG_PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}

SF_ENV=(TZ=UTC)

# pg ARGS...: psql as the server's superuser; stops on the first SQL error.
pg() { env "${PG_ENV[@]}" psql -X -q -v ON_ERROR_STOP=1 "$@"; }
# pgq SQL: the rows of SQL, unaligned, comma-separated, without header.
pgq() { pg -A -t -F, -c "$1" || fail "psql failed: $1"; }
# pgrun < SQL: runs a script.
pgrun() { pg >/dev/null || fail "psql script failed"; }

# project_profile: the connectors every project of this suite has (new_project adds them)
#   pg       the server, every key given (literal password)
#   pgnodb   the server with an unknown database (OPTIONS must fix it)
#   badpw    a wrong password; badport  a port where nothing listens; baddb  an unknown database
FREE_PORT="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BAD_PASSWORD="Wr0ng-Passw0rd-$RANDOM"
project_profile() {
  cat <<EOF
connectors:
  pg: {type: POSTGRES, params: {host: 127.0.0.1, port: $PG_PORT, dbname: $PG_DB, user: $PG_USER, password: "$PG_PASSWORD"}}
  pgnodb: {type: POSTGRES, params: {host: 127.0.0.1, port: $PG_PORT, dbname: no_such_db, user: $PG_USER, password: "$PG_PASSWORD"}}
  badpw: {type: POSTGRES, params: {host: 127.0.0.1, port: $PG_PORT, dbname: $PG_DB, user: $PG_USER, password: "$BAD_PASSWORD"}}
  badport: {type: POSTGRES, params: {host: 127.0.0.1, port: $FREE_PORT, dbname: $PG_DB, user: $PG_USER, password: "$PG_PASSWORD", connect_timeout: 5}}
  baddb: {type: POSTGRES, params: {host: 127.0.0.1, port: $PG_PORT, dbname: no_such_db, user: $PG_USER, password: "$PG_PASSWORD"}}
EOF
}


# The connection keys as PARAMS/OPTIONS JSON members (without braces).
CONN="\"host\": \"127.0.0.1\", \"port\": $PG_PORT, \"dbname\": \"$PG_DB\", \"user\": \"$PG_USER\", \"password\": \"$PG_PASSWORD\""

# ---------------------------------------------------------------------------------------------
if begin types_every_mapped_type_with_nulls; then
pgrun <<'SQL'
CREATE TABLE types_all (
  id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, o oid, f4 float4, f8 float8,
  n4 numeric(4,1), n9 numeric(9,3), n10 numeric(10,2), n18 numeric(18,4), n30 numeric(30,5), nu numeric,
  t text, vc varchar(20), ch char(5), nm name,
  d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb, bt bytea,
  arr_i int[], arr_t text[], arr_n numeric[]);
INSERT INTO types_all VALUES
 (1, true, -32768, -2147483648, -9223372036854775808, 4294967295, 1.5, -2.25,
  -999.9, 123456.789, 12345678.91, -12345678901234.5678, 1234567890123456789012345.12345, 3.25,
  'héllo, "world"', 'varchar', 'ab', 'pgname',
  '2024-02-29', '13:45:30.123456', '2024-01-02 03:04:05.678901', '2024-01-02 03:04:05+02',
  '1 year 2 mons 3 days 04:05:06.7', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}',
  '{"b": {"c": null}}', '\x00ff10', '{1,NULL,3}', '{"x",NULL,"y z"}', '{1.5,NULL,-2}'),
 (2, false, 32767, 2147483647, 9223372036854775807, 0, -0.5, 1e100,
  0.5, -0.001, -0.01, 0.0001, -0.00001, -12345.5,
  '', '', 'abcde', 'n',
  'infinity', '00:00:00', '1970-01-01 00:00:00', '1999-12-31 23:59:59.999999+00',
  '-1 days -00:00:01', '00000000-0000-0000-0000-000000000000', '[]', '[]', '\x', '{}', '{}', '{}'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  '1901-05-06', '23:59:59.999999', '1850-01-01 12:00:00', '1900-06-30 23:59:59.5+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SQL
new_project types
pipeline t <<'EOF'
SOURCE s TYPE POSTGRES PARAMS {"table": "types_all", "host": "127.0.0.1", "port": ${port}, "dbname": "${db}", "user": "${user}", "password": "${pw}"};
LOAD t FROM s;
EXPORT SELECT * FROM t ORDER BY id TO 'out/t.csv' TYPE CSV OPTIONS {"header": true};
EXPORT SELECT typeof(id), typeof(b), typeof(i2), typeof(i4), typeof(i8), typeof(o), typeof(f4), typeof(f8),
  typeof(n4), typeof(n9), typeof(n10), typeof(n18), typeof(n30), typeof(nu), typeof(t), typeof(vc), typeof(ch),
  typeof(nm), typeof(d), typeof(tm), typeof(ts), typeof(tz), typeof(iv), typeof(u), typeof(j), typeof(jb),
  typeof(bt), typeof(arr_i), typeof(arr_t), typeof(arr_n)
  FROM t LIMIT 1 TO 'out/types.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok t --vars "{\"port\": $PG_PORT, \"db\": \"$PG_DB\", \"user\": \"$PG_USER\", \"pw\": \"$PG_PASSWORD\"}"
expect_msg "4 rows"
same "$P/out/types.csv" <<'EOF'
INTEGER,BOOLEAN,SMALLINT,INTEGER,BIGINT,UINTEGER,FLOAT,DOUBLE,"DECIMAL(4,1)","DECIMAL(9,3)","DECIMAL(10,2)","DECIMAL(18,4)","DECIMAL(30,5)",DOUBLE,VARCHAR,VARCHAR,VARCHAR,VARCHAR,DATE,TIME,TIMESTAMP,TIMESTAMP WITH TIME ZONE,INTERVAL,UUID,JSON,JSON,BLOB,INTEGER[],VARCHAR[],DOUBLE[]
EOF
same "$P/out/t.csv" <<'EOF'
id,b,i2,i4,i8,o,f4,f8,n4,n9,n10,n18,n30,nu,t,vc,ch,nm,d,tm,ts,tz,iv,u,j,jb,bt,arr_i,arr_t,arr_n
1,true,-32768,-2147483648,-9223372036854775808,4294967295,1.5,-2.25,-999.9,123456.789,12345678.91,-12345678901234.5678,1234567890123456789012345.12345,3.25,"héllo, ""world""",varchar,ab   ,pgname,2024-02-29,13:45:30.123456,2024-01-02 03:04:05.678901,2024-01-02 01:04:05+00,1 year 2 months 3 days 04:05:06.7,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,"{""a"": [1, 2]}","{""b"": {""c"": null}}",\x00\xFF\x10,"[1, NULL, 3]","[x, NULL, y z]","[1.5, NULL, -2.0]"
2,false,32767,2147483647,9223372036854775807,0,-0.5,1e+100,0.5,-0.001,-0.01,0.0001,-0.00001,-12345.5,"","",abcde,n,infinity,00:00:00,1970-01-01 00:00:00,1999-12-31 23:59:59.999999+00,-1 day -00:00:01,00000000-0000-0000-0000-000000000000,[],[],"",[],[],[]
3,,,,,,,,,,,,,,,,,,1901-05-06,23:59:59.999999,1850-01-01 12:00:00,1900-06-30 23:59:59.5+00,,,,,,,,
4,,,,,,,,,,,,,,,,,,,,,,,,,,,,,
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin types_unconstrained_numeric_fractions; then
# numeric without a precision reads as DOUBLE: values below 1 (negative base-10000 weight) and
# long fractions must come out as the nearest double, in scalars and in numeric[] elements.
pgrun <<'SQL'
CREATE TABLE num_free (id int, n numeric, a numeric[]);
INSERT INTO num_free VALUES (1, 0.5, '{0.25,NULL,-0.001}'), (2, 0.0001, '{}'), (3, -0.75, NULL),
  (4, 123456789.000123, '{10000.5}'), (5, 0.000012345, NULL), (6, NULL, NULL);
SQL
new_project numfree
pipeline n <<EOF
SOURCE s TYPE POSTGRES PARAMS {$CONN, "table": "num_free"};
LOAD n FROM s;
EXPORT SELECT id, n, a FROM n ORDER BY id TO 'out/n.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok n
same "$P/out/n.csv" <<'EOF'
1,0.5,"[0.25, NULL, -0.001]"
2,0.0001,[]
3,-0.75,
4,123456789.000123,[10000.5]
5,1.2345e-05,
6,,
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin types_infinite_dates_and_timestamps; then
# PostgreSQL's ±infinity (date, timestamp, timestamptz) must become DuckDB's ±infinity.
pgrun <<'SQL'
CREATE TABLE infinities (id int, d date, ts timestamp, tz timestamptz);
INSERT INTO infinities VALUES (1, 'infinity', 'infinity', 'infinity'),
  (2, '-infinity', '-infinity', '-infinity'), (3, NULL, NULL, NULL);
SQL
new_project infinities
pipeline i <<EOF
SOURCE s TYPE POSTGRES PARAMS {$CONN, "table": "infinities"};
LOAD i FROM s;
EXPORT SELECT id, d, ts, tz, isinf(d) AS di, d < DATE '0001-01-01' AS dneg, ts < TIMESTAMP '0001-01-01' AS tneg
  FROM i ORDER BY id TO 'out/i.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok i
same "$P/out/i.csv" <<'EOF'
1,infinity,infinity,infinity,true,false,false
2,-infinity,-infinity,-infinity,true,true,true
3,,,,,,
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin unsupported_type_named_and_query_cast_works; then
pgrun <<'SQL'
CREATE TABLE odd_types (id int, p point, r int4range);
INSERT INTO odd_types VALUES (1, '(1,2)', '[1,5)'), (2, NULL, NULL);
SQL
new_project unsupported
pipeline u <<EOF
SOURCE s TYPE POSTGRES PARAMS {$CONN, "table": "odd_types"};
LOAD u FROM s;
EOF
sf pipeline run u
expect_rc 1 "a table with point and int4range columns"
expect_msg '"p" (point)'
expect_msg '"r" (int4range)'
pipeline u2 <<EOF
SOURCE s TYPE POSTGRES PARAMS {$CONN, "query": "SELECT id, p::text AS p, r::text AS r FROM odd_types"};
LOAD u FROM s;
EXPORT SELECT * FROM u ORDER BY id TO 'out/u.csv' TYPE CSV OPTIONS {"header": true};
EOF
run_ok u2
same "$P/out/u.csv" <<'EOF'
id,p,r
1,"(1,2)","[1,5)"
2,,
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
# Two tables of one name: sales.orders and public.orders, with different rows.
pg_orders_created=0
make_orders() {
  [ "$pg_orders_created" -eq 1 ] && return 0
  pgrun <<'SQL'
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id int, region text, amount numeric(10,2));
INSERT INTO sales.orders VALUES (1, 'eu', 10.50), (2, 'us', 20.00), (3, 'eu', 5.25);
CREATE TABLE public.orders (id int, region text, amount numeric(10,2));
INSERT INTO public.orders VALUES (100, 'public', 1.00);
SQL
  pg_orders_created=1
}
# orders_pipeline NAME 'SOURCE ...;': loads the source into `o` and exports it to out/NAME.csv.
orders_pipeline() {
  pipeline "$1" <<EOF
$2
LOAD o FROM s;
EXPORT SELECT id, region, amount FROM o ORDER BY id TO 'out/$1.csv' TYPE CSV OPTIONS {"header": false};
EOF
}
SALES_ROWS=$'1,eu,10.50\n2,us,20.00\n3,eu,5.25'

if begin source_table_with_and_without_schema_and_query; then
make_orders
new_project tables
orders_pipeline schema_param "SOURCE s TYPE POSTGRES PARAMS {$CONN, \"schema\": \"sales\", \"table\": \"orders\"};"
orders_pipeline no_schema "SOURCE s TYPE POSTGRES PARAMS {$CONN, \"table\": \"orders\"};"
orders_pipeline qualified "SOURCE s TYPE POSTGRES PARAMS {$CONN, \"table\": \"sales.orders\"};"
orders_pipeline query "SOURCE s TYPE POSTGRES PARAMS {$CONN, \"query\": \"SELECT id, upper(region) AS region, amount * 2 AS amount FROM sales.orders WHERE region = 'eu'\"};"
for name in schema_param no_schema qualified query; do run_ok "$name"; done
same "$P/out/schema_param.csv" <<< "$SALES_ROWS"
same "$P/out/qualified.csv" <<< "$SALES_ROWS"
same "$P/out/no_schema.csv" <<< "100,public,1.00"
# amount * 2 is an unconstrained numeric: DOUBLE.
same "$P/out/query.csv" <<'EOF'
1,EU,21.0
3,EU,10.5
EOF
# Neither or both of table and query: validation errors.
orders_pipeline neither "SOURCE s TYPE POSTGRES PARAMS {$CONN};"
sf pipeline run neither
expect_rc 2 "a source with neither table nor query"
expect_msg 'needs "table" or "query"'
orders_pipeline both "SOURCE s TYPE POSTGRES PARAMS {$CONN, \"table\": \"orders\", \"query\": \"SELECT 1\"};"
sf pipeline run both
expect_rc 2 "a source with table and query"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin source_from_profile_connector_with_options; then
make_orders
new_project profile_source
orders_pipeline from_pg 'SOURCE s FROM "pg" OPTIONS {"schema": "sales", "table": "orders"};'
run_ok from_pg
same "$P/out/from_pg.csv" <<< "$SALES_ROWS"
# OPTIONS override the profile's params: pgnodb names an unknown database.
orders_pipeline override "SOURCE s FROM \"pgnodb\" OPTIONS {\"dbname\": \"$PG_DB\", \"table\": \"sales.orders\"};"
run_ok override
same "$P/out/override.csv" <<< "$SALES_ROWS"
orders_pipeline no_override 'SOURCE s FROM "pgnodb" OPTIONS {"table": "sales.orders"};'
sf pipeline run no_override
expect_rc 1 "the profile connector's unknown database"
expect_msg "unknown database"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin source_connection_uri; then
make_orders
new_project uri
orders_pipeline uri "SOURCE s TYPE POSTGRES PARAMS {\"connection\": \"$PG_URI\", \"table\": \"orders\", \"schema\": \"sales\"};"
run_ok uri
same "$P/out/uri.csv" <<< "$SALES_ROWS"
expect_no_msg "$PG_PASSWORD"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin source_pg_environment_variables_only; then
make_orders
new_project pgenv
orders_pipeline env_only 'SOURCE s TYPE POSTGRES PARAMS {"table": "sales.orders"};'
SF_ENV=(TZ=UTC "${PG_ENV[@]}")
run_ok env_only
SF_ENV=(TZ=UTC)
same "$P/out/env_only.csv" <<< "$SALES_ROWS"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin source_parameter_aliases; then
make_orders
new_project aliases
orders_pipeline aliases "SOURCE s TYPE POSTGRES PARAMS {\"host\": \"127.0.0.1\", \"port\": \"$PG_PORT\", \"database\": \"$PG_DB\", \"username\": \"$PG_USER\", \"password\": \"$PG_PASSWORD\", \"sslmode\": \"disable\", \"connect_timeout\": 5, \"table\": \"orders\", \"schema\": \"sales\"};"
run_ok aliases
same "$P/out/aliases.csv" <<< "$SALES_ROWS"
# An unknown key is still a validation error with a suggestion.
orders_pipeline typo "SOURCE s TYPE POSTGRES PARAMS {\"hots\": \"127.0.0.1\", \"table\": \"orders\"};"
sf pipeline run typo
expect_rc 2 "an unknown source parameter"
expect_msg "hots"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin large_read_in_batches; then
# 300,000 rows: many DuckDB chunks of 2,048 rows and many COPY messages.
pgrun <<'SQL'
CREATE TABLE big (id int8, amount numeric(12,2), label text, note text);
INSERT INTO big SELECT g, (g % 1000) + 0.25, 'row ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('x', g % 50) END
  FROM generate_series(1, 300000) g;
SQL
expected="$(pgq "SELECT count(*), sum(id), sum(amount), count(DISTINCT label), count(note), sum(length(note)) FROM big")"
[ "$expected" = "300000,45000150000,149925000.00,300000,200000,4900000" ] || fail "psql sums: $expected"
new_project big
pipeline b <<EOF
SOURCE s TYPE POSTGRES PARAMS {$CONN, "table": "big"};
LOAD b FROM s;
EXPORT SELECT count(*) AS n, sum(id) AS s, sum(amount) AS a, count(DISTINCT label) AS l, count(note) AS nn,
  sum(length(note)) AS ln FROM b TO 'out/sums.csv' TYPE CSV OPTIONS {"header": false};
EXPORT SELECT * FROM b WHERE id IN (1, 2047, 2048, 2049, 4096, 4097, 299999, 300000) ORDER BY id
  TO 'out/rows.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok b
expect_msg "300000 rows"
same "$P/out/sums.csv" <<< "$expected"
same "$P/out/rows.csv" <<< "$(pgq "SELECT * FROM big WHERE id IN (1, 2047, 2048, 2049, 4096, 4097, 299999, 300000) ORDER BY id")"
grep -q '^2048,48.25,row 2048,x\{48\}$' "$P/out/rows.csv" || fail "row 2048 is wrong"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin load_append_and_merge_from_postgres; then
pgrun <<'SQL'
CREATE TABLE customers (id int, name text, tier text);
INSERT INTO customers VALUES (1, 'Ann', 'gold'), (2, 'Bob', 'silver'), (3, 'Cy', NULL);
CREATE TABLE events (id int, kind text);
INSERT INTO events VALUES (1, 'open'), (2, 'click');
SQL
new_project loadmodes persistent
pipeline m <<EOF
SOURCE c TYPE POSTGRES PARAMS {$CONN, "table": "customers"};
SOURCE e FROM "pg" OPTIONS {"table": "events"};
LOAD customers FROM c MODE MERGE KEY (id);
LOAD events FROM e MODE APPEND;
EXPORT SELECT * FROM customers ORDER BY id TO 'out/customers.csv' TYPE CSV OPTIONS {"header": false};
EXPORT SELECT * FROM events ORDER BY id, kind TO 'out/events.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok m
same "$P/out/customers.csv" <<'EOF'
1,Ann,gold
2,Bob,silver
3,Cy,
EOF
same "$P/out/events.csv" <<'EOF'
1,open
2,click
EOF
pgrun <<'SQL'
UPDATE customers SET tier = 'gold' WHERE id = 2;
INSERT INTO customers VALUES (4, 'Dee', 'bronze');
DELETE FROM customers WHERE id = 1;
TRUNCATE events;
INSERT INTO events VALUES (3, 'close'), (1, 'open');
SQL
sf --json pipeline run m
expect_rc 0 "second run of m"
"$PYTHON" - "$OUT" <<'PY' || fail "inserted/updated counts of the second run are wrong"
import json, sys
steps = {s["id"]: s for s in json.load(open(sys.argv[1]))["steps"]}
c, e = steps["load_customers"], steps["load_events"]
assert (c["inserted"], c["updated"]) == (1, 2), c
assert e["inserted"] == 2, e
PY
# Merge keeps the row PostgreSQL deleted (1) and updates 2 and 3; APPEND adds both new rows.
same "$P/out/customers.csv" <<'EOF'
1,Ann,gold
2,Bob,gold
3,Cy,
4,Dee,bronze
EOF
same "$P/out/events.csv" <<'EOF'
1,open
1,open
2,click
3,close
EOF
# Duplicate keys in the PostgreSQL rows: the merge fails and DuckDB's table stays as it was.
pgrun <<< "INSERT INTO customers VALUES (4, 'Dee again', 'gold'); INSERT INTO events VALUES (9, 'never');"
sf pipeline run m
expect_rc 1 "a merge of rows with a repeated key"
expect_msg "repeat a merge key"
pipeline check <<'EOF'
EXPORT SELECT * FROM customers ORDER BY id TO 'out/customers_after.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok check
same "$P/out/customers_after.csv" < "$P/out/customers.csv"
ok
fi

# ---------------------------------------------------------------------------------------------
# pg_rows TABLE [ORDER]: the table's rows as CSV lines (psql), ordered by id.
pg_rows() { pgq "SELECT * FROM $1 ORDER BY ${2:-id}"; }
# export_counts INSERTED UPDATED: the export step of the last `sf --json pipeline run` reported
# these counts.
export_counts() {
  "$PYTHON" - "$OUT" "$1" "$2" <<'PY' || fail "the export's inserted/updated counts are not $1 and $2"
import json, sys
e = next(s for s in json.load(open(sys.argv[1]))["steps"] if s["kind"] == "export")
assert (e["inserted"], e["updated"]) == (int(sys.argv[2]), int(sys.argv[3])), e
PY
}
# pg_columns TABLE: name:type per column.
pg_columns() {
  pgq "SELECT string_agg(column_name || ':' || data_type, ' ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$1'"
}

if begin export_replace_creates_then_replaces; then
new_project export_replace
pipeline r <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (1, 'a', 1.5::DECIMAL(6,2), DATE '2024-01-01', true), (2, NULL, NULL, NULL, NULL)) v(id, name, price, day, flag)
  WHERE id <= ${n};
EXPORT src TO 'public.ex_replace' TYPE POSTGRES OPTIONS {"connection": "pg"};
EOF
[ -z "$(pgq "SELECT to_regclass('public.ex_replace')")" ] || fail "ex_replace exists before the test"
run_ok r --vars '{"n": 2}'
same_text "$(pg_columns ex_replace)" "columns of the created table" <<< "id:integer name:text price:numeric day:date flag:boolean"
same_text "$(pgq "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.ex_replace'::regclass AND attname = 'price'")" "price type" <<< "numeric(6,2)"
same_text "$(pg_rows ex_replace)" "rows after the first run" <<'EOF'
1,a,1.50,2024-01-01,t
2,,,,
EOF
# Rerun with one row: the table holds exactly the new rows (explicit mode and its alias).
pipeline r2 <<'EOF'
CREATE TABLE src AS SELECT 7 AS id, 'z' AS name, 9.99::DECIMAL(6,2) AS price, DATE '2025-05-05' AS day, false AS flag;
EXPORT src TO 'public.ex_replace' TYPE POSTGRES OPTIONS {"connection": "pg", "write_mode": "overwrite"};
EOF
run_ok r2
same_text "$(pg_rows ex_replace)" "rows after the rerun" <<< "7,z,9.99,2025-05-05,f"
pipeline r3 <<EOF
CREATE TABLE src AS SELECT 8 AS id, 'y' AS name, 1.00::DECIMAL(6,2) AS price, DATE '2025-05-06' AS day, true AS flag;
EXPORT SELECT * FROM src TO 'ex_replace' TYPE POSTGRES OPTIONS {"connection": "$PG_URI", "mode": "replace"};
EOF
run_ok r3
same_text "$(pg_rows ex_replace)" "rows after a replace through a connection URI" <<< "8,y,1.00,2025-05-06,t"
ok
fi

# ---------------------------------------------------------------------------------------------
# A replace export runs DuckDB's query before it opens its PostgreSQL transaction: while the query
# computes, sqlflow holds no lock on the target and its readers do not wait. The query reads a
# named pipe (data/gate.csv), so the test knows when DuckDB is inside it: opening the pipe for
# writing returns only once DuckDB opened it for reading, and DuckDB waits there until the rows are
# written. At that moment a second session counts sqlflow's locks on the target and reads it
# (lock_timeout: a reader that would wait fails instead); then the rows are given.
if begin export_replace_computes_before_locking_the_target; then
pgrun <<'SQL'
CREATE TABLE ex_gate (id int, name text);
INSERT INTO ex_gate VALUES (1, 'old');
SQL
new_project replace_gate
mkfifo "$P/data/gate.csv"
pipeline r <<'EOF'
EXPORT SELECT * FROM read_csv('data/gate.csv', columns = {'id': 'INTEGER', 'name': 'VARCHAR'}, header = false, auto_detect = false)
  TO 'public.ex_gate' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "replace"};
EOF
GATE_LOG="$ROOT/gate.log"
(
  exec 3> "$P/data/gate.csv" || exit 1  # returns once DuckDB opened the pipe for reading
  locks="$(pg -A -t -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity a ON a.pid = l.pid WHERE c.relname = 'ex_gate' AND a.application_name = 'sqlflow'" 2>&1 || true)"
  readers="$(pg -A -t -c "SET lock_timeout = '5s'" -c "SELECT count(*) FROM ex_gate" 2>&1 | tr '\n' ' ' || true)"
  echo "locks=$locks read=$readers" > "$GATE_LOG"
  printf '2,new\n3,newer\n' >&3
) &
GATE_PID=$!
sf pipeline run r
kill "$GATE_PID" 2>/dev/null || true  # still waiting only when DuckDB never opened the pipe
wait "$GATE_PID" 2>/dev/null || true
expect_rc 0 "a replace export reading the pipe"
[ -s "$GATE_LOG" ] || fail "DuckDB never opened the pipe"
[ "$(cat "$GATE_LOG")" = "locks=0 read=1 " ] ||
  fail "while DuckDB computed the export, sqlflow locked the target or its reader failed: $(cat "$GATE_LOG")"
same_text "$(pg_rows ex_gate)" "rows after the replace" <<'EOF'
2,new
3,newer
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin export_append; then
new_project export_append
pipeline a <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name);
EXPORT src TO 'public.ex_append' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "append"};
EOF
run_ok a
run_ok a
same_text "$(pg_rows ex_append "id, name")" "rows after two appends" <<'EOF'
1,a
1,a
2,b
2,b
EOF
pipeline a2 <<'EOF'
CREATE TABLE src AS SELECT 3 AS id, 'c' AS name;
EXPORT src TO 'public.ex_append' TYPE POSTGRES OPTIONS {"connection": "pg", "write_mode": "append"};
EOF
run_ok a2
same_text "$(pgq "SELECT count(*), sum(id) FROM ex_append")" "count after write_mode append" <<< "5,9"
ok
fi

# ---------------------------------------------------------------------------------------------
# Transience is PostgreSQL's SQLSTATE: a unique violation (23505) fails the same way every time, so
# --retries does not repeat it (a stopped server is retried: server_restart_with_retries_recovers).
if begin unique_violation_is_not_retried; then
pgrun <<'SQL'
CREATE TABLE ex_unique (id int PRIMARY KEY, name text);
INSERT INTO ex_unique VALUES (1, 'one');
SQL
new_project export_unique
pipeline u <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (1, 'again'), (2, 'two')) v(id, name);
EXPORT src TO 'public.ex_unique' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "append"};
EOF
sf pipeline run u --retries 2 --retry-delay 0.1
expect_rc 1 "an append that violates the primary key"
expect_msg "duplicate key value violates unique constraint"
expect_msg "SF-CONN-001"
expect_no_msg "retrying"
expect_no_msg "retries)"
same_text "$(pg_rows ex_unique)" "the table after the failed append" <<< "1,one"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin export_merge_upsert_counts; then
pgrun <<'SQL'
CREATE TABLE ex_merge (id int, name text, score int);
INSERT INTO ex_merge VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30);
SQL
new_project export_merge
pipeline m <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (2, 'TWO', 200), (3, 'three', NULL), (4, 'four', 40), (5, NULL, 50)) v(id, name, score);
EXPORT src TO 'public.ex_merge' TYPE POSTGRES OPTIONS {"connection": "pg", "write_mode": "upsert", "upsert_keys": ["id"]};
EOF
sf --json pipeline run m
expect_rc 0 "merge into ex_merge"
"$PYTHON" - "$OUT" <<'PY' || fail "the export's inserted/updated counts are not 2 and 2"
import json, sys
steps = {s["id"]: s for s in json.load(open(sys.argv[1]))["steps"]}
e = steps["export_postgres_src"]
assert (e["inserted"], e["updated"], e["rows"]) == (2, 2, 4), e
PY
same_text "$(pg_rows ex_merge)" "rows after the merge" <<'EOF'
1,one,10
2,TWO,200
3,three,
4,four,40
5,,50
EOF
# Rerun: everything matches, nothing new.
sf --json pipeline run m
expect_rc 0 "merge rerun"
export_counts 0 4
same_text "$(pgq "SELECT count(*) FROM ex_merge")" "rows after the rerun" <<< "5"
# A composite key, mode "merge" with "keys", into a table the export creates.
pipeline m2 <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES ('a', 1, 1.5), ('a', 2, 2.5), ('b', 1, 3.5)) v(k1, k2, v);
EXPORT src TO 'public.ex_merge2' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "merge", "keys": ["k1", "k2"]};
EOF
run_ok m2
pgrun <<< "UPDATE ex_merge2 SET v = 0 WHERE k1 = 'a'; DELETE FROM ex_merge2 WHERE k1 = 'b';"
run_ok m2
same_text "$(pg_rows ex_merge2 "k1, k2")" "composite-key merge" <<'EOF'
a,1,1.5
a,2,2.5
b,1,3.5
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
# Merge keys name columns as in DuckDB: case-insensitively (engine::FindColumn, as a DuckDB MERGE).
if begin export_merge_keys_match_columns_ignoring_case; then
pgrun <<'SQL'
CREATE TABLE ex_merge_case (id int, name text);
INSERT INTO ex_merge_case VALUES (1, 'one'), (2, 'two');
SQL
new_project merge_case
pipeline m <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (2, 'TWO'), (3, 'three')) v(id, name);
EXPORT src TO 'public.ex_merge_case' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "merge", "keys": ["ID"]};
EOF
sf --json pipeline run m
expect_rc 0 "a merge with the key in another case"
export_counts 1 1
same_text "$(pg_rows ex_merge_case)" "rows after the merge on ID" <<'EOF'
1,one
2,TWO
3,three
EOF
# Mixed-case columns in a table the export creates, keyed in lower case, merged twice.
pipeline m2 <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v("UserId", "Name");
EXPORT src TO 'public.ex_merge_case2' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "merge", "keys": ["userid"]};
EOF
run_ok m2
pgrun <<< "UPDATE ex_merge_case2 SET \"Name\" = 'changed'"
run_ok m2
same_text "$(pg_rows ex_merge_case2 '"UserId"')" "rows after merging twice on userid" <<'EOF'
1,a
2,b
EOF
# A key that is no column of the rows, in any case, fails before PostgreSQL is touched.
pipeline m3 <<'EOF'
CREATE TABLE src AS SELECT 1 AS id, 'x' AS name;
EXPORT src TO 'public.ex_merge_case' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "merge", "keys": ["code"]};
EOF
sf pipeline run m3
expect_rc 1 "a merge on a key that is not a column"
expect_msg 'merge key "code" is not a column of the new rows'
same_text "$(pg_rows ex_merge_case)" "rows after the failed merge" <<'EOF'
1,one
2,TWO
3,three
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin export_merge_without_keys_is_a_validation_error; then
new_project merge_nokeys
pipeline m <<'EOF'
CREATE TABLE src AS SELECT 1 AS id;
EXPORT src TO 'public.ex_nokeys' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "merge"};
EOF
sf pipeline run m
expect_rc 2 "merge without keys"
expect_msg '"keys"'
pipeline m2 <<'EOF'
CREATE TABLE src AS SELECT 1 AS id;
EXPORT src TO 'public.ex_nokeys' TYPE POSTGRES OPTIONS {"connection": "pg", "write_mode": "upsert", "upsert_keys": []};
EOF
sf pipeline validate m2
expect_rc 2 "upsert with an empty key list"
[ -z "$(pgq "SELECT to_regclass('public.ex_nokeys')")" ] || fail "a rejected pipeline created ex_nokeys"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin export_merge_duplicate_keys_fails_and_leaves_table; then
pgrun <<'SQL'
CREATE TABLE ex_dups (id int, name text);
INSERT INTO ex_dups VALUES (1, 'one'), (2, 'two');
SQL
new_project merge_dups
pipeline m <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (2, 'new two'), (3, 'three'), (3, 'three again')) v(id, name);
EXPORT src TO 'public.ex_dups' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "merge", "keys": ["id"]};
EOF
sf pipeline run m
expect_rc 1 "merge of new rows with a repeated key"
expect_msg "repeated"
same_text "$(pg_rows ex_dups)" "ex_dups after the failed merge" <<'EOF'
1,one
2,two
EOF
# A NULL key fails the same way.
pipeline m2 <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (2, 'new two'), (NULL, 'nobody')) v(id, name);
EXPORT src TO 'public.ex_dups' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "merge", "keys": ["id"]};
EOF
sf pipeline run m2
expect_rc 1 "merge of a NULL key"
expect_msg "NULL key"
same_text "$(pg_rows ex_dups)" "ex_dups after the NULL-key merge" <<'EOF'
1,one
2,two
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin export_lists_as_jsonb; then
new_project lists
pipeline l <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (1, [1, 2, 3], ['a', NULL, 'c"q']), (2, [], NULL), (3, [NULL::INT], ['x'])) v(id, ints, words);
EXPORT src TO 'public.ex_lists' TYPE POSTGRES OPTIONS {"connection": "pg"};
EOF
run_ok l
same_text "$(pg_columns ex_lists)" "columns of ex_lists" <<< "id:integer ints:jsonb words:jsonb"
same_text "$(pgq "SELECT id, ints::text, words::text, jsonb_typeof(ints), jsonb_array_length(ints), words->>2 FROM ex_lists ORDER BY id")" "lists as jsonb" <<'EOF'
1,[1, 2, 3],["a", null, "c\"q"],array,3,c"q
2,[],,array,0,
3,[null],["x"],array,1,
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin export_failure_leaves_target_unchanged; then
pgrun <<'SQL'
CREATE TABLE ex_ints (id int, v int);
INSERT INTO ex_ints VALUES (1, 10), (2, 20);
SQL
new_project export_fail
for mode in append replace; do
  pipeline "f_$mode" <<EOF
CREATE TABLE src AS SELECT * FROM (VALUES (3, '30'), (4, 'not a number')) v(id, v);
EXPORT src TO 'public.ex_ints' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "$mode"};
EOF
  sf pipeline run "f_$mode"
  expect_rc 1 "a text value into an integer column ($mode)"
  expect_msg "invalid input syntax for type integer"
  same_text "$(pg_rows ex_ints)" "ex_ints after the failed $mode" <<'EOF'
1,10
2,20
EOF
done
pipeline f_merge <<'EOF'
CREATE TABLE src AS SELECT * FROM (VALUES (1, '11'), (4, 'not a number')) v(id, v);
EXPORT src TO 'public.ex_ints' TYPE POSTGRES OPTIONS {"connection": "pg", "mode": "merge", "keys": ["id"]};
EOF
sf pipeline run f_merge
expect_rc 1 "a text value into an integer column (merge)"
same_text "$(pg_rows ex_ints)" "ex_ints after the failed merge" <<'EOF'
1,10
2,20
EOF
# No session of the failed exports is left holding a transaction or a lock.
same_text "$(pgq "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sqlflow'")" "sqlflow sessions left" <<< "0"
ok
fi

# ---------------------------------------------------------------------------------------------
# no_secret TEXT: neither the outputs of the last call nor the project's files show TEXT.
no_secret() {
  expect_no_msg "$1"
  if grep -rlaF -- "$1" "$P/.sqlflow" "$P/target" 2>/dev/null | grep -q .; then
    fail "the state or target files hold the password: $(grep -rlaF -- "$1" "$P/.sqlflow" "$P/target" | head -3)"
  fi
}

if begin wrong_password_fails_run_without_showing_it; then
new_project wrongpw
pipeline w <<EOF
SOURCE s TYPE POSTGRES PARAMS {"host": "127.0.0.1", "port": $PG_PORT, "dbname": "$PG_DB", "user": "$PG_USER", "password": "$BAD_PASSWORD", "table": "pg_class"};
LOAD w FROM s;
EOF
sf -v pipeline run w
expect_rc 1 "a run with a wrong password"
expect_msg "authentication failed"
no_secret "$BAD_PASSWORD"
sf --json status
no_secret "$BAD_PASSWORD"
# A profile connector with a wrong password, in an export.
pipeline w2 <<'EOF'
CREATE TABLE src AS SELECT 1 AS id;
EXPORT src TO 'public.ex_never' TYPE POSTGRES OPTIONS {"connection": "badpw"};
EOF
sf pipeline run w2
expect_rc 1 "an export with a wrong password"
expect_msg "authentication failed"
no_secret "$BAD_PASSWORD"
sf pipeline compile w2
expect_rc 0 "compile w2"
no_secret "$BAD_PASSWORD"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin connect_test_ok_and_failures; then
new_project connect
sf connect test pg
expect_rc 0 "connect test pg"
expect_msg "ok: pg"
expect_msg "connected to PostgreSQL"
sf connect test badpw
expect_rc 2 "connect test badpw"
expect_msg "authentication failed"
no_secret "$BAD_PASSWORD"
no_secret "$PG_PASSWORD"
sf connect test badport
expect_rc 2 "connect test badport"
expect_msg "connection refused"
sf connect test baddb
expect_rc 2 "connect test baddb"
expect_msg "unknown database"
sf --json connect test badpw
expect_rc 2 "connect test --json badpw"
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is False and "authentication failed" in d["error"], d' "$OUT" \
  || fail "connect test --json badpw"
no_secret "$BAD_PASSWORD"
sf connect test nosuch
expect_rc 2 "connect test of an unknown connector"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin connect_list_masks_passwords; then
new_project connect_list
sf connect list
expect_rc 0 "connect list"
expect_msg '"password":"***"'
for name in pg pgnodb badpw badport baddb; do grep -q "^$name " "$OUT" || fail "connect list lacks $name"; done
no_secret "$PG_PASSWORD"
no_secret "$BAD_PASSWORD"
sf --json connect list
expect_rc 0 "connect list --json"
"$PYTHON" -c '
import json, sys
d = {c["name"]: c for c in json.load(open(sys.argv[1]))}
assert set(d) == {"pg", "pgnodb", "badpw", "badport", "baddb"}, d
assert all(c["params"]["password"] == "***" and c["type"] == "POSTGRES" for c in d.values()), d
assert d["pg"]["params"]["user"] == sys.argv[2], d
' "$OUT" "$PG_USER" || fail "connect list --json"
no_secret "$PG_PASSWORD"
ok
fi

# ---------------------------------------------------------------------------------------------
# The restart tests: a persistent project whose table `rs` first holds 5 rows (seed), then a run
# reads 300,000 rows: 200,000 stream at once, then the query sleeps before the last 100,000.
RS_SEED="5,15"
RS_FULL="300000,45000150000"
restart_project() {
  new_project "$1" persistent
  pipeline seed <<EOF
SOURCE s TYPE POSTGRES PARAMS {$CONN, "query": "SELECT g::int8 AS id FROM generate_series(1, 5) g"};
LOAD rs FROM s;
EOF
  pipeline slow <<EOF
SOURCE s TYPE POSTGRES PARAMS {$CONN, "query": "SELECT g::int8 AS id FROM generate_series(1, 200000) g UNION ALL SELECT g::int8 FROM generate_series(200001, 300000) g WHERE (SELECT pg_sleep($2)::text) IS NOT NULL"};
LOAD rs FROM s;
EOF
  pipeline check <<'EOF'
EXPORT SELECT count(*) AS n, sum(id) AS s FROM rs TO 'out/check.csv' TYPE CSV OPTIONS {"header": false};
EOF
  run_ok seed
  run_ok check
  same "$P/out/check.csv" <<< "$RS_SEED"
}
# start_slow ARGS...: runs `pipeline run slow ARGS` in the background (BG_OUT, BG_ERR).
start_slow() {
  BG_OUT="$ROOT/.bg.out.$TEST"
  BG_ERR="$ROOT/.bg.err.$TEST"
  (cd "$P" && exec env TZ=UTC timeout 60 "$SQLFLOW" pipeline run slow "$@") > "$BG_OUT" 2> "$BG_ERR" &
  BACKGROUND_PID=$!
}
# wait_sleeping: waits (10 s at most) until sqlflow's query sleeps in pg_sleep.
wait_sleeping() {
  for _ in $(seq 1 100); do
    [ "$(pgq "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sqlflow' AND wait_event = 'PgSleep'")" = 1 ] && return 0
    kill -0 "$BACKGROUND_PID" 2>/dev/null || { OUT="$BG_OUT"; ERR="$BG_ERR"; fail "the slow run ended before its query slept"; }
    sleep 0.1
  done
  OUT="$BG_OUT"; ERR="$BG_ERR"; fail "sqlflow's query never reached pg_sleep"
}
wait_slow() {
  RC=0
  wait "$BACKGROUND_PID" || RC=$?
  BACKGROUND_PID=""
  OUT="$BG_OUT"; ERR="$BG_ERR"
}
# check_complete_or_unchanged: after a run ended with RC, the target has all rows (RC 0) or is
# exactly as before (RC 1); never a part of the new rows.
check_complete_or_unchanged() {
  local rc="$RC" out="$OUT" err="$ERR"
  [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "the run during a restart exited $rc, not 0 or 1"
  run_ok check
  if [ "$rc" -eq 0 ]; then
    same "$P/out/check.csv" <<< "$RS_FULL"
  else
    same "$P/out/check.csv" <<< "$RS_SEED"
  fi
  OUT="$out"; ERR="$err"; RC="$rc"
}

if begin server_restart_during_run_fails_cleanly; then
restart_project restart_plain 2
start_slow
wait_sleeping
pg_stop
pg_start
wait_slow
check_complete_or_unchanged
# Without retries the cut connection is a failure that names the cause.
expect_rc 1 "a run whose connection the restart cut"
grep -q "FAILED" "$OUT" || fail "the failed load does not print as FAILED"
expect_msg "PostgreSQL"
ok
fi

if begin ctrl_c_while_the_source_query_computes_stops_the_read; then
restart_project interrupt_read 30
start_slow
wait_sleeping
SECONDS=0
pkill -INT -P "$BACKGROUND_PID"  # the sqlflow that this run's timeout started, nothing else
wait_slow
expect_rc 130 "Ctrl-C during a PostgreSQL read"
[ "$SECONDS" -le 3 ] || fail "the read went on for ${SECONDS}s after Ctrl-C (the query sleeps 30 s)"
expect_msg "INTERRUPTED"
run_ok check
same "$P/out/check.csv" <<< "$RS_SEED"
# The server stopped the query as well.
sleep 0.5
[ "$(pgq "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sqlflow' AND wait_event = 'PgSleep'")" = 0 ] ||
  fail "the interrupted query still runs on the server"
ok
fi

# ---------------------------------------------------------------------------------------------
# step_retries STEP: the step's retries so far in the latest run (state store), or -1.
step_retries() {
  (cd "$P" && timeout 20 "$SQLFLOW" --json status 2>/dev/null) | "$PYTHON" -c '
import json, sys
try:
    d = json.load(sys.stdin)
    print(next((s["retries"] for s in d["steps"] if s["step_id"] == sys.argv[1]), -1))
except Exception:
    print(-1)
' "$1"
}

if begin server_restart_with_retries_recovers; then
restart_project restart_retry 1
start_slow --retries 5 --retry-delay 0.5
wait_sleeping
# Down: the running COPY is cut (attempt 1); the first retry, 0.5 s later, finds the port closed
# (attempt 2, connection refused). Up again once that second failure is recorded: a later retry
# (1, 2, 4 or 8 s later: a loaded machine may take more than a second to start the server) finds
# it and reads everything.
pg_stop
for _ in $(seq 1 100); do
  [ "$(step_retries load_rs)" -ge 2 ] && break
  kill -0 "$BACKGROUND_PID" 2>/dev/null || break
  sleep 0.05
done
pg_start
wait_slow
check_complete_or_unchanged
expect_rc 0 "a run retried across the restart"
same "$P/out/check.csv" <<< "$RS_FULL"
expect_msg "retry"
grep "retry" "$OUT" | grep -qi "connection refused" || fail "no retry after a refused connection"
run_id="$(sed -n 's/.*, run \([^ ]*\)$/\1/p' "$OUT" | head -1)"
[ -n "$run_id" ] || fail "no run id in the output of the retried run"
sf --json status "$run_id"
expect_rc 0 "status $run_id"
"$PYTHON" -c '
import json, sys
s = {s["step_id"]: s for s in json.load(open(sys.argv[1]))["steps"]}["load_rs"]
assert s["status"] == "SUCCEEDED" and 2 <= s["retries"] <= 5 and s["rows_written"] == 300000, s
' "$OUT" || fail "status of load_rs after the retried run"
ok
fi

if begin incremental_across_three_runs_and_failed_load_keeps_watermark; then
pgrun <<'SQL'
DROP TABLE IF EXISTS ticks;
CREATE TABLE ticks (id int, at timestamp, note text);
INSERT INTO ticks SELECT g, TIMESTAMP '2024-01-01' + g * interval '1 hour', 'n' || g FROM generate_series(1, 5) g;
SQL
new_project incremental persistent
pipeline inc <<'EOF'
SOURCE t FROM "pg" OPTIONS {"table": "ticks", "sync_mode": "incremental", "cursor_field": "at"};
LOAD ticks FROM t MODE APPEND;
EXPORT SELECT count(*), max(id) FROM ticks TO 'out/n.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok inc
same "$P/out/n.csv" <<< "5,5"
pgrun <<'SQL'
INSERT INTO ticks SELECT g, TIMESTAMP '2024-01-01' + g * interval '1 hour', 'n' || g FROM generate_series(6, 8) g;
SQL
run_ok inc
same "$P/out/n.csv" <<< "8,8"
expect_msg "3 rows"
run_ok inc
same "$P/out/n.csv" <<< "8,8"
expect_msg "0 rows"
# A load that fails does not move the watermark: the rows are read again next time.
pgrun <<'SQL'
INSERT INTO ticks VALUES (9, TIMESTAMP '2024-01-01 09:00', 'n9');
SQL
pipeline broken <<'EOF'
SOURCE t FROM "pg" OPTIONS {"table": "ticks", "sync_mode": "incremental", "cursor_field": "at"};
CREATE TABLE ticks_strict (id INTEGER, "at" TIMESTAMP, note INTEGER);
LOAD ticks_strict FROM t MODE APPEND OPTIONS {"schema": "strict"};
EOF
sf pipeline run broken
expect_rc 1 "a load whose schema check fails"
[ "$(sqlite3 "$P/.sqlflow/state.db" "SELECT count(*) FROM watermarks WHERE pipeline = 'broken'")" = "0" ] ||
  fail "a failed load stored a watermark"
run_ok inc
same "$P/out/n.csv" <<< "9,9"
[ "$(sqlite3 "$P/.sqlflow/state.db" "SELECT value FROM watermarks WHERE pipeline = 'inc' AND source = 't'")" = "2024-01-01 09:00:00" ] ||
  fail "watermark after the fourth run"
# Validation: incremental without a cursor.
pipeline nocursor <<'EOF'
SOURCE t FROM "pg" OPTIONS {"table": "ticks", "sync_mode": "incremental"};
LOAD x FROM t;
EOF
sf pipeline run nocursor
expect_rc 2 "incremental without cursor_field"
expect_msg 'incremental sync needs a "cursor_field"'
ok
fi

# Two LOADs of one incremental source in one run read the same rows (the watermark is read once
# per run), and the source's name is one whatever its case: no rows lost, none doubled.
if begin incremental_source_loaded_twice_and_named_in_another_case; then
pgrun <<'SQL'
DROP TABLE IF EXISTS ticks2;
CREATE TABLE ticks2 (id int, at timestamp);
INSERT INTO ticks2 SELECT g, TIMESTAMP '2024-01-01' + g * interval '1 hour' FROM generate_series(1, 5) g;
SQL
new_project incremental_twice persistent
pipeline twice <<'EOF'
SOURCE Src FROM "pg" OPTIONS {"table": "ticks2", "sync_mode": "incremental", "cursor_field": "at"};
LOAD a FROM src MODE APPEND;
LOAD b FROM SRC MODE APPEND;
EXPORT SELECT (SELECT count(*) FROM a) || '/' || (SELECT count(DISTINCT id) FROM a) || ' ' ||
              (SELECT count(*) FROM b) || '/' || (SELECT count(DISTINCT id) FROM b) AS n
  TO 'out/n.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok twice
same "$P/out/n.csv" <<< "5/5 5/5"
pgrun <<'SQL'
INSERT INTO ticks2 SELECT g, TIMESTAMP '2024-01-01' + g * interval '1 hour' FROM generate_series(6, 8) g;
SQL
run_ok twice
same "$P/out/n.csv" <<< "8/8 8/8"
run_ok twice
same "$P/out/n.csv" <<< "8/8 8/8"
ok
fi

# A REPLACE load into a three-part name (an attached database) stages in that catalog and replaces
# the table there, not a table of the same name in the default catalog.
if begin replace_into_an_attached_catalog; then
pgrun <<'SQL'
DROP TABLE IF EXISTS three;
CREATE TABLE three AS SELECT g AS id FROM generate_series(1, 4) g;
SQL
new_project three_part persistent
pipeline three <<'EOF'
ATTACH 'data/other.duckdb' AS o;
SOURCE s FROM "pg" OPTIONS {"table": "three"};
LOAD o.main.t FROM s;
LOAD o.main.t FROM s;
EXPORT SELECT (SELECT count(*) FROM o.main.t) || ' ' ||
              (SELECT count(*) FROM duckdb_tables() WHERE database_name = 'main' AND table_name = 't') || ' ' ||
              (SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__sqlflow%') AS n
  TO 'out/n.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok three
same "$P/out/n.csv" <<< "4 0 0"
ok
fi

# ---------------------------------------------------------------------------------------------
# Schema drift: the table is altered between runs; the schema comes from PostgreSQL's catalog
# (types as the reader maps them, NOT NULL from pg_attribute) before any row is read.
if begin schema_drift_from_the_catalog; then
pgrun <<'SQL'
DROP TABLE IF EXISTS drift;
CREATE TABLE drift (id int NOT NULL, name text, amount numeric(10,2));
INSERT INTO drift VALUES (1, 'a', 1.50), (2, 'b', 2.50);
SQL
new_project drift persistent
pipeline d <<'EOF'
SOURCE src FROM "pg" OPTIONS {"table": "drift", "on_schema_change": "evolve"};
LOAD drift FROM src MODE APPEND;
EOF
pipeline count <<'EOF'
EXPORT SELECT count(*), count(channel) FROM drift TO 'out/n.csv' TYPE CSV OPTIONS {"header": false};
EOF
run_ok d
sf --json schema show src --pipeline d
expect_rc 0 "schema show"
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
cols = [(c["name"], c["type"], c["nullable"]) for c in d["columns"]]
assert cols == [("id", "INTEGER", False), ("name", "VARCHAR", True), ("amount", "DECIMAL(10,2)", True)], cols
' "$OUT" || fail "schema of the PostgreSQL table"
# Compatible: a new column and a wider id. evolve accepts it and APPEND adds the column.
pgrun <<'SQL'
ALTER TABLE drift ADD COLUMN channel text;
ALTER TABLE drift ALTER COLUMN id TYPE bigint;
INSERT INTO drift VALUES (3, 'c', 3.50, 'web');
SQL
sf schema compare src --pipeline d
expect_rc 0 "compare of a compatible change"
expect_msg 'column "id" widened INTEGER -> BIGINT'
pgrun <<'SQL'
ALTER TABLE drift ALTER COLUMN id TYPE int;
SQL
run_ok d
expect_msg "(compatible, on_schema_change: evolve; now the accepted schema)"
expect_msg 'column "channel" (VARCHAR) added at position 4'
sf pipeline run count
same "$P/out/n.csv" <<< "5,1"
# Breaking: a dropped column and a narrowed type (and a column becoming NOT NULL, compatible).
# The LOAD fails before reading a row; the table is untouched.
pgrun <<'SQL'
UPDATE drift SET channel = 'shop' WHERE channel IS NULL;
ALTER TABLE drift DROP COLUMN name;
ALTER TABLE drift ALTER COLUMN amount TYPE int USING amount::int;
ALTER TABLE drift ALTER COLUMN channel SET NOT NULL;
SQL
sf --json pipeline run d
expect_rc 1 "a breaking ALTER TABLE"
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
load = next(s for s in d["steps"] if s["id"] == "load_drift")
assert load["code"] == "SF-RUN-009", load
assert load["rows_read"] == 0, load
for text in ["column \"name\" (VARCHAR) removed", "column \"amount\" changed type DECIMAL(10,2) -> INTEGER",
             "column \"channel\" changed NULL -> NOT NULL"]:
    assert text in load["error"], (text, load["error"])
' "$OUT" || fail "the breaking change's report"
sf pipeline run count
same "$P/out/n.csv" <<< "5,1"
# The amount type is restored; the dropped column is accepted; the APPEND then fills it with NULL.
pgrun <<'SQL'
ALTER TABLE drift ALTER COLUMN amount TYPE numeric(10,2);
SQL
sf schema accept src --pipeline d
expect_rc 0 "schema accept"
expect_msg "Accepted the current schema of source src (pipeline d)"
expect_msg 'column "name" (VARCHAR) removed'
run_ok d
expect_no_msg "SF-SCHEMA"
sf pipeline run count
same "$P/out/n.csv" <<< "8,4"
sf --json schema history src --pipeline d
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["origin"] for s in d] == ["accept", "run", "run", "run"], [s["origin"] for s in d]
assert [s["verdict"] for s in d] == ["breaking", "breaking", "compatible", "baseline"], [s["verdict"] for s in d]
assert [s["accepted"] for s in d] == [True, False, False, False], [s["accepted"] for s in d]
assert [c["nullable"] for c in d[0]["columns"]] == [False, True, False], d[0]["columns"]
' "$OUT" || fail "history after accept"
ok
fi

echo "$PASSED passed, 0 failed"
