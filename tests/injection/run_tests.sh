#!/usr/bin/env bash
# Variable values cannot change what a pipeline's SQL does: in every statement kind (plain SQL,
# CREATE TABLE AS, EXPORT, SOURCE PARAMS, LOAD targets, IF conditions), hostile values from --vars,
# the profile and SET either arrive as the literal text they are or fail the plan (SF-VAR-003/004,
# exit 2); the table `canary` of a persistent database survives every attempt.
#   tests/injection/run_tests.sh SQLFLOW_BINARY [ONLY_REGEX]
# Prints "ok <name>" per test and "N passed, 0 failed" at the end; stops at the first failure.
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"

suite_scratch injection

DROP_IN_STRING="x'; DROP TABLE canary; --"
DROP_RAW="0; DROP TABLE canary"

# canary_project NAME [PROFILE_LINES]: a persistent project whose table canary holds one row.
canary_project() {
  new_project "$1" persistent "${2:-}"
  pipeline setup <<'EOF'
CREATE OR REPLACE TABLE canary AS SELECT 1 AS id;
EOF
  pipeline check <<'EOF'
EXPORT SELECT count(*) AS n FROM canary TO 'output/canary.csv' TYPE CSV OPTIONS {"header": true};
EOF
  run_ok setup
}

# canary_alive: the canary table still holds its row.
canary_alive() {
  local rc=$RC out=$OUT err=$ERR
  rm -f "$P/output/canary.csv"
  sf pipeline run check
  expect_rc 0 "pipeline run check (is canary still there?)"
  same "$P/output/canary.csv" <<'EOF'
n
1
EOF
  RC=$rc OUT=$out ERR=$err
}

# vars_json NAME VALUE: --vars JSON giving NAME the text VALUE.
vars_json() { "$PYTHON" -c 'import json, sys; print(json.dumps({sys.argv[1]: sys.argv[2]}))' "$1" "$2"; }

if begin plain_sql_string_value_is_literal_text; then
  canary_project plain_string
  pipeline p <<'EOF'
CREATE TABLE seen (val VARCHAR);
INSERT INTO seen SELECT '${v}' AS val;
EXPORT SELECT val FROM seen TO 'output/seen.csv' TYPE CSV OPTIONS {"header": false, "quote": "|"};
EOF
  sf pipeline validate p --vars "$(vars_json v "$DROP_IN_STRING")"
  expect_rc 0 "validate"
  expect_out "p: valid (3 steps)"
  run_ok p --vars "$(vars_json v "$DROP_IN_STRING")"
  same "$P/output/seen.csv" <<EOF
$DROP_IN_STRING
EOF
  canary_alive
  ok
fi

if begin plain_sql_raw_value_adding_a_statement_fails_the_plan; then
  canary_project plain_raw
  pipeline p <<'EOF'
SELECT * FROM canary WHERE id > ${n};
EOF
  for command in validate run; do
    sf pipeline "$command" p --vars "$(vars_json n "$DROP_RAW")"
    expect_rc 2 "pipeline $command"
    expect_err "error[SF-VAR-003]: after variable substitution this step is 2 statements"
    expect_err "pipelines/p.sf:1:1"
  done
  canary_alive
  ok
fi

if begin plain_sql_value_cannot_change_the_statement_kind; then
  canary_project kind
  pipeline p <<'EOF'
DE${c} FROM canary;
EOF
  sf pipeline run p --vars c=LETE
  expect_rc 2 "pipeline run"
  expect_err "error[SF-VAR-004]: a variable's value changes the statement's first word to 'DELETE'"
  pipeline q <<'EOF'
${c} TABLE canary;
EOF
  sf pipeline validate q --vars c=DROP
  expect_rc 2 "validate q"
  expect_err "error[SF-VAR-004]: a statement cannot begin with a variable"
  canary_alive
  ok
fi

if begin transform_and_export_bodies_stay_one_query; then
  canary_project bodies
  pipeline t <<'EOF'
