#!/usr/bin/env bash
# Schema management end to end: a CSV source evolves between runs (gains a column, loses one,
# changes a type safely and in a breaking way, reorders its columns); each on_schema_change policy's
# effect on the exit code, the messages and the target table; `schema accept` then a rerun; the
# history's order and contents; the JSON of every schema command.
#   tests/schema/run_tests.sh SQLFLOW_BINARY [ONLY_REGEX]
# Prints "ok <name>" per test and "N passed, 0 failed" at the end; stops at the first failure.
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"

ROOT="$(mktemp -d "${TMPDIR:-/tmp}/sqlflow-schema-XXXXXX")"
trap 'rm -rf "$ROOT"' EXIT


# orders_project NAME MODE [PARAMS_EXTRA] [PROFILE_EXTRA]: a persistent project whose pipeline `p`
# loads data/orders.csv (SOURCE src) into table orders with load MODE, and whose pipeline `dump`
# writes the table to output/orders.csv (so each test can look at the target after a failure).
orders_project() {
  new_project "$1" persistent "${4:-}"
  pipeline p <<EOF
SOURCE src TYPE CSV PARAMS {"path": "data/orders.csv"${3:+, $3}};
LOAD orders FROM src MODE $2;
EOF
  pipeline dump <<'EOF'
EXPORT SELECT * FROM orders ORDER BY ALL TO 'output/orders.csv' TYPE CSV OPTIONS {"header": true};
EOF
}

# data < CSV: the source's next content.
data() { cat > "$P/data/orders.csv"; }

# target: output/orders.csv, the target table's rows now (header first).
target() {
  rm -f "$P/output/orders.csv"
  sf pipeline run dump
  expect_rc 0 "pipeline run dump"
  cat "$P/output/orders.csv"
}

# same_target < expected: the target table holds exactly these rows.
same_target() {
  local expected actual
  expected="$(cat)"
  actual="$(target)"
  [ "$actual" = "$expected" ] || fail "$(printf 'table orders differs:\n--- expected\n%s\n+++ actual\n%s' \
    "$expected" "$actual")"
}

# data_with_channel: the next content gains a column (channel) at the end.
data_with_channel() {
  data <<'EOF'
id,customer,amount,channel
3,cy,3.5,web
EOF
}

baseline() {
  data <<'EOF'
id,customer,amount
1,ann,1.5
2,bob,2.5
EOF
  sf pipeline run p
  expect_rc 0 "first run"
}

# ---------------------------------------------------------------------------------------------
if begin first_run_records_the_accepted_baseline; then
  orders_project first APPEND
  baseline
  expect_no_msg "warning"
  sf schema show src
  expect_rc 0 "schema show"
  expect_out "Source src (pipeline p): accepted schema"
  expect_out "customer"
  expect_out "DOUBLE"
  sf schema show src --json
  expect_rc 0 "schema show --json"
  check "$OUT" '
expect([c["name"] for c in d["columns"]] == ["id", "customer", "amount"], d["columns"])
expect([c["type"] for c in d["columns"]] == ["BIGINT", "VARCHAR", "DOUBLE"], d["columns"])
expect(d["accepted"] is True and d["verdict"] == "baseline" and d["origin"] == "run", d)
expect(len(d["fingerprint"]) == 16 and d["pipeline"] == "p" and d["source"] == "src", d)
expect(d["run_id"].endswith(d["run_id"][-4:]) and "-p-" in d["run_id"], d["run_id"])
'
  # The same shape again records nothing new and says nothing.
  sf pipeline run p
  expect_rc 0 "second run"
  expect_no_msg "warning"
  sf --json schema history src
  check "$OUT" 'expect(len(d) == 1, "one snapshot, got %d" % len(d))'
  ok
fi

if begin added_column_default_policy_warns_and_replace_loads_it; then
  orders_project added_replace REPLACE
  baseline
  data_with_channel
  sf pipeline run p
  expect_rc 0 "run with a new column (compatible)"
  expect_out "warning[SF-SCHEMA-001]: source 'src' changed its schema (compatible, on_schema_change: fail)"
  expect_out 'column "channel" (VARCHAR) added at position 4'
  same_target <<'EOF'
