#!/usr/bin/env bash
# Runs fan_out on four workers, reads the run history, metrics and DAG picture, retries an
# injected transient fault, then fails one branch on purpose (the others go on) and resumes it.
#   SQLFLOW=/path/to/sqlflow examples/execution/run.sh
set -euo pipefail
cd "$(dirname "$0")"
sqlflow="${SQLFLOW:-sqlflow}"
rm -rf output target .sqlflow
fail() { echo "execution: $*" >&2; exit 1; }

# 1. A parallel run; the step lines come in plan order whatever order the workers finish in.
"$sqlflow" pipeline run fan_out --threads 4
"$sqlflow" status
"$sqlflow" runs
"$sqlflow" metrics --format prometheus
"$sqlflow" pipeline viz fan_out --run latest

for file in output/region_revenue.csv output/product_revenue.csv output/big_orders.csv \
            output/daily_orders.json output/summary.csv target/execution.duckdb .sqlflow/state.db \
            target/viz/fan_out.dot target/viz/fan_out.mmd target/viz/fan_out.svg target/viz/fan_out.html; do
  [ -s "$file" ] || fail "expected $file"
done
[ "$(ls target/runs/*/events.jsonl | wc -l)" -eq 1 ] || fail "expected one events.jsonl"
grep -q '"event":"run_finished".*"status":"SUCCEEDED"' target/runs/*/events.jsonl || fail "no run_finished"
grep -q '^south,4,4317.0$' output/region_revenue.csv || fail "wrong region_revenue.csv"
grep -q '^3,4,8,6338.0$' output/summary.csv || fail "wrong summary.csv"
grep -q 'SUCCEEDED · .* · 12 rows' target/viz/fan_out.dot || fail "viz is not coloured by the run"
metrics="$("$sqlflow" metrics --format prometheus)"
grep -q '^sqlflow_run_success{pipeline="fan_out"} 1$' <<<"$metrics" || fail "sqlflow_run_success"
grep -q '^sqlflow_step_rows_written{pipeline="fan_out",step="load_orders"} 12$' <<<"$metrics" ||
  fail "sqlflow_step_rows_written"

# 2. A transient failure is retried (the profile allows 2 retries, 0.1 s apart, doubling).
SQLFLOW_FAULT_INJECT=transform_daily_orders=2 "$sqlflow" pipeline run fan_out
status="$("$sqlflow" status)"
grep -Eq 'transform_daily_orders +SUCCEEDED +6 +[0-9.]+s +2$' <<<"$status" || fail "expected 2 retries"

# 3. One branch fails; with --on-failure continue the branches that do not need it still run.
code=0
"$sqlflow" pipeline run fan_out --threads 4 --on-failure continue --vars min_amount=lots || code=$?
[ "$code" -eq 1 ] || fail "the failing run must exit 1, not $code"
status="$("$sqlflow" status)"
grep -Eq 'transform_big_orders +FAILED' <<<"$status" || fail "big_orders must fail"
grep -Eq 'export_json_daily_orders +SUCCEEDED' <<<"$status" || fail "daily_orders must still run"
grep -Eq 'transform_summary +SKIPPED' <<<"$status" || fail "summary must be skipped"

# 4. Resume after fixing the variable: only the failed and skipped steps run (and the sources).
"$sqlflow" pipeline run fan_out --resume --vars min_amount=1000
status="$("$sqlflow" --json status)"
grep -q '"status": "SUCCEEDED"' <<<"$status" || fail "the resumed run must succeed"
grep -q '"error": "not selected"' <<<"$status" || fail "steps that succeeded before must not rerun"
grep -q '^3,4,3,6338.0$' output/summary.csv || fail "wrong summary.csv after --resume"
[ "$(grep -c . output/big_orders.csv)" -eq 4 ] || fail "big_orders.csv must have 3 rows"
[ "$("$sqlflow" runs fan_out | grep -c fan_out)" -eq 4 ] || fail "expected 4 runs"
echo "execution: ok"
