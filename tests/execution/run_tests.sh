#!/usr/bin/env bash
# Tests of the execution model: the parallel DAG executor, failure policies, retries, partial runs
# (--only, --from, --resume), interrupts, the state store read by `status` while a run goes on,
# metrics, the DAG pictures and the profile's `execution` keys.
#   tests/execution/run_tests.sh SQLFLOW_BINARY
# Prints "ok <name>" per test and "N passed, 0 failed" at the end; stops at the first failure.
# Timings come from the state store (`sqlflow --json status`): started_at/ended_at per step.
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"

suite_scratch execution



# sf ARGS...: runs sqlflow in the current project (bounded), keeping stdout/stderr/exit code.

# status_json [RUN_ID]: the run and its steps as JSON in $ROOT/status.json (global --json first).
status_json() {
  sf --json status "$@"
  expect_rc 0 "sqlflow --json status $*"
  cp "$OUT" "$ROOT/status.json"
}

SLOW_ROWS=80000000  # ~0.5 s of one core: the policy tests need a step still running when another fails
slow_sql() { echo "SELECT count(*) AS n FROM range($SLOW_ROWS) r(i) WHERE hash(i) % 7 = 0"; }

# ---------------------------------------------------------------------------------------------
begin parallel_steps_overlap
new_project overlap
pipeline p <<EOF
CREATE TABLE a AS $(slow_sql);
CREATE TABLE b AS $(slow_sql);
EOF
# That independent steps overlap on two workers is checked without timing by the scheduler's unit
# tests (SchedulerTest.IndependentStepsOverlapAndDependentsWait); here the CLI's worker count.
sf pipeline run p --threads 2
expect_rc 0 "pipeline run p --threads 2"
expect_out "2 workers"
status_json
check "$ROOT/status.json" '
a, b = steps["transform_a"], steps["transform_b"]
expect(run["threads"] == 2, "run.threads %r" % run["threads"])
expect(a["status"] == b["status"] == "SUCCEEDED", "both steps succeed: %r" % statuses())
'
sf pipeline run p --threads 1
expect_rc 0 "pipeline run p --threads 1"
expect_out "1 worker)"
status_json
check "$ROOT/status.json" '
a, b = steps["transform_a"], steps["transform_b"]
expect(run["threads"] == 1, "run.threads %r" % run["threads"])
expect(b["started_at"] >= a["ended_at"], "steps overlapped on one worker")
'
ok

