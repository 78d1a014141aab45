#!/usr/bin/env bash
# Loads the example plugin (built by CMake into <build>/plugins) and runs a pipeline on it.
#   SQLFLOW=/path/to/build/sqlflow examples/plugin/run.sh
set -euo pipefail
cd "$(dirname "$0")"
sqlflow="${SQLFLOW:-sqlflow}"
export SQLFLOW_PLUGIN_PATH="$(dirname "$(command -v "$sqlflow")")/plugins"
[ -f "$SQLFLOW_PLUGIN_PATH/libsqlflow_generate.so" ] || { echo "plugin not built in $SQLFLOW_PLUGIN_PATH" >&2; exit 1; }
rm -rf output .sqlflow target
"$sqlflow" connect test numbers | grep -q "GENERATE will make 3 rows"
"$sqlflow" pipeline run generated
grep -qx "n,total,evens" output/summary.csv
grep -qx "1000,500500,500" output/summary.csv
# A required parameter is checked like a built-in connector's.
printf 'SOURCE s TYPE GENERATE PARAMS {"prefix": "x"};\nLOAD t FROM s;\n' > pipelines/missing.sf
if "$sqlflow" pipeline validate missing 2> output/missing.err; then echo "missing rows accepted" >&2; exit 1; fi
grep -q "missing required parameter 'rows'" output/missing.err
rm pipelines/missing.sf
# A plugin fills a temporary staging table by plain name, also for a target in another schema,
# run after run.
printf 'CREATE SCHEMA IF NOT EXISTS s;\nSOURCE g TYPE GENERATE PARAMS {"rows": 5};\nLOAD s.t FROM g;\nEXPORT SELECT count(*) AS n FROM s.t TO %s TYPE CSV;\n' \
  "'output/schema.csv'" > pipelines/schema.sf
"$sqlflow" pipeline run schema -q
"$sqlflow" pipeline run schema -q
rm pipelines/schema.sf
grep -qx "5" output/schema.csv
echo "plugin: ok"