id,customer,amount,channel
3,cy,3.5,web
EOF
  # Not accepted: the next run warns again.
  sf pipeline run p
  expect_out "warning[SF-SCHEMA-001]"
  sf --json schema show src
  check "$OUT" 'expect(len(d["columns"]) == 3, "the accepted schema must stay the baseline")'
  ok
fi

if begin a_failed_load_accepts_no_schema; then
  orders_project failed APPEND
  # The target exists with an id the source's ids cannot become: APPEND's own check fails.
  pipeline prep <<'EOF'
CREATE TABLE orders (id DATE, customer VARCHAR, amount DOUBLE);
EOF
  sf pipeline run prep
  expect_rc 0 "prep"
  data <<'EOF'
id,customer,amount
1,ann,1.5
EOF
  sf pipeline run p
  expect_rc 1 "a load that fails after the schema check"
  # Like a watermark, the baseline is accepted only with a committed load.
  sf schema show src
  expect_rc 2 "schema show after a failed first load"
  expect_msg "no accepted schema for source 'src' of pipeline p"
  pipeline fix <<'EOF'
DROP TABLE orders;
EOF
  sf pipeline run fix
  expect_rc 0 "fix"
  sf pipeline run p
  expect_rc 0 "the load after the fix"
  sf schema show src
  expect_rc 0 "schema show after a committed load"
  ok
fi

if begin added_column_evolve_adds_it_to_an_append_target; then
  orders_project evolve_append APPEND '"on_schema_change": "evolve"'
  baseline
  data_with_channel
  sf pipeline run p
  expect_rc 0 "evolve run"
  expect_out "now the accepted schema"
  same_target <<'EOF'
id,customer,amount,channel
1,ann,1.5,
2,bob,2.5,
3,cy,3.5,web
EOF
  sf --json schema show src
  check "$OUT" 'expect([c["name"] for c in d["columns"]][-1] == "channel", d["columns"])'
  # The evolved shape is the accepted one now: a rerun is quiet.
  sf pipeline run p
  expect_rc 0 "rerun after evolve"
  expect_no_msg "warning"
  ok
fi

if begin added_column_warn_keeps_append_checks; then
  # warn does not change the load: APPEND still refuses a column the table lacks.
  orders_project warn_append APPEND '"on_schema_change": "warn"'
  baseline
  data_with_channel
  sf pipeline run p
  expect_rc 1 "warn + APPEND of a new column"
  expect_out "warning[SF-SCHEMA-001]"
  expect_out "error[SF-LOAD-001]"
  ok
fi

if begin removed_column_fails_and_leaves_the_target_unchanged; then
  orders_project removed APPEND
  baseline
  data <<'EOF'
id,customer
3,cy
EOF
  sf pipeline run p
  expect_rc 1 "run without a column (breaking)"
  expect_out "error[SF-RUN-009]: source 'src' changed its schema in a breaking way (on_schema_change: fail)"
  expect_out 'column "amount" (DOUBLE) removed (breaking)'
  expect_out "sqlflow schema accept src --pipeline p"
  same_target <<'EOF'
id,customer,amount
1,ann,1.5
2,bob,2.5
EOF
  # The failed run recorded the new shape; the accepted one did not move.
  sf --json schema history src
  check "$OUT" '
expect(len(d) == 2, "two snapshots, got %d" % len(d))
expect(d[0]["verdict"] == "breaking" and not d[0]["accepted"], d[0])
expect(d[0]["diff"]["changes"][0]["change"] == "removed", d[0]["diff"])
expect(d[1]["accepted"] and d[1]["verdict"] == "baseline", d[1])
'
  ok
fi

if begin removed_column_warn_loads_anyway; then
  orders_project removed_warn REPLACE '"on_schema_change": "warn"'
  baseline
  data <<'EOF'
id,customer
3,cy
EOF
  sf pipeline run p
  expect_rc 0 "warn run"
  expect_out "warning[SF-SCHEMA-001]: source 'src' changed its schema (breaking, on_schema_change: warn)"
  same_target <<'EOF'
id,customer
3,cy
EOF
  ok
fi

if begin safe_type_change_is_compatible; then
  # REPLACE: APPEND would refuse TIMESTAMP values into the table's DATE column by itself.
  orders_project widened REPLACE
  data <<'EOF'
id,day
1,2024-01-01
EOF
  sf pipeline run p
  expect_rc 0 "first run"
  data <<'EOF'
