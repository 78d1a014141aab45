#!/usr/bin/env bash
# Three days of a customer feed whose shape changes: day 2 gains a column (accepted by `evolve`,
# the table gains the column), day 3 renames a column (breaking: the load
# stops, the table is untouched). Shows `schema show|history|compare|accept` along the way.
#   SQLFLOW=/path/to/sqlflow examples/schema_management/run.sh
set -euo pipefail
cd "$(dirname "$0")"
sqlflow="${SQLFLOW:-sqlflow}"
rm -rf output target .sqlflow
mkdir -p output
fail() { echo "schema_management: $*" >&2; exit 1; }
has() { grep -qE -- "$2" "$1" || fail "$1 should match: $2"; }
lines() { [ "$(wc -l < "$1")" -eq "$2" ] || fail "$1 should have $2 lines, has $(wc -l < "$1")"; }

# Day 1: the first run records the baseline schema and accepts it.
"$sqlflow" pipeline run customers --vars day=day1 > output/day1.log
lines output/customers.csv 4
"$sqlflow" schema show customers_src > output/show_day1.txt
has output/show_day1.txt 'signed_up +DATE'

# Day 2: a new column (tier). Compatible: evolve accepts it and the APPEND adds the column; day 1's
# rows have no tier.
"$sqlflow" schema compare customers_src --vars day=day2 > output/compare_day2.txt
has output/compare_day2.txt 'compatible against the accepted schema'
"$sqlflow" pipeline run customers --vars day=day2 > output/day2.log
has output/day2.log 'warning\[SF-SCHEMA-001\]: source .customers_src. changed its schema \(compatible, on_schema_change: evolve; now the accepted schema\)'
has output/day2.log 'column "tier" \(VARCHAR\) added at position 5'
lines output/customers.csv 6
has output/customers.csv '^1,Ada,UK,2024-03-01,$'
has output/customers.csv '^4,Ken,US,2024-03-02,gold$'

# Day 3: country became country_code. Breaking: the load fails (exit 1) before writing.
status=0
"$sqlflow" pipeline run customers --vars day=day3 > output/day3.log || status=$?
[ "$status" -eq 1 ] || fail "day 3 should fail with exit 1, exited $status"
has output/day3.log 'error\[SF-RUN-009\]: source .customers_src. changed its schema in a breaking way'
has output/day3.log 'column "country" looks renamed to "country_code" \(VARCHAR\) \(breaking\)'
lines output/customers.csv 6

# compare exits 1 on a breaking change; its JSON names the change.
status=0
"$sqlflow" --json schema compare customers_src --vars day=day3 > output/compare_day3.json || status=$?
[ "$status" -eq 1 ] || fail "compare of a breaking change should exit 1, exited $status"
python3 - output/compare_day3.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "breaking", d
assert d["changes"][0]["change"] == "renamed" and d["changes"][0]["old_name"] == "country", d["changes"]
PY

# The history, newest first: day 3's rejected shape, day 2's accepted one, day 1's baseline.
"$sqlflow" schema history customers_src > output/history.txt
"$sqlflow" --json schema history customers_src > output/history.json
python3 - output/history.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["verdict"] for s in d] == ["breaking", "compatible", "baseline"], [s["verdict"] for s in d]
assert [s["accepted"] for s in d] == [False, True, False], [s["accepted"] for s in d]
PY
has output/history.txt 'compatible  ACCEPTED'
has output/history.txt '      - column "tier" \(VARCHAR\) added at position 5'
has output/history.txt '      baseline: id BIGINT, name VARCHAR, country VARCHAR, signed_up DATE'

# Accepting day 3's shape makes compare pass; loading it would still need the table's column
# renamed (APPEND matches columns by name), which is the team's call, not the tool's.
"$sqlflow" schema accept customers_src --vars day=day3 > output/accept.txt
has output/accept.txt 'Accepted the current schema of source customers_src'
"$sqlflow" schema compare customers_src --vars day=day3 > output/compare_after_accept.txt
has output/compare_after_accept.txt 'identical'
echo "schema_management: ok"
