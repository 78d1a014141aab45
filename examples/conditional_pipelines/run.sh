#!/usr/bin/env bash
# Runs the example three ways and checks which branch ran by the files it wrote.
#   SQLFLOW=/path/to/sqlflow examples/conditional_pipelines/run.sh
set -euo pipefail
cd "$(dirname "$0")"
sqlflow="${SQLFLOW:-sqlflow}"
rm -rf output target
"$sqlflow" pipeline validate regional_report
"$sqlflow" pipeline run regional_report
"$sqlflow" pipeline run regional_report --profile prod
"$sqlflow" pipeline run regional_report --vars region=ap-south-1,min_amount=50
check() { [ -f "$1" ] || { echo "expected $1" >&2; exit 1; }; }
check output/regional_us-east-1.csv
check output/regional_eu-west-1.parquet
check output/audit_eu-west-1.csv
check output/regional_ap-south-1.csv
[ ! -e output/audit_us-east-1.csv ] || { echo "dev must not write an audit" >&2; exit 1; }
grep -q '^5,ap-south-1,web,99.99,2024-03-04$' output/regional_ap-south-1.csv
[ "$(wc -l < output/regional_us-east-1.csv)" -eq 4 ]
echo "conditional_pipelines: ok"