CREATE TABLE t AS SELECT * FROM canary WHERE id > ${n};
EOF
  sf pipeline run t --vars "$(vars_json n "$DROP_RAW")"
  expect_rc 2 "run t"
  expect_err "error[SF-VAR-003]"
  pipeline e <<'EOF'
EXPORT SELECT * FROM canary WHERE id > ${n} TO 'output/e.csv' TYPE CSV;
EOF
  sf pipeline run e --vars "$(vars_json n "$DROP_RAW")"
  expect_rc 2 "run e"
  expect_err "error[SF-VAR-003]"
  [ ! -e "$P/output/e.csv" ] || fail "output/e.csv was written"
  pipeline s <<'EOF'
CREATE TABLE s AS SELECT '${v}' AS v, 1 AS "${v}" FROM canary;
EXPORT SELECT v, '${v}' AS again FROM s TO 'output/s.csv' TYPE CSV OPTIONS {"header": false, "quote": "|"};
EOF
  run_ok s --vars "$(vars_json v "$DROP_IN_STRING\"")"
  same "$P/output/s.csv" <<EOF
$DROP_IN_STRING",$DROP_IN_STRING"
EOF
  canary_alive
  ok
fi

if begin values_from_profile_and_set_are_escaped_too; then
  canary_project sources $'variables:\n  n: "0; DROP TABLE canary"'
  pipeline p <<'EOF'
SET v = 'it''s''; DROP TABLE canary; --';
CREATE TABLE w AS SELECT '${v}' AS v;
EXPORT SELECT v FROM w TO 'output/w.csv' TYPE CSV OPTIONS {"header": false, "quote": "|"};
EOF
  run_ok p
  same "$P/output/w.csv" <<'EOF'
it's'; DROP TABLE canary; --
EOF
  pipeline q <<'EOF'
DELETE FROM canary WHERE id > ${n};
EOF
  sf pipeline run q
  expect_rc 2 "run q (profile value)"
  expect_err "error[SF-VAR-003]"
  canary_alive
  ok
fi

if begin source_params_and_load_targets_take_values_as_data; then
  canary_project params
  printf 'id\n7\n' > "$P/data/in.csv"
  pipeline p <<'EOF'
SOURCE src TYPE CSV PARAMS {"path": "data/${f}", "header": ${h}};
LOAD ${t} FROM src;
EXPORT SELECT count(*) AS n FROM "${t}" TO 'output/p.csv' TYPE CSV;
EOF
  # A bare JSON reference is one JSON value: text cannot add keys.
  sf pipeline validate p --vars "{\"f\": \"in.csv\", \"h\": \"true, \\\"path\\\": \\\"/etc/passwd\\\"\", \"t\": \"x\"}"
  expect_rc 2 "validate (header)"
  expect_err "error[SF-PLAN-022]"
  # A path is a quoted literal in DuckDB's read_csv: the value is only ever a file name.
  sf pipeline run p --vars "{\"f\": \"in.csv'); DROP TABLE canary; --\", \"h\": true, \"t\": \"x\"}"
  expect_rc 1 "run (path)"
  expect_msg "in.csv'); DROP TABLE canary; --"
  # A LOAD target is one quoted table name.
  run_ok p --vars "{\"f\": \"in.csv\", \"h\": true, \"t\": \"x; DROP TABLE canary\"}"
  canary_alive
  ok
fi

if begin if_conditions_compare_typed_values; then
  canary_project conditions
  pipeline p <<'EOF'
IF ${v} == 'a' THEN
  DROP TABLE canary;
END IF;
EXPORT SELECT 1 AS x TO 'output/done.csv' TYPE CSV;
EOF
  sf pipeline validate p --vars "$(vars_json v "b' OR 'a' == 'a")"
  expect_rc 0 "validate"
  expect_out "p: valid (1 steps)"
  run_ok p --vars "$(vars_json v "b' OR 'a' == 'a")"
  canary_alive
  ok
fi

echo "$PASSED passed, 0 failed"