# ---------------------------------------------------------------------------------------------
begin random_dags_respect_dependencies
new_project dags
# 20 random DAGs of 15-25 transforms (fixed seed); each reads 0-3 earlier tables and does a
# random amount of work. The expected dependencies are written to data/<name>.json.
"$PYTHON" - "$P" <<'PY'
import json, random, sys
root = sys.argv[1]
rng = random.Random(20261126)
for n in range(20):
    count = rng.randint(15, 25)
    lines, deps = [], {}
    for i in range(count):
        parents = sorted(rng.sample(range(i), min(i, rng.choice([0, 1, 1, 2, 2, 3]))))
        work = rng.choice([0, 200000, 1000000, 3000000])
        terms = ["count(*)"] + ["(SELECT max(v) FROM t%d)" % p for p in parents]
        lines.append("CREATE TABLE t%d AS SELECT %s AS v FROM range(%d) r(i) WHERE hash(i) %% 3 = 0;"
                     % (i, " + ".join(terms), work))
        deps["transform_t%d" % i] = ["transform_t%d" % p for p in parents]
    with open("%s/pipelines/dag%02d.sf" % (root, n), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open("%s/data/dag%02d.json" % (root, n), "w") as f:
        json.dump(deps, f)
PY
max_parallel=0
for n in $(seq -w 0 19); do
  name="dag$n"
  sf pipeline run "$name" --threads 4
  expect_rc 0 "pipeline run $name --threads 4"
  status_json
  cp "$ROOT/status.json" "$ROOT/$name.status.json"
  check "$ROOT/$name.status.json" '
expected = json.load(open("'"$P/data/$name.json"'"))
expect(run["status"] == "SUCCEEDED", "run status %s" % run["status"])
expect(run["threads"] == 4, "run.threads %r" % run["threads"])
expect(set(steps) == set(expected), "step ids differ: %r" % sorted(set(steps) ^ set(expected)))
for step_id, s in steps.items():
    expect(s["status"] == "SUCCEEDED", "%s is %s" % (step_id, s["status"]))
    expect(sorted(s["depends_on"]) == sorted(expected[step_id]),
           "%s depends_on %r, expected %r" % (step_id, s["depends_on"], expected[step_id]))
    expect(0 < s["started_at"] <= s["ended_at"], "%s has no sane timestamps" % step_id)
    for dep in s["depends_on"]:
        expect(s["started_at"] >= steps[dep]["ended_at"],
               "%s started at %f before its dependency %s ended at %f"
               % (step_id, s["started_at"], dep, steps[dep]["ended_at"]))
# At most 4 steps at once: count the steps running at each start.
for s in steps.values():
    at = s["started_at"]
    running = sum(1 for o in steps.values() if o["started_at"] <= at < o["ended_at"])
    expect(running <= 4, "%d steps ran at once on 4 workers" % running)
'
  parallel="$("$PYTHON" -c '
import json, sys
steps = json.load(open(sys.argv[1]))["steps"]
print(max(sum(1 for o in steps if o["started_at"] <= s["started_at"] < o["ended_at"]) for s in steps))
' "$ROOT/$name.status.json")"
  [ "$parallel" -gt "$max_parallel" ] && max_parallel="$parallel"
done
[ "$max_parallel" -ge 2 ] || fail "no step of 20 random DAGs ran in parallel with another"
ok

# ---------------------------------------------------------------------------------------------
begin writers_of_one_table_keep_file_order
new_project writers
# The first writer is slow; the later APPEND writers do not read the table, so only the
# write-write ordering keeps them after it. `other` is independent and may run at any time.
pipeline w <<EOF
CREATE TABLE log AS SELECT 1 AS seq, count(*) AS work FROM range(40000000) r(i) WHERE hash(i) % 7 = 0;
CREATE TABLE log MODE APPEND AS SELECT 2 AS seq, 0 AS work;
INSERT INTO log SELECT 3 AS seq, 0 AS work;
CREATE TABLE log MODE APPEND AS SELECT 4 AS seq, count(*) AS work FROM range(10000000) r(i) WHERE hash(i) % 7 = 0;
CREATE TABLE other AS SELECT 1 AS x;
EXPORT SELECT seq FROM log ORDER BY rowid TO 'out/log.csv' TYPE CSV;
EOF
sf pipeline run w --threads 4
expect_rc 0 "pipeline run w --threads 4"
printf 'seq\n1\n2\n3\n4\n' | cmp -s - "$P/out/log.csv" || fail "log.csv is not 1,2,3,4: $(tr '\n' ' ' < "$P/out/log.csv")"
status_json
check "$ROOT/status.json" '
writers = ["transform_log", "transform_log_2", "sql_1", "transform_log_3"]
for w in writers:
    expect(steps[w]["status"] == "SUCCEEDED", "%s is %s" % (w, steps[w]["status"]))
for first, second in zip(writers, writers[1:]):
    expect(first in steps[second]["depends_on"], "%s does not depend on %s" % (second, first))
for i, x in enumerate(writers):
    for y in writers[i + 1:]:
        a, b = steps[x], steps[y]
        expect(a["ended_at"] <= b["started_at"],
               "writers %s [%f, %f] and %s [%f, %f] overlap or are out of file order"
               % (x, a["started_at"], a["ended_at"], y, b["started_at"], b["ended_at"]))
'
ok

# ---------------------------------------------------------------------------------------------
# A slow step and a failing one start together; the rest waits for a free worker.
policy_pipeline() {
  pipeline pol <<EOF
CREATE TABLE slow AS $(slow_sql);
CREATE TABLE bad AS SELECT CAST(v AS INTEGER) AS v FROM (VALUES ('x')) t(v);
CREATE TABLE x1 AS SELECT 1 AS v;
CREATE TABLE x2 AS SELECT 2 AS v;
CREATE TABLE after_bad AS SELECT * FROM bad;
CREATE TABLE after_after_bad AS SELECT * FROM after_bad;
CREATE TABLE after_slow AS SELECT n AS v FROM slow;
EXPORT x1 TO 'out/x1.csv' TYPE CSV;
EXPORT after_bad TO 'out/after_bad.csv' TYPE CSV;
EXPORT after_slow TO 'out/after_slow.csv' TYPE CSV;
EOF
}

begin fail_fast_stops_new_steps
new_project fail_fast
policy_pipeline
sf pipeline run pol --threads 2
expect_rc 1 "a failing run with fail_fast"
expect_out "Could not convert string 'x' to INT32"
status_json
check "$ROOT/status.json" '
expect(run["status"] == "FAILED", "run status %s" % run["status"])
expect(run["policy"] == "fail_fast", "policy %s" % run["policy"])
expect(run["error_code"] == "SF-RUN-001" and run["error"].startswith("transform_bad:"), "run error %r" % run["error"])
bad, slow = steps["transform_bad"], steps["transform_slow"]
expect(bad["status"] == "FAILED", "bad is %s" % bad["status"])
expect(slow["status"] == "SUCCEEDED", "the running step must finish, it is %s" % slow["status"])
expect(slow["started_at"] < bad["ended_at"] < slow["ended_at"], "slow was not running when bad failed")
for step_id, s in steps.items():
    if step_id in ("transform_bad", "transform_slow"):
        continue
    expect(s["status"] == "SKIPPED", "%s is %s, expected SKIPPED" % (step_id, s["status"]))
    expect(s["started_at"] == 0, "%s started after the failure" % step_id)
    expect(s["error"] != "not selected", "%s looks deselected" % step_id)
'
[ ! -e "$P/out/x1.csv" ] || fail "fail_fast ran x1's export after the failure"
[ ! -e "$P/out/after_slow.csv" ] || fail "fail_fast ran after_slow's export after the failure"
ok

begin continue_runs_everything_not_downstream
new_project continue
policy_pipeline
sf pipeline run pol --threads 2 --on-failure continue
expect_rc 1 "a failing run with continue"
expect_out "1 failed, 3 skipped"
status_json
check "$ROOT/status.json" '
expect(run["status"] == "FAILED", "run status %s" % run["status"])
expect(run["policy"] == "continue", "policy %s" % run["policy"])
want = {"transform_slow": "SUCCEEDED", "transform_bad": "FAILED", "transform_x1": "SUCCEEDED",
        "transform_x2": "SUCCEEDED", "transform_after_bad": "SKIPPED",
        "transform_after_after_bad": "SKIPPED", "transform_after_slow": "SUCCEEDED",
        "export_csv_x1": "SUCCEEDED", "export_csv_after_bad": "SKIPPED",
        "export_csv_after_slow": "SUCCEEDED"}
expect(statuses() == want, "statuses %r" % statuses())
for step_id in ("transform_x1", "transform_x2", "transform_after_slow"):
    expect(steps[step_id]["started_at"] > 0, "%s never started" % step_id)
'
[ -f "$P/out/x1.csv" ] || fail "continue did not export x1"
[ -f "$P/out/after_slow.csv" ] || fail "continue did not export after_slow"
[ ! -e "$P/out/after_bad.csv" ] || fail "continue exported downstream of the failure"
ok

# ---------------------------------------------------------------------------------------------
begin retries_transient_faults
new_project retries
pipeline r <<'EOF'
CREATE TABLE a AS SELECT 1 AS v;
CREATE TABLE b AS SELECT v + 1 AS v FROM a;
EOF
FAULT="transform_a=2"
sf pipeline run r --retries 2 --retry-delay 0.05
expect_rc 0 "two transient faults with --retries 2"
expect_out "retry transform_a failed (attempt 1): injected transient fault"
expect_out "retry transform_a failed (attempt 2)"
expect_out "(2 retries)"
FAULT=""
status_json
check "$ROOT/status.json" '
a = steps["transform_a"]
expect(run["status"] == "SUCCEEDED", "run status %s" % run["status"])
expect(a["status"] == "SUCCEEDED" and a["retries"] == 2, "transform_a %s retries=%d" % (a["status"], a["retries"]))
expect(a["ended_at"] - a["started_at"] >= 0.15 - 0.01, "retry delays 0.05 s then 0.1 s were not waited: %f"
       % (a["ended_at"] - a["started_at"]))
expect(steps["transform_b"]["retries"] == 0, "b retried")
'
run_id="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["run_id"])' "$ROOT/status.json")"
events="$P/target/runs/$run_id/events.jsonl"
[ -f "$events" ] || fail "no event log $events"
[ "$(grep -c '"event":"step_retrying"' "$events")" -eq 2 ] || fail "expected 2 step_retrying events in $events"
sf metrics r --format json
check "$OUT" 'expect(d[0]["retries"] == 2, "metrics retries %r" % d[0]["retries"])'

FAULT="transform_a=3"
sf pipeline run r --retries 2 --retry-delay 0.01
expect_rc 1 "three transient faults with --retries 2"
FAULT=""
status_json
check "$ROOT/status.json" '
a = steps["transform_a"]
expect(a["status"] == "FAILED" and a["retries"] == 2, "transform_a %s retries=%d" % (a["status"], a["retries"]))
expect(a["error_code"] == "SF-RUN-007" and a["error"] == "injected transient fault", "error %r" % a["error"])
expect(steps["transform_b"]["status"] == "SKIPPED", "b is %s" % steps["transform_b"]["status"])
'
FAULT="transform_a=1"
sf pipeline run r
expect_rc 1 "a transient fault without --retries"
FAULT=""
status_json
check "$ROOT/status.json" '
a = steps["transform_a"]
expect(a["status"] == "FAILED" and a["retries"] == 0, "transform_a %s retries=%d" % (a["status"], a["retries"]))
'
ok

begin permanent_errors_are_not_retried
pipeline perm <<'EOF'
CREATE TABLE a AS SELECT 1 AS v;
CREATE TABLE broken AS SELECT CAST(v AS INTEGER) AS v FROM (VALUES ('x')) t(v);
EOF
sf pipeline run perm --retries 3 --retry-delay 0.5
expect_rc 1 "a permanent SQL error with --retries 3"
grep -qF "retry transform_broken" "$OUT" && fail "a permanent SQL error was retried"
status_json
check "$ROOT/status.json" '
s = steps["transform_broken"]
expect(s["status"] == "FAILED", "broken is %s" % s["status"])
expect(s["retries"] == 0, "a permanent error was retried %d times" % s["retries"])
expect(s["ended_at"] - s["started_at"] < 0.5, "a permanent error waited for a retry delay")
expect(s["error_code"] == "SF-RUN-001", "error code %s" % s["error_code"])
'
ok

# ---------------------------------------------------------------------------------------------
begin resume_reruns_only_failed_and_skipped
new_project resume persistent
pipeline setup <<'EOF'
CREATE OR REPLACE TABLE ticks (n INTEGER);
EOF
# data/in.csv is missing at first: the load fails at run time; then typed fails with type=DATE.
# `ticks` counts the runs of sql_1.
pipeline m <<'EOF'
SOURCE in_src TYPE CSV PARAMS {"path": "data/in.csv", "has_header": true};
INSERT INTO ticks VALUES (1);
CREATE TABLE indep AS SELECT 42 AS v;
LOAD inp FROM in_src;
CREATE TABLE typed AS SELECT CAST(v AS ${type}) AS v FROM inp;
CREATE TABLE after_typed AS SELECT v * 2 AS v FROM typed;
EXPORT SELECT (SELECT count(*) FROM ticks) AS ticks, (SELECT sum(v) FROM after_typed) AS total,
  (SELECT count(*) FROM indep) AS indep TO 'out/result.csv' TYPE CSV;
EOF
sf pipeline run setup
expect_rc 0 "pipeline run setup"
sf pipeline run m --threads 2 --vars type=INTEGER
expect_rc 1 "the first run (input missing)"
status_json
check "$ROOT/status.json" '
want = {"source_in_src": "SUCCEEDED", "sql_1": "SUCCEEDED", "transform_indep": "SUCCEEDED",
        "load_inp": "FAILED", "transform_typed": "SKIPPED", "transform_after_typed": "SKIPPED",
        "export_csv_result": "SKIPPED"}
expect(statuses() == want, "first run: %r" % statuses())
'
first_run="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["run_id"])' "$ROOT/status.json")"
printf 'v\n1\n2\n' > "$P/data/in.csv"  # the input is fixed, but the cast is wrong
sf pipeline run m --resume --threads 2 --vars type=DATE
expect_rc 1 "the first resume (type=DATE)"
status_json
check "$ROOT/status.json" '
want = {"source_in_src": "SUCCEEDED", "sql_1": "SKIPPED", "transform_indep": "SKIPPED",
        "load_inp": "SUCCEEDED", "transform_typed": "FAILED", "transform_after_typed": "SKIPPED",
        "export_csv_result": "SKIPPED"}
expect(statuses() == want, "first resume: %r" % statuses())
for step_id in ("sql_1", "transform_indep"):
    expect(steps[step_id]["error"] == "not selected", "%s error %r" % (step_id, steps[step_id]["error"]))
    expect(steps[step_id]["started_at"] == 0, "%s was rerun" % step_id)
'
sf pipeline run m --resume --threads 2 --vars type=INTEGER
expect_rc 0 "the second resume (type=INTEGER)"
status_json
check "$ROOT/status.json" '
want = {"source_in_src": "SUCCEEDED", "sql_1": "SKIPPED", "transform_indep": "SKIPPED",
        "load_inp": "SKIPPED", "transform_typed": "SUCCEEDED", "transform_after_typed": "SUCCEEDED",
        "export_csv_result": "SUCCEEDED"}
expect(run["status"] == "SUCCEEDED", "run status %s" % run["status"])
expect(statuses() == want, "second resume: %r" % statuses())
# Done in the first run (sql_1, indep) or in the first resume (load_inp): not rerun.
for step_id in ("sql_1", "transform_indep", "load_inp"):
    expect(steps[step_id]["error"] == "not selected", "%s error %r" % (step_id, steps[step_id]["error"]))
    expect(steps[step_id]["started_at"] == 0, "%s was rerun" % step_id)
'
printf 'ticks,total,indep\n1,6,1\n' | cmp -s - "$P/out/result.csv" ||
  fail "result.csv after resume: $(tr '\n' ' ' < "$P/out/result.csv") (sql_1 must have run once)"
sf pipeline run m --resume --vars type=INTEGER
expect_rc 2 "--resume after a successful run"
expect_err "SF-CLI-008"
expect_err "has nothing to resume"
sf --json status "$first_run"
expect_rc 0 "status of the first run"
check "$OUT" 'expect(run["status"] == "FAILED" and steps["load_inp"]["status"] == "FAILED", "first run changed")'
ok

# ---------------------------------------------------------------------------------------------
begin only_and_from_select_steps
new_project partial persistent
pipeline chain <<'EOF'
CREATE TABLE a MODE APPEND AS SELECT 1 AS v;
CREATE TABLE b MODE APPEND AS SELECT count(*) AS v FROM a;
CREATE TABLE c MODE APPEND AS SELECT count(*) AS v FROM b;
CREATE TABLE x MODE APPEND AS SELECT 1 AS v;
EOF
pipeline report <<'EOF'
EXPORT SELECT (SELECT count(*) FROM a) AS a, (SELECT count(*) FROM b) AS b, (SELECT count(*) FROM c) AS c,
  (SELECT count(*) FROM x) AS x TO 'out/counts.csv' TYPE CSV;
EOF
COUNTS=""
counts() { # a,b,c,x: the rows of each table, in COUNTS
  sf pipeline run report -q
  expect_rc 0 "pipeline run report"
  COUNTS="$(tail -1 "$P/out/counts.csv")"
}
sf pipeline run chain --threads 2
expect_rc 0 "full run"
counts
[ "$COUNTS" = "1,1,1,1" ] || fail "after the full run: $COUNTS, expected 1,1,1,1"
sf pipeline run chain --threads 2 --from transform_b
expect_rc 0 "--from transform_b"
status_json
check "$ROOT/status.json" '
want = {"transform_a": "SKIPPED", "transform_b": "SUCCEEDED", "transform_c": "SUCCEEDED", "transform_x": "SKIPPED"}
expect(statuses() == want, "--from: %r" % statuses())
expect(steps["transform_a"]["error"] == "not selected" and steps["transform_x"]["error"] == "not selected",
       "unselected steps must say not selected")
expect(steps["transform_c"]["started_at"] >= steps["transform_b"]["ended_at"], "c started before b ended")
'
counts
[ "$COUNTS" = "1,2,2,1" ] || fail "after --from transform_b: $COUNTS, expected 1,2,2,1"
sf pipeline run chain --threads 2 --only transform_x transform_a
expect_rc 0 "--only transform_x transform_a"
status_json
check "$ROOT/status.json" '
want = {"transform_a": "SUCCEEDED", "transform_b": "SKIPPED", "transform_c": "SKIPPED", "transform_x": "SUCCEEDED"}
expect(statuses() == want, "--only: %r" % statuses())
'
counts
[ "$COUNTS" = "2,2,2,2" ] || fail "after --only transform_x transform_a: $COUNTS, expected 2,2,2,2"
sf pipeline run chain --only transform_bb
expect_rc 2 "--only with an unknown step"
expect_err "error[SF-CLI-005]: pipeline chain has no step 'transform_bb'"
expect_err "transform_b"
sf pipeline run chain --only transform_a --from transform_b
expect_rc 2 "--only with --from"
expect_err "SF-CLI-006"
sf pipeline run chain --from transform_a --resume
expect_rc 2 "--from with --resume"
expect_err "SF-CLI-006"
new_project partial_memory
pipeline chain <<'EOF'
CREATE TABLE a AS SELECT 1 AS v;
EOF
sf pipeline run chain --resume
expect_rc 2 "--resume on an in-memory database"
expect_err "SF-CLI-007"
ok

# ---------------------------------------------------------------------------------------------
begin status_from_another_process_while_running
new_project interrupt
pipeline long <<'EOF'
CREATE TABLE quick AS SELECT 1 AS x;
CREATE TABLE slow AS SELECT count(*) AS n FROM range(20000000000) r(i) WHERE hash(i) % 7 = 0;
CREATE TABLE after_slow AS SELECT * FROM slow;
EOF
(cd "$P" && exec "$SQLFLOW" pipeline run long --threads 2) > "$ROOT/long.out" 2> "$ROOT/long.err" &
BACKGROUND_PID=$!
seen=""
for _ in $(seq 100); do
  sleep 0.1
  sf --json status
  [ "$RC" -eq 0 ] || continue
  if "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["run"]["status"] == "RUNNING" and d["steps"]
         and any(s["status"] == "RUNNING" for s in d["steps"]) else 1)' "$OUT" 2>/dev/null; then
    seen=yes
    break
  fi
