#!/usr/bin/env bash
# Lists the Python UDFs, runs the showcase pipeline and checks values the UDFs computed.
#   SQLFLOW=/path/to/sqlflow examples/udf_showcase/run.sh
set -euo pipefail
cd "$(dirname "$0")"
sqlflow="${SQLFLOW:-sqlflow}"
rm -rf output target
mkdir -p output
# Python writes __pycache__/ beside the UDF files it imports; keep the example folder clean.
trap 'find python_udfs -name __pycache__ -type d -prune -exec rm -rf {} +' EXIT
fail() { echo "udf_showcase: $*" >&2; exit 1; }
has() { grep -qE -- "$2" "$1" || fail "$1 should match: $2"; }

# Discovery: every python_udfs/**/*.py is imported; subfolders become dotted module names.
"$sqlflow" udf list | tee output/udf_list.txt
has output/udf_list.txt '^pricing\.to_eur +scalar +to_eur\(amount DOUBLE, currency VARCHAR\) -> DOUBLE$'
has output/udf_list.txt '^pricing\.with_vat +scalar +with_vat\(amount DOUBLE, rate DOUBLE\) -> DOUBLE$'
has output/udf_list.txt '^text\.normalize\.clean_email +scalar '
has output/udf_list.txt '^segments\.customer_segments +table +customer_segments\(df, vip_revenue DOUBLE = 500\.0, min_orders BIGINT = 2\) -> TABLE \(customer_id BIGINT, orders BIGINT, revenue_eur DOUBLE, segment VARCHAR\)$'
"$sqlflow" udf info customer_segments > output/udf_info.txt
has output/udf_info.txt '^  required columns: customer_id, amount_eur$'

"$sqlflow" pipeline validate showcase
"$sqlflow" pipeline run showcase

# Row-wise scalar UDFs; a NULL argument gives NULL without calling Python.
has output/customers.csv '^1,AL,ada\.lovelace@example\.com$'
has output/customers.csv '^4,MH,$'
has output/customers.csv '^5,TBL,tim@w3\.example$'
# to_eur (row-wise) and with_vat (vectorized), nested.
has output/orders_eur.csv '^1001,1,140\.4,168\.48$'
has output/orders_eur.csv '^1002,2,74\.06,88\.87$'
has output/orders_eur.csv '^1007,5,,$'
[ "$(wc -l < output/orders_eur.csv)" -eq 12 ] || fail "orders_eur.csv should have 11 orders and a header"
# The table UDF with keyword arguments, joined to customers.
has output/segments.csv '^1,Ada Lovelace,vip,3,497\.25$'
has output/segments.csv '^3,Linus Torvalds,regular,2,395\.0$'
has output/segments.csv '^5,Tim Berners-Lee,occasional,1,0\.0$'
# The same table UDF on a subquery, and a scalar UDF in an EXPORT query.
has output/us_segments.csv '^2,vip,589\.26,707\.11$'
has output/us_segments.csv '^4,occasional,202\.4,242\.88$'
[ "$(wc -l < output/us_segments.csv)" -eq 4 ] || fail "us_segments.csv should have 3 customers and a header"
echo "udf_showcase: ok"
