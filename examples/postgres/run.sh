#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server, seeds it, runs the pipelines against it and checks what
# they wrote with psql. Needs Debian's postgresql package (scripts/setup installs it).
#   SQLFLOW=/path/to/sqlflow examples/postgres/run.sh
# scripts/run_examples runs a copy of this folder elsewhere and sets SQLFLOW_ROOT to the
# repository, where the server fixture lives; run in place, the repository is two folders up.
set -euo pipefail
cd "$(dirname "$0")"
sqlflow="${SQLFLOW:-sqlflow}"
root="${SQLFLOW_ROOT:-$(pwd)/../..}"
fixture="$root/tests/fixtures/postgres.sh"
[ -x "$fixture" ] || { echo "postgres: $fixture not found; set SQLFLOW_ROOT to the repository" >&2; exit 1; }

fail() { echo "postgres: $*" >&2; exit 1; }
has() { grep -qE -- "$2" "$1" || { cat "$1" >&2; fail "$1 should match: $2"; }; }
# One value from PostgreSQL: the query's single row, fields separated by |.
value() { psql -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }
expect() { local got; got="$(value "$1")"; [ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"; }

server="$(mktemp -d)"
chmod 755 "$server"  # as root the server runs as the postgres user, which must reach this folder
# The fixture runs from the server's folder: as root the server tools run as the postgres user,
# which may not be able to enter the current one (scripts/run_examples works in a private folder).
trap '(cd "$server" && "$fixture" stop "$server"); rm -rf "$server"' EXIT
(cd "$server" && "$fixture" start "$server" >/dev/null)
# shellcheck disable=SC1091
. "$server/env"  # PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE, for psql, the profile and libpq

rm -rf output target .sqlflow
mkdir -p output
psql -X -q -v ON_ERROR_STOP=1 -f seed.sql

# The profile connector: listed with its password masked, and reachable.
"$sqlflow" connect list > output/connect_list.txt
has output/connect_list.txt '^pg +POSTGRES +\{.*"password":"\*\*\*"'
if grep -qF -- "$PGPASSWORD" output/connect_list.txt; then fail "connect list printed the password"; fi
"$sqlflow" connect test pg > output/connect_test.txt
has output/connect_test.txt '^ok: pg \(POSTGRES\): connected to PostgreSQL [0-9.]+ as postgres to database postgres$'

"$sqlflow" pipeline validate customer_revenue customer_tags

# First run: the merge creates analytics.customer_revenue with every customer.
"$sqlflow" pipeline run customer_revenue > output/revenue_1.log 2>&1
has output/revenue_1.log 'load_customers .*customers <- customers_src \(REPLACE\) +4 rows'
has output/revenue_1.log 'load_orders .*orders <- orders_src \(REPLACE\) +4 rows'
has output/revenue_1.log 'export_postgres_customer_revenue .*POSTGRES analytics.customer_revenue +4 ins, 0 upd'
expect "SELECT count(*) FROM analytics.customer_revenue" 4
expect "SELECT orders, revenue FROM analytics.customer_revenue WHERE customer_id = 1" '2|200.00'
expect "SELECT orders, revenue FROM analytics.customer_revenue WHERE customer_id = 2" '1|250.00'  # 104 is cancelled
expect "SELECT orders, revenue, last_order_at IS NULL FROM analytics.customer_revenue WHERE customer_id = 3" '0|0.00|t'
expect "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
        WHERE attrelid = 'analytics.customer_revenue'::regclass AND attname = 'revenue'" 'numeric(12,2)'
expect "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
        WHERE attrelid = 'analytics.customer_revenue'::regclass AND attname = 'last_order_at'" \
  'timestamp with time zone'

# New data in PostgreSQL; the second run updates the 4 known customers and inserts the new one.
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO shop.customers VALUES (5, 'Edsger', 'NL', '{newsletter}', '2024-03-06');
INSERT INTO shop.orders VALUES
  (106, 5, 99.99, 'shipped', '2024-03-06 10:00:00+00', '{"items": 3}'),
  (107, 2, 10.00, 'shipped', '2024-03-07 12:00:00+00', NULL);
SQL
"$sqlflow" --json pipeline run customer_revenue > output/revenue_2.json 2> output/revenue_2.log
python3 - output/revenue_2.json <<'PY'
import json, sys
steps = {s["id"]: s for s in json.load(open(sys.argv[1]))["steps"]}
merge = steps["export_postgres_customer_revenue"]
assert (merge["inserted"], merge["updated"]) == (1, 4), merge
PY
expect "SELECT count(*), count(DISTINCT customer_id) FROM analytics.customer_revenue" '5|5'
expect "SELECT orders, revenue FROM analytics.customer_revenue WHERE customer_id = 2" '2|260.00'
expect "SELECT name, orders, revenue FROM analytics.customer_revenue WHERE customer_id = 5" 'Edsger|1|99.99'

# REPLACE keeps what was declared on the table between runs: here an index and a comment.
"$sqlflow" pipeline run customer_tags > output/tags_1.log 2>&1
has output/tags_1.log 'export_postgres_tag_counts .*POSTGRES analytics.tag_counts +2 rows'
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE UNIQUE INDEX tag_counts_tag ON analytics.tag_counts (tag)" \
  -c "COMMENT ON TABLE analytics.tag_counts IS 'customers per tag'"
"$sqlflow" pipeline run customer_tags > output/tags_2.log 2>&1
expect "SELECT count(*) FROM analytics.tag_counts" 2
expect "SELECT customers, names FROM analytics.tag_counts WHERE tag = 'newsletter'" '3|["Ada", "Edsger", "Grace"]'
expect "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
        WHERE attrelid = 'analytics.tag_counts'::regclass AND attname = 'names'" 'jsonb'
expect "SELECT count(*) FROM pg_indexes WHERE indexname = 'tag_counts_tag'" 1
expect "SELECT obj_description('analytics.tag_counts'::regclass)" 'customers per tag'

echo "postgres: ok"