done
[ -n "$seen" ] || fail "status never showed a RUNNING run with a RUNNING step"
check "$OUT" '
expect(run["pipeline"] == "long" and run["ended_at"] == 0, "run %r" % run)
expect(steps["transform_slow"]["status"] == "RUNNING", "slow is %s" % steps["transform_slow"]["status"])
expect(steps["transform_after_slow"]["status"] == "PENDING", "after_slow is %s" % steps["transform_after_slow"]["status"])
'
sf status
expect_rc 0 "sqlflow status during the run"
expect_out "RUNNING"
expect_out "so far"
sf runs long
expect_rc 0 "sqlflow runs during the run"
expect_out "RUNNING"
ok

begin sigint_interrupts_long_query
# The slow step was seen RUNNING above; it cannot end by itself before the signals.
kill -0 "$BACKGROUND_PID" 2>/dev/null || fail "the long run ended by itself"
interrupt_start="$(date +%s.%N)"
# A second signal while the run stops (Ctrl-C twice, or a SIGTERM after it) changes nothing: the
# run still rolls back and records itself as interrupted.
kill -INT "$BACKGROUND_PID"
kill -TERM "$BACKGROUND_PID" 2>/dev/null || true
kill -INT "$BACKGROUND_PID" 2>/dev/null || true
for _ in $(seq 100); do
  kill -0 "$BACKGROUND_PID" 2>/dev/null || break
  sleep 0.05