id,day
2,2024-01-02 10:30:00
EOF
  sf pipeline run p
  expect_rc 0 "DATE -> TIMESTAMP"
  expect_out 'column "day" widened DATE -> TIMESTAMP'
  ok
fi

if begin breaking_type_change_fails; then
  orders_project narrowed APPEND
  baseline
  data <<'EOF'
id,customer,amount
3,cy,3
EOF
  sf pipeline run p
  expect_rc 1 "DOUBLE -> BIGINT"
  expect_out 'column "amount" changed type DOUBLE -> BIGINT (breaking'
  same_target <<'EOF'
id,customer,amount
1,ann,1.5
2,bob,2.5
EOF
  sf schema compare src
  expect_rc 1 "compare of a breaking change"
  expect_out "breaking against the accepted schema"
  sf --json schema compare src
  expect_rc 1 "compare --json of a breaking change"
  check "$OUT" '
expect(d["verdict"] == "breaking", d)
c = d["changes"][0]
expect(c["change"] == "type_changed" and c["from"] == "DOUBLE" and c["to"] == "BIGINT" and c["breaking"], c)
expect(d["current"]["fingerprint"] == d["current_fingerprint"], d)
'
  ok
fi

if begin evolve_still_fails_on_breaking_changes; then
  orders_project evolve_breaking APPEND '"on_schema_change": "evolve"'
  baseline
  data <<'EOF'
id,customer,amount
3,cy,x
EOF
  sf pipeline run p
  # DOUBLE -> VARCHAR is a safe widening (any type fits VARCHAR), so evolve accepts it; the
  # APPEND then refuses the wider type itself.
  expect_out 'column "amount" widened DOUBLE -> VARCHAR'
  data <<'EOF'
id,name,amount
3,cy,1.5
EOF
  sf pipeline run p
  expect_rc 1 "evolve + a removed column"
  expect_out "error[SF-RUN-009]"
  expect_out "(on_schema_change: evolve)"
  ok
fi

if begin reordered_columns_are_compatible; then
  orders_project reordered APPEND
  baseline
  data <<'EOF'
amount,id,customer
3.5,3,cy
EOF
  sf pipeline run p
  expect_rc 0 "reordered run"
  expect_out 'column "amount" moved from position 3 to 1'
  same_target <<'EOF'
id,customer,amount
1,ann,1.5
2,bob,2.5
3,cy,3.5
EOF
  ok
fi

if begin ignore_skips_the_check; then
  orders_project ignored REPLACE '"on_schema_change": "ignore"'
  baseline
  data <<'EOF'
x
9
EOF
  sf pipeline run p
  expect_rc 0 "ignore run"
  expect_no_msg "SF-SCHEMA"
  # Nothing recorded: the pipeline must be named (the project has two).
  sf --json schema history src
  expect_rc 2 "history without --pipeline"
  expect_err "error[SF-SCHEMA-002]"
  sf --json schema history src --pipeline p
  expect_rc 0 "history --pipeline p"
  check "$OUT" 'expect(d == [], "ignore records nothing: %r" % d)'
  ok
fi

if begin profile_policy_applies_unless_the_source_says; then
  orders_project profile_warn REPLACE "" $'schema:\n  on_schema_change: warn'
  baseline
  data <<'EOF'
id
3
EOF
  sf pipeline run p
  expect_rc 0 "profile warn"
  expect_out "(breaking, on_schema_change: warn)"
  # PARAMS win over the profile.
  orders_project profile_override REPLACE '"on_schema_change": "fail"' $'schema:\n  on_schema_change: warn'
  baseline
  data <<'EOF'
id
3
EOF
  sf pipeline run p
  expect_rc 1 "PARAMS fail over profile warn"
  expect_out "error[SF-RUN-009]"
  # REPLACE read the new rows inside its transaction; the failed check rolled them back.
  same_target <<'EOF'
id,customer,amount
1,ann,1.5
2,bob,2.5
EOF
  ok
fi

if begin bad_policies_are_usage_errors_with_hints; then
  orders_project bad_param REPLACE '"on_schema_change": "evolv"'
  data <<'EOF'
