#!/usr/bin/env bash
# Runs the load-mode pipelines and checks what each mode wrote.
#   SQLFLOW=/path/to/sqlflow examples/load_modes/run.sh
set -euo pipefail
cd "$(dirname "$0")"
sqlflow="${SQLFLOW:-sqlflow}"
rm -rf output target
mkdir -p output
fail() { echo "load_modes: $*" >&2; exit 1; }
lines() { [ "$(wc -l < "$1")" -eq "$2" ] || fail "$1 should have $2 lines, has $(wc -l < "$1")"; }
has() { grep -qE -- "$2" "$1" || fail "$1 should match: $2"; }

"$sqlflow" pipeline validate customers orders inventory bad_orders

# REPLACE: a full refresh.
"$sqlflow" pipeline run customers > output/customers.log
lines output/customers_per_country.csv 4
has output/customers_per_country.csv '^US,2$'
has output/customers.log 'load_customers .*customers <- customers_src \(REPLACE\) +4 rows'

# APPEND by column name: the February file's columns are in another order.
"$sqlflow" pipeline run orders > output/orders.log
has output/orders.log 'load_orders_2 .*\(APPEND\) +2 rows'
lines output/orders.csv 6
has output/orders.csv '^1004,3,18.75,2024-02-02$'
has output/orders.csv '^1005,2,99.9,2024-02-14$'
has output/revenue_by_month.csv '^2024-02,2,118.65$'

# MERGE on (store, sku): 2 rows updated, 2 inserted.
"$sqlflow" pipeline run inventory > output/inventory.log
has output/inventory.log 'load_inventory .*\(MERGE\) +4 ins, 0 upd'
has output/inventory.log 'load_inventory_2 .*\(MERGE\) +2 ins, 2 upd'
has output/inventory.log 'transform_units_by_store .*\(MERGE\) +3 ins, 0 upd'
lines output/inventory.csv 7
has output/inventory.csv '^north,A-100,10,2024-03-01$'
has output/inventory.csv '^north,B-200,8,2024-03-02$'
has output/inventory.csv '^south,A-100,3,2024-03-02$'
has output/inventory.csv '^east,A-100,4,2024-03-02$'
has output/units_by_store.csv '^south,15,2024-03-02$'
cp output/inventory.csv output/dev_inventory.csv

# A schema error is caught before anything is written: exit 1, every problem listed.
status=0
"$sqlflow" pipeline run bad_orders > output/bad_orders.log || status=$?
[ "$status" -eq 1 ] || fail "bad_orders should exit 1, exited $status"
has output/bad_orders.log 'error\[SF-LOAD-001\]: cannot APPEND into table "orders": 3 schema problems'
has output/bad_orders.log 'column "order_id": the new rows have VARCHAR'
has output/bad_orders.log 'column "amount": the new rows have VARCHAR'
has output/bad_orders.log 'column "coupon" \(VARCHAR\) is in the new rows but not in table "orders"'
has output/bad_orders.log 'export_csv_orders_2 .* skipped'
lines output/orders_before_bad.csv 4
[ ! -e output/orders_after_bad.csv ] || fail "the export after the failed load must not run"

# Persistent profile, twice: MERGE is idempotent (the second run inserts nothing and the table
# is the same); REPLACE and REPLACE-then-APPEND give the same rows again.
for run in 1 2; do
  "$sqlflow" pipeline run customers --profile prod > "output/prod_customers_$run.log"
  "$sqlflow" pipeline run orders --profile prod > "output/prod_orders_$run.log"
  "$sqlflow" pipeline run inventory --profile prod > "output/prod_inventory_$run.log"
  lines output/orders.csv 6
  cp output/inventory.csv "output/prod_inventory_$run.csv"
  cp output/units_by_store.csv "output/prod_units_by_store_$run.csv"
done
[ -f target/load_modes.duckdb ] || fail "prod should write target/load_modes.duckdb"
has output/prod_inventory_1.log 'load_inventory_2 .*2 ins, 2 upd'
has output/prod_inventory_2.log 'load_inventory .*0 ins, 4 upd'
has output/prod_inventory_2.log 'load_inventory_2 .*0 ins, 4 upd'
has output/prod_inventory_2.log 'transform_units_by_store .*0 ins, 3 upd'
cmp -s output/prod_inventory_1.csv output/prod_inventory_2.csv || fail "inventory changed on the second run"
cmp -s output/prod_units_by_store_1.csv output/prod_units_by_store_2.csv || fail "units_by_store changed"
cmp -s output/prod_inventory_2.csv output/dev_inventory.csv || fail "prod inventory differs from dev"
lines output/customers_per_country.csv 4

echo "load_modes: ok"