done
if kill -0 "$BACKGROUND_PID" 2>/dev/null; then
  kill -KILL "$BACKGROUND_PID"
  fail "the run was still going 5 s after SIGINT"
fi
rc=0
wait "$BACKGROUND_PID" || rc=$?
BACKGROUND_PID=""
elapsed="$("$PYTHON" -c 'import sys, time; print("%.2f" % (time.time() - float(sys.argv[1])))' "$interrupt_start")"
[ "$rc" -eq 130 ] || { cat "$ROOT/long.out" "$ROOT/long.err" >&2; fail "exit code $rc after SIGINT, expected 130"; }
grep -qF "interrupted" "$ROOT/long.out" || fail "the summary does not say interrupted"
status_json
check "$ROOT/status.json" '
expect(run["status"] == "INTERRUPTED", "run status %s" % run["status"])
expect(run["ended_at"] > 0, "the interrupted run has no end time")
want = {"transform_quick": "SUCCEEDED", "transform_slow": "INTERRUPTED", "transform_after_slow": "SKIPPED"}
expect(statuses() == want, "statuses %r" % statuses())
'
TEST="sigint_interrupts_long_query (${elapsed}s)"
ok

# ---------------------------------------------------------------------------------------------
begin metrics_match_row_counts
new_project metrics
printf 'id,amount\n1,5\n2,15\n3,25\n4,35\n5,45\n' > "$P/data/people.csv"
pipeline m <<'EOF'
SOURCE people_src TYPE CSV PARAMS {"path": "data/people.csv", "has_header": true};
LOAD people FROM people_src;
CREATE TABLE big AS SELECT * FROM people WHERE amount > 10;
CREATE TABLE tiny AS SELECT * FROM people WHERE amount < 10;
EXPORT big TO 'out/big.csv' TYPE CSV;
EOF
pipeline other <<'EOF'
CREATE TABLE o AS SELECT * FROM range(7) r(i);
EOF
sf pipeline run m --threads 2
expect_rc 0 "pipeline run m"
sf pipeline run other
expect_rc 0 "pipeline run other"
sf --json status
check "$OUT" 'expect(run["pipeline"] == "other" and steps["transform_o"]["rows_written"] == 7, "status of other")'
sf --json runs m
check "$OUT" 'expect(len(d) == 1 and d[0]["pipeline"] == "m", "runs m: %r" % d)'
m_run="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["run_id"])' "$OUT")"
status_json "$m_run"
check "$ROOT/status.json" '
written = {k: v["rows_written"] for k, v in steps.items()}
expect(written == {"source_people_src": 0, "load_people": 5, "transform_big": 4, "transform_tiny": 1,
                   "export_csv_big": 4}, "rows_written %r" % written)