id
1
EOF
  sf pipeline run p
  expect_rc 2 "bad PARAMS value"
  expect_err "must be one of fail, warn, evolve, ignore"
  expect_err "did you mean 'evolve'"
  orders_project bad_profile REPLACE "" $'schema:\n  on_schema_chang: warn'
  sf pipeline run p
  expect_rc 2 "bad profile key"
  expect_err "on_schema_change"
  orders_project bad_profile_value REPLACE "" $'schema:\n  on_schema_change: sometimes'
  sf pipeline run p
  expect_rc 2 "bad profile value"
  expect_err "schema.on_schema_change must be one of fail, warn, evolve, ignore"
  ok
fi

if begin accept_then_rerun_passes_and_history_tells_the_story; then
  orders_project accept REPLACE
  baseline
  FIRST_RUN="$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["run_id"])' < <(cd "$P" && "$SQLFLOW" --json runs p))"
  cp "$P/data/orders.csv" "$ROOT/accept-v1.csv"
  sf --json schema show src
  cp "$OUT" "$ROOT/accepted-v1.json"
  data <<'EOF'
id,customer,amount
3,cy,3
EOF
  sf pipeline run p
  expect_rc 1 "breaking run"
  sf schema accept src
  expect_rc 0 "schema accept"
  expect_out "Accepted the current schema of source src (pipeline p)"
  expect_out 'column "amount" changed type DOUBLE -> BIGINT'
  sf pipeline run p
  expect_rc 0 "rerun after accept"
  expect_no_msg "warning"
  same_target <<'EOF'
id,customer,amount
3,cy,3
EOF
  sf schema history src
  expect_rc 0 "schema history"
  expect_out "newest first"
  expect_out "ACCEPTED"
  expect_out '      - column "amount" changed type DOUBLE -> BIGINT'
  expect_out "      baseline: id BIGINT, customer VARCHAR, amount DOUBLE"
  sf --json schema history src
  check "$OUT" '
expect(len(d) == 2, "snapshots: %d" % len(d))
newest, oldest = d
expect(newest["id"] > oldest["id"] and newest["captured_at"] >= oldest["captured_at"], "order")
expect(newest["accepted"] and not oldest["accepted"], "the accepted flag moved to the newest")
expect(newest["verdict"] == "breaking" and newest["diff"]["changes"][0]["column"] == "amount", newest)
expect(oldest["verdict"] == "baseline" and oldest["diff"] is None, oldest)
'
  # compare against the first run, and against the file that `schema show --json` wrote.
  sf --json schema compare src --against "$FIRST_RUN"
  expect_rc 1 "compare against the first run"
  check "$OUT" 'expect(d["against"].startswith("run ") and d["verdict"] == "breaking", d)'
  sf schema compare src --against "$ROOT/accepted-v1.json"
  expect_rc 1 "compare against a file"
  expect_out "against the file"
  sf schema compare src
  expect_rc 0 "compare against the accepted schema"
  expect_out "identical"
  # Back to the first shape: BIGINT -> DOUBLE is not a safe widening (a DOUBLE cannot hold every
  # BIGINT exactly), so it is breaking as well.
  cp "$ROOT/accept-v1.csv" "$P/data/orders.csv"
  sf --json schema compare src
  expect_rc 1 "BIGINT -> DOUBLE"
  ok
fi

if begin cli_errors_name_the_problem; then
  orders_project cli_errors REPLACE
  sf schema show src
  expect_rc 2 "show before any run, two pipelines"
  expect_err "error[SF-SCHEMA-002]: no schema recorded for source 'src'"
  sf schema show src --pipeline p
  expect_rc 2 "show before any run"
  expect_err "error[SF-SCHEMA-003]"
  baseline
  sf schema compare srcc --pipeline p
  expect_rc 2 "unknown source"
  expect_err "error[SF-SCHEMA-001]: pipeline p has no SOURCE 'srcc'"
  expect_err "did you mean 'src'"
  sf schema compare src --against nope
  expect_rc 2 "bad --against"
  expect_err "error[SF-SCHEMA-005]"
  echo '{"columns": 3}' > "$ROOT/bad-schema.json"
  sf schema compare src --against "$ROOT/bad-schema.json"
  expect_rc 2 "malformed schema file"
  expect_err "cannot read schema file"
  sf schema show src --pipeline nope
  expect_rc 2 "unknown pipeline"
  ok
fi

echo "$PASSED passed, 0 failed"
