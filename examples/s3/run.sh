#!/usr/bin/env bash
# Starts a throwaway S3-compatible server (tests/fixtures/s3.sh, which checks SigV4 signatures),
# lands raw files in it, builds a mart from them and reads the mart back, checking every step.
#   SQLFLOW=/path/to/sqlflow examples/s3/run.sh
# scripts/run_examples runs a copy of this folder elsewhere and sets SQLFLOW_ROOT to the
# repository, where the server fixture lives; run in place, the repository is two folders up.
set -euo pipefail
cd "$(dirname "$0")"
sqlflow="${SQLFLOW:-sqlflow}"
root="${SQLFLOW_ROOT:-$(pwd)/../..}"
fixture="$root/tests/fixtures/s3.sh"
[ -x "$fixture" ] || { echo "s3: $fixture not found; set SQLFLOW_ROOT to the repository" >&2; exit 1; }

fail() { echo "s3: $*" >&2; exit 1; }
has() { grep -qE -- "$2" "$1" || { cat "$1" >&2; fail "$1 should match: $2"; }; }

server="$(mktemp -d)"
trap '"$fixture" stop "$server"; rm -rf "$server"' EXIT
"$fixture" start "$server" lake >/dev/null
# The profile reads these; nothing else of the caller's AWS setup is used.
S3_ENDPOINT="$(. "$server/env" && echo "$AWS_ENDPOINT_URL")"
export S3_ENDPOINT S3_ACCESS_KEY=S3RVER S3_SECRET_KEY=S3RVER
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3

rm -rf output .sqlflow
mkdir -p output

# The connector, with its secret masked, and reachable.
"$sqlflow" connect list > output/connect_list.txt
has output/connect_list.txt '^lake +S3 +\{.*"secret_access_key":"\*\*\*"'

"$sqlflow" pipeline run publish_raw > output/publish.log 2>&1
has output/publish.log 'export_csv_orders .*CSV s3://lake/raw/orders +7 rows'
has output/publish.log 'Pipeline publish_raw succeeded'
"$sqlflow" connect test lake > output/connect_test.txt
# Three day objects (one per partition) and the customers object.
has output/connect_test.txt '^ok: lake \(S3\): bucket lake reachable; 4 objects \([0-9.]+ [KB]+\) match s3://lake/$'

"$sqlflow" pipeline run daily_revenue > output/revenue.log 2>&1
has output/revenue.log 'load_orders .*orders <- orders_raw \(REPLACE\) +7 rows'
has output/revenue.log 'export_s3_daily_revenue .*JSON s3://lake/marts/daily_revenue.jsonl'

"$sqlflow" pipeline run check_marts > output/check.log 2>&1
expected='order_day,country,orders,revenue
2026-11-01,FI,1,80.50
2026-11-01,UK,1,120.00
2026-11-02,UK,1,42.00
2026-11-02,US,1,310.25
2026-11-03,FI,1,15.75
2026-11-03,UK,1,60.00
2026-11-03,US,1,99.99'
[ "$(cat output/daily_revenue.csv)" = "$expected" ] || fail "daily_revenue.csv: $(cat output/daily_revenue.csv)"
[ "$(cat output/json_vs_parquet.csv)" = $'differing_rows\n0' ] || fail "the JSON mart differs from the Parquet one"
echo "s3 example: ok"