read = {k: v["rows_read"] for k, v in steps.items()}
expect(read == {"source_people_src": 0, "load_people": 5, "transform_big": 5, "transform_tiny": 5,
                "export_csv_big": 4}, "rows_read %r" % read)
expect(steps["export_csv_big"]["bytes"] == '"$(wc -c < "$P/out/big.csv" | tr -d ' ')"',
       "export bytes %r, out/big.csv has '"$(wc -c < "$P/out/big.csv" | tr -d ' ')"'" % steps["export_csv_big"]["bytes"])
'
sf metrics m --format json
expect_rc 0 "metrics m --format json"
check "$OUT" '
expect(len(d) == 1, "metrics m lists %d runs" % len(d))
m = d[0]
expect(m["pipeline"] == "m" and m["status"] == "SUCCEEDED", "metrics %r" % m)
expect(m["rows_written"] == 14 and m["rows_read"] == 19, "totals written=%r read=%r" % (m["rows_written"], m["rows_read"]))
expect(m["retries"] == 0 and m["change"] is None and m["regression"] is False, "first run: %r" % m)
'
sf metrics --format csv
expect_rc 0 "metrics --format csv"
check <("$PYTHON" -c '
import csv, json, sys
print(json.dumps(list(csv.DictReader(open(sys.argv[1])))))' "$OUT") '
by = {r["pipeline"]: r for r in d}
expect(set(by) == {"m", "other"}, "csv pipelines %r" % sorted(by))
expect(by["m"]["rows_written"] == "14" and by["m"]["rows_read"] == "19", "csv m %r" % by["m"])
expect(by["other"]["rows_written"] == "7" and by["other"]["status"] == "SUCCEEDED", "csv other %r" % by["other"])
'
# A second run of m with two more rows: the exporters show the latest values and a change.
printf '6,55\n7,65\n' >> "$P/data/people.csv"
sf pipeline run m
expect_rc 0 "second run of m"
sf metrics m --format json
check "$OUT" '
expect(len(d) == 2 and d[0]["rows_written"] == 20 and d[1]["rows_written"] == 14, "metrics %r" % d)
expect(d[0]["change"] is not None and d[1]["change"] is None, "change %r" % [m["change"] for m in d])
'
sf metrics --format prometheus
expect_rc 0 "metrics --format prometheus"
for line in \
  '# TYPE sqlflow_run_rows_written gauge' \
  'sqlflow_run_rows_written{pipeline="m"} 20' \
  'sqlflow_run_rows_written{pipeline="other"} 7' \
  'sqlflow_run_rows_read{pipeline="m"} 27' \
  'sqlflow_run_success{pipeline="m"} 1' \
  'sqlflow_run_retries{pipeline="m"} 0' \
  'sqlflow_step_rows_written{pipeline="m",step="load_people"} 7' \
  'sqlflow_step_rows_written{pipeline="m",step="transform_big"} 6' \
  'sqlflow_step_rows_written{pipeline="m",step="transform_tiny"} 1' \
  'sqlflow_step_rows_written{pipeline="m",step="export_csv_big"} 6' \
  'sqlflow_step_rows_written{pipeline="other",step="transform_o"} 7'; do
  grep -qxF -- "$line" "$OUT" || fail "prometheus output lacks the line: $line"
done
grep -q '^sqlflow_step_duration_seconds{pipeline="m",step="load_people",status="SUCCEEDED"} [0-9.e-]*$' "$OUT" ||
  fail "prometheus output lacks the step duration of load_people"
[ "$(grep -c '^sqlflow_run_rows_written{' "$OUT")" -eq 2 ] || fail "one sample per pipeline expected"
grep -q '# EOF' "$OUT" && fail "plain Prometheus text must not end with # EOF"
sf metrics --format openmetrics
expect_rc 0 "metrics --format openmetrics"
[ "$(tail -1 "$OUT")" = "# EOF" ] || fail "OpenMetrics output must end with # EOF"
grep -qxF 'sqlflow_run_rows_written{pipeline="m"} 20' "$OUT" || fail "openmetrics lacks rows_written"
ok

# ---------------------------------------------------------------------------------------------
begin viz_every_format
new_project viz
pipeline g <<'EOF'
CREATE TABLE a AS SELECT 1 AS v;
CREATE TABLE b AS SELECT v + 1 AS v FROM a;
CREATE TABLE bad AS SELECT CAST('x' || v AS INTEGER) AS v FROM a;
CREATE TABLE after_bad AS SELECT * FROM bad;
EXPORT b TO 'out/b.csv' TYPE CSV;
EOF
step_ids='["transform_a", "transform_b", "transform_bad", "transform_after_bad", "export_csv_b"]'
sf pipeline viz g
expect_rc 0 "pipeline viz g"
for ext in dot mmd svg html; do
  [ -s "$P/target/viz/g.$ext" ] || fail "pipeline viz g did not write target/viz/g.$ext"
  expect_out "g.$ext"
done
for edge in '"transform_a" -> "transform_b";' '"transform_a" -> "transform_bad";' \
            '"transform_bad" -> "transform_after_bad";' '"transform_b" -> "export_csv_b";'; do
  grep -qF -- "$edge" "$P/target/viz/g.dot" || fail "g.dot lacks the edge $edge"
done
grep -q '^digraph "g" {' "$P/target/viz/g.dot" || fail "g.dot is not a digraph"
[ "$(grep -c -- '->' "$P/target/viz/g.dot")" -eq 4 ] || fail "g.dot must have exactly 4 edges"
[ "$(head -1 "$P/target/viz/g.mmd")" = "flowchart LR" ] || fail "g.mmd does not start with flowchart LR"
[ "$(grep -c -- '-->' "$P/target/viz/g.mmd")" -eq 4 ] || fail "g.mmd must have exactly 4 edges"
for id in transform_a transform_b transform_bad transform_after_bad export_csv_b; do
  grep -qF "$id" "$P/target/viz/g.mmd" || fail "g.mmd lacks $id"
done
# SVG: well-formed XML with one <g> per step (built-in drawing: <g id=step>; Graphviz: class=node).
svg_check='
import sys, xml.etree.ElementTree as ET
ids = '"$step_ids"'
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
expect_tag = root.tag == ns + "svg"
nodes = []
for g in root.iter(ns + "g"):
    if g.get("class") == "node":
        title = g.find(ns + "title")
        nodes.append(title.text if title is not None else None)
    elif g.get("class") is None and g.get("id") in ids:
        nodes.append(g.get("id"))
if not expect_tag or sorted(nodes) != sorted(ids):
    print("svg root %s, step groups %r, expected %r" % (root.tag, nodes, ids)); sys.exit(1)
'
"$PYTHON" -c "$svg_check" "$P/target/viz/g.svg" || fail "g.svg: $("$PYTHON" -c "$svg_check" "$P/target/viz/g.svg" 2>&1 | tail -1)"
grep -qF '<table>' "$P/target/viz/g.html" || fail "g.html lacks the table"
[ "$(grep -c '^<tr><td>' "$P/target/viz/g.html")" -eq 5 ] || fail "g.html must have one row per step"
grep -qF '<svg' "$P/target/viz/g.html" || fail "g.html lacks the drawing"
# One format at a time, into --output.
for format in dot mermaid svg html; do
  sf pipeline viz g --format "$format" --output "$P/one_$format"
  expect_rc 0 "pipeline viz --format $format"
  [ "$(ls "$P/one_$format" | wc -l)" -eq 1 ] || fail "--format $format wrote $(ls "$P/one_$format" | tr '\n' ' ')"
done
[ -f "$P/one_mermaid/g.mmd" ] && [ -f "$P/one_svg/g.svg" ] && [ -f "$P/one_dot/g.dot" ] &&
  [ -f "$P/one_html/g.html" ] || fail "--format wrote the wrong file names"
# With a run: nodes carry the run's statuses.
sf pipeline run g --on-failure continue
expect_rc 1 "pipeline run g (bad fails)"
sf pipeline viz g --run latest --output "$P/run_viz"
expect_rc 0 "pipeline viz g --run latest"
grep -qF '"transform_b" [label="transform_b\nSUCCEEDED' "$P/run_viz/g.dot" || fail "dot: transform_b is not SUCCEEDED"
grep -qF '"transform_bad" [label="transform_bad\nFAILED' "$P/run_viz/g.dot" || fail "dot: transform_bad is not FAILED"
grep -qF '"transform_after_bad" [label="transform_after_bad\nSKIPPED' "$P/run_viz/g.dot" ||
  fail "dot: transform_after_bad is not SKIPPED"
grep -qF 'transform_bad<br/>FAILED' "$P/run_viz/g.mmd" || fail "mermaid: transform_bad is not FAILED"
grep -qF 'transform_b<br/>SUCCEEDED' "$P/run_viz/g.mmd" || fail "mermaid: transform_b is not SUCCEEDED"
grep -qF '>FAILED' "$P/run_viz/g.svg" || fail "svg: no FAILED node"
grep -qF '<td>transform_bad</td><td>transform</td><td>bad (REPLACE)</td><td>FAILED</td>' "$P/run_viz/g.html" ||
  fail "html: transform_bad row is not FAILED"
grep -qF '<td>SUCCEEDED</td>' "$P/run_viz/g.html" || fail "html: no SUCCEEDED row"
"$PYTHON" -c "$svg_check" "$P/run_viz/g.svg" || fail "run_viz/g.svg is not a valid drawing"
run_id="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["run_id"])' <(cd "$P" && "$SQLFLOW" --json runs g))"
sf pipeline viz g --format dot --run "$run_id" --output "$P/by_id"
expect_rc 0 "pipeline viz --run RUN_ID"
grep -qF 'FAILED' "$P/by_id/g.dot" || fail "viz --run RUN_ID is not coloured"
sf pipeline viz g --run nosuch
expect_rc 2 "pipeline viz --run nosuch"
expect_err "SF-STATE-001"
sf pipeline viz g --format png
expect_rc 2 "pipeline viz --format png"
ok

# ---------------------------------------------------------------------------------------------
begin status_and_runs_text
new_project history
pipeline ok1 <<'EOF'
CREATE TABLE t AS SELECT * FROM range(3) r(i);
EOF
pipeline broken <<'EOF'
CREATE TABLE t AS SELECT CAST('x' AS INTEGER) AS v FROM range(1);
EOF
sf status
expect_rc 2 "status without runs"
expect_err "SF-STATE-001"
sf runs
expect_rc 0 "runs without runs"
expect_out "No runs recorded"
sf pipeline run ok1 --threads 3
first="$(grep -o 'run [0-9]\{8\}-[0-9]\{6\}-ok1-[0-9a-f]\{4\}' "$OUT" | cut -d' ' -f2)"
[ -n "$first" ] || fail "pipeline run did not print its run id"
sf pipeline run broken
expect_rc 1 "pipeline run broken"
sf status
expect_rc 0 "status"
expect_out "broken (profile dev) FAILED"
expect_out "error[SF-RUN-001]: transform_t:"
sf status "$first"
expect_rc 0 "status RUN_ID"
expect_out "Run $first: ok1 (profile dev) SUCCEEDED"
expect_out "3 workers, fail_fast"
grep -Eq '^  transform_t +SUCCEEDED +3 ' "$OUT" || fail "status RUN_ID lacks the step line with 3 rows"
sf status nosuch
expect_rc 2 "status nosuch"
expect_err "no run nosuch"
sf runs
expect_rc 0 "runs"
[ "$(grep -c -E ' (ok1|broken) ' "$OUT")" -eq 2 ] || fail "runs must list 2 runs"
[ "$(sed -n 2p "$OUT" | awk '{print $2}')" = broken ] || fail "runs must list the newest first"
sf runs ok1
expect_rc 0 "runs ok1"
[ "$(grep -c ' broken ' "$OUT")" -eq 0 ] && [ "$(grep -c " ok1 " "$OUT")" -eq 1 ] || fail "runs ok1 must filter"
sf --json runs --limit 1
check "$OUT" 'expect(len(d) == 1 and d[0]["pipeline"] == "broken" and d[0]["status"] == "FAILED", "runs --limit 1: %r" % d)'
ok

# ---------------------------------------------------------------------------------------------
begin profile_execution_keys
new_project profile_keys memory 'execution:
  threads: 1
  on_failure: continue
  retries: 2
  retry_delay: 0.01'
policy_pipeline
sf pipeline run pol
expect_rc 1 "pipeline run pol with the profile's continue"
expect_out "1 worker)"
status_json
check "$ROOT/status.json" '
expect(run["threads"] == 1 and run["policy"] == "continue", "run threads=%r policy=%r" % (run["threads"], run["policy"]))
expect(steps["transform_x1"]["status"] == "SUCCEEDED", "continue from the profile did not run x1")
ordered = sorted(steps.values(), key=lambda s: s["started_at"])
ran = [s for s in ordered if s["started_at"] > 0]
for first, second in zip(ran, ran[1:]):
    expect(second["started_at"] >= first["ended_at"], "steps overlapped with threads: 1")
'
sf pipeline run pol --threads 2 --on-failure fail_fast
expect_rc 1 "command line overrides"
status_json
check "$ROOT/status.json" '
expect(run["threads"] == 2 and run["policy"] == "fail_fast", "run threads=%r policy=%r" % (run["threads"], run["policy"]))
expect(steps["transform_x1"]["status"] == "SKIPPED", "--on-failure fail_fast did not override the profile")
'
pipeline r <<'EOF'
CREATE TABLE a AS SELECT 1 AS v;
EOF
FAULT="transform_a=2"
sf pipeline run r
FAULT=""
expect_rc 0 "retries from the profile"
status_json
check "$ROOT/status.json" 'expect(steps["transform_a"]["retries"] == 2, "retries %r" % steps["transform_a"]["retries"])'
ok

begin profile_execution_validation
bad_profile() { # YAML-under-execution expected-message
  new_project bad_profile memory "$1"
  pipeline r <<'EOF'
CREATE TABLE a AS SELECT 1 AS v;
EOF
  sf pipeline run r
  expect_rc 2 "profile with: $1"
  expect_err "$2"
  [ ! -e "$P/.sqlflow/state.db" ] || fail "a run was recorded with an invalid profile ($1)"
  rm -rf "$P"
}
bad_profile $'execution:\n  threads: 0' "error[SF-PROFILE-014]: execution.threads must be an integer from 1 to 1024, not '0'"
bad_profile $'execution:\n  threads: abc' "execution.threads must be an integer from 1 to 1024, not 'abc'"
bad_profile $'execution:\n  threads: 1.5' "execution.threads must be an integer from 1 to 1024, not '1.5'"
bad_profile $'execution:\n  on_failure: sometimes' "execution.on_failure must be fail_fast or continue, not 'sometimes'"
bad_profile $'execution:\n  retries: -1' "execution.retries must be an integer from 0 to 100, not '-1'"
bad_profile $'execution:\n  retry_delay: -1' "execution.retry_delay must be a number of seconds (0 or more), not '-1'"
bad_profile $'execution:\n  retry_delay: soon' "execution.retry_delay must be a number of seconds (0 or more), not 'soon'"
bad_profile $'execution:\n  thread: 2' "unknown key 'thread' in execution"
bad_profile $'execution:\n  thread: 2' "did you mean 'threads'?"
bad_profile 'execution: 3' "'execution' must be a mapping"
bad_profile $'execution:\n  threads: 0\n  on_failure: never' "execution.on_failure must be fail_fast or continue, not 'never'"
new_project cli_flags
pipeline r <<'EOF'
CREATE TABLE a AS SELECT 1 AS v;
EOF
sf pipeline run r --threads 0
expect_rc 2 "--threads 0"
expect_err "error[SF-CLI-009]: --threads must be at least 1"
sf pipeline run r --on-failure sometimes
expect_rc 2 "--on-failure sometimes"
expect_err "--on-failure"
ok

# ---------------------------------------------------------------------------------------------
# Checks of behaviour the binary has been seen to get wrong come last, so that one failure here
# does not hide the results above.

begin load_step_reports_bytes_read
# executor.h: StepOutcome::bytes is "bytes written to files by exports, read from files by loads";
# sqlflow_run_bytes is "Bytes read from and written to files".
new_project load_bytes
printf 'id,amount\n1,5\n2,15\n3,25\n' > "$P/data/people.csv"
pipeline m <<'EOF'
SOURCE people_src TYPE CSV PARAMS {"path": "data/people.csv", "has_header": true};
LOAD people FROM people_src;
EOF
sf pipeline run m
expect_rc 0 "pipeline run m"
status_json
size="$(wc -c < "$P/data/people.csv" | tr -d ' ')"
check "$ROOT/status.json" '
expect(steps["load_people"]["bytes"] == '"$size"', "load_people bytes %r, the file has '"$size"' bytes" % steps["load_people"]["bytes"])
'
ok

begin json_flag_after_subcommand
# `sqlflow status --json` (as `pipeline run NAME --json` works): global flags after the command.
P="$ROOT/metrics"
for command in "status" "runs" "metrics" "pipeline viz m"; do
  # shellcheck disable=SC2086
  sf $command --json
  expect_rc 0 "sqlflow $command --json"
  "$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" 2>/dev/null || fail "sqlflow $command --json printed no JSON"
done
ok

begin profile_rejects_nan_and_inf_retry_delay
# Plain YAML `nan` and `inf` are strings (the floats are .nan and .inf); an infinite delay would
# make a retry wait forever.
bad_profile $'execution:\n  retry_delay: nan' "execution.retry_delay must be a number of seconds (0 or more), not 'nan'"
bad_profile $'execution:\n  retry_delay: inf' "execution.retry_delay must be a number of seconds (0 or more), not 'inf'"
ok

begin cli_rejects_negative_and_infinite_retry_options
# The profile rejects these values (SF-PROFILE-014); the command line must too, not run with them.
new_project cli_retry_options
pipeline r <<'EOF'
CREATE TABLE a AS SELECT 1 AS v;
EOF
for option in "--retries -1" "--retry-delay -1" "--retry-delay inf" "--retry-delay nan"; do
  # shellcheck disable=SC2086
  sf pipeline run r $option
  expect_rc 2 "pipeline run r $option"
  expect_err "${option%% *}"
done
ok

echo "$PASSED passed, 0 failed"
