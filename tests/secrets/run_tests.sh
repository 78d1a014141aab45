#!/usr/bin/env bash
# Secret values never persist: planted secrets (a secret-named variable from --vars, the profile and
# .env, a variable declared in the profile's `secrets:`, a profile connector's password, a
# secret-named PARAMS key) are used in SQL, in a non-secret PARAMS key and in failing statements
# whose DuckDB errors echo them; then every file under target/ and .sqlflow/ (state.db,
# events.jsonl, compiled plans, viz pages) and all output of run, validate, compile, status, runs,
# metrics and viz (also with --json) are searched byte for byte: no secret may appear.
#   tests/secrets/run_tests.sh SQLFLOW_BINARY [ONLY_REGEX]
# Prints "ok <name>" per test and "N passed, 0 failed" at the end; stops at the first failure.
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"

suite_scratch secrets

TOKEN="Tok-9f3a7c1e"             # --vars api_token
QUOTED="Qu'ote-51b2"             # --vars secret_note: contains a quote, doubled inside SQL
PROFILE_KEY="Prof-4d8e2a"        # profile variable service_key
DECLARED="Decl-77c0ab"           # profile variable region_pass, declared in `secrets:`
DOTENV="Env-3e61f9"              # .env MY_SECRET_KEY
PG_PASSWORD="Pg-0b5d42"          # profile connector password
PARAM_SECRET="Param-6a2c91"      # written in the pipeline under the PARAMS key secret_access_key
SECRETS=("$TOKEN" "$QUOTED" "Qu''ote-51b2" "$PROFILE_KEY" "$DECLARED" "$DOTENV" "$PG_PASSWORD" "$PARAM_SECRET")

# no_secret_anywhere: no secret in any file under target/ and .sqlflow/, nor in any output so far.
no_secret_anywhere() {
  local secret
  for secret in "${SECRETS[@]}"; do
    if grep -a -r -l -F -- "$secret" "$P/target" "$P/.sqlflow" "$ROOT"/.out.* "$ROOT"/.err.* 2>/dev/null; then
      fail "secret '$secret' persists in the files listed above"
    fi
  done
}

new_project leak memory "$(cat <<EOF
variables:
  service_key: "$PROFILE_KEY"
  region_pass: "$DECLARED"
secrets: [region_pass]
connectors:
  warehouse:
    type: postgres
    params:
      host: 127.0.0.1
      port: 1
      user: sqlflow
      password: "$PG_PASSWORD"
      database: none
EOF
)"
printf 'MY_SECRET_KEY=%s\n' "$DOTENV" > "$P/.env"
printf 'id,name\n1,a\n' > "$P/data/in.csv"
VARS="$("$PYTHON" -c 'import json, sys; print(json.dumps({"api_token": sys.argv[1], "secret_note": sys.argv[2]}))' "$TOKEN" "$QUOTED")"

pipeline ok_run <<'EOF'
SOURCE src TYPE CSV PARAMS {"path": "data/in.csv", "null_values": "${api_token}"};
LOAD people FROM src;
CREATE TABLE tagged AS SELECT *, '${api_token}' AS t, '${service_key}' AS k, '${region_pass}' AS r,
  '${MY_SECRET_KEY}' AS e, '${secret_note}' AS n FROM people;
EXPORT SELECT id FROM tagged TO 'output/ok.csv' TYPE CSV;
EOF
pipeline cast_fails <<'EOF'
CREATE TABLE a AS SELECT CAST('${api_token}' AS INTEGER) AS x;
EOF
pipeline quote_fails <<'EOF'
CREATE TABLE b AS SELECT CAST('${secret_note}' AS INTEGER) AS x;
EOF
pipeline more_fail <<'EOF'
CREATE TABLE c AS SELECT CAST('${service_key}' || '${region_pass}' || '${MY_SECRET_KEY}' AS DATE) AS x;
EOF
pipeline path_fails <<'EOF'
SOURCE src TYPE CSV PARAMS {"path": "data/${api_token}.csv"};
LOAD missing FROM src;
EOF
pipeline connector_fails <<'EOF'
SOURCE pg FROM "warehouse" OPTIONS {"table": "t"};
LOAD t FROM pg;
EOF
pipeline param_secret <<EOF
SOURCE s3src TYPE S3 PARAMS {"bucket": "b", "key": "k.csv", "file_format": "csv",
  "access_key_id": "AKIDEXAMPLE", "secret_access_key": "$PARAM_SECRET", "endpoint_url": "http://127.0.0.1:1"};
LOAD s3rows FROM s3src;
EOF

if begin secrets_never_persist; then
  run_ok ok_run --vars "$VARS"
  sf pipeline run ok_run --vars "$VARS" --json
  expect_rc 0 "run --json"
  for name in cast_fails quote_fails more_fail path_fails connector_fails param_secret; do
    sf pipeline run "$name" --vars "$VARS"
    expect_rc 1 "pipeline run $name"
    sf pipeline run "$name" --vars "$VARS" --json
    expect_rc 1 "pipeline run $name --json"
    sf pipeline run "$name" --vars "$VARS" -v
  done
  # DuckDB's errors quote the values; what they quote is masked.
  sf pipeline run cast_fails --vars "$VARS"
  expect_out "Could not convert string '***' to INT32"
  sf pipeline run quote_fails --vars "$VARS"
  expect_out "Could not convert string '***' to INT32"
  sf pipeline run path_fails --vars "$VARS"
  expect_out "data/***.csv"
  sf pipeline validate --vars "$VARS"
  expect_rc 0 "validate"
  sf pipeline validate --vars "$VARS" --json
  for name in ok_run cast_fails param_secret path_fails; do
    sf pipeline compile "$name" --vars "$VARS"
    expect_rc 0 "compile $name"
    sf pipeline compile "$name" --vars "$VARS" --json
    sf pipeline viz "$name" --vars "$VARS" --run latest
    expect_rc 0 "viz $name"
  done
  grep -qF '"null_values": "***"' "$P/target/compiled/ok_run.json" || fail "the PARAMS value is not masked"
  sf status
  sf status --json
  sf runs
  sf runs --json
  sf metrics
  sf metrics --format json
  sf metrics --format prometheus
  [ -s "$P/.sqlflow/state.db" ] || fail "no state store"
  ls "$P"/target/runs/*/events.jsonl > /dev/null || fail "no events.jsonl"
  no_secret_anywhere
  ok
fi

if begin short_values_are_not_masked_in_text; then
  sf pipeline compile ok_run --vars '{"api_token": "ab1", "secret_note": "Qu-ote-51b2"}' --json
  expect_rc 0 "compile"
  # A 3-character secret is masked by its name, not searched for in text ("ab1" stays in the SQL).
  expect_out "'ab1' AS t"
  expect_out '"api_token": "***"'
  ok
fi

echo "$PASSED passed, 0 failed"
