#!/usr/bin/env bash
# The state store (.sqlflow/state.db) under contention and failure: a lock held by another process
# (a python3 sqlite3 holder, synchronised through fifos), a write failure in the middle of a run
# (SQLFLOW_STATE_FAIL_AFTER), a full disk (a small tmpfs mounted on .sqlflow/ when the machine
# allows it), and the history of runs whose process is gone (ABANDONED in runs, status, metrics).
#   tests/state/run_tests.sh SQLFLOW_BINARY [NAME_REGEX]
# Prints "ok <name>" per test and "N passed, 0 failed" at the end; stops at the first failure.
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"

suite_scratch state
HOLDER_PID=""
MOUNTED=""
suite_teardown() {  # the lock holder and the small tmpfs, before $ROOT goes
  if [ -n "$HOLDER_PID" ]; then kill "$HOLDER_PID" 2>/dev/null || true; fi
  if [ -n "$MOUNTED" ]; then umount "$MOUNTED" 2>/dev/null || true; fi
}

# The pipeline: a LOAD that commits, then a step after it.
basic_project() {
  new_project "$1" persistent
  printf 'id,v\n1,a\n2,b\n3,c\n' > "$P/data/rows.csv"
  pipeline p <<'EOF'
SOURCE rows TYPE CSV PARAMS {"path": "data/rows.csv", "has_header": true};
LOAD events FROM rows MODE APPEND;
CREATE TABLE events_count AS SELECT count(*) AS n FROM events;
EOF
  pipeline count <<'EOF'
EXPORT SELECT count(*) AS n FROM events TO 'out/count.csv' TYPE CSV;
EOF
}

# event_count: rows of `events` now.
event_count() {
  sf pipeline run count -q
  expect_rc 0 "the count pipeline"
  tail -1 "$P/out/count.csv"
}

# hold_lock: a python3 process holds BEGIN EXCLUSIVE on the project's state store until release.
hold_lock() {
  mkfifo "$ROOT/fifo-held" "$ROOT/fifo-release"
  "$PYTHON" - "$P/.sqlflow/state.db" "$ROOT/fifo-held" "$ROOT/fifo-release" <<'PY' &
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
db.execute("UPDATE runs SET profile = profile")
open(sys.argv[2], "w").write("locked\n")
open(sys.argv[3]).read()
db.execute("ROLLBACK")
PY
  HOLDER_PID=$!
  read -r _ < "$ROOT/fifo-held"
}
release_lock() {
  echo done > "$ROOT/fifo-release"
  wait "$HOLDER_PID"
  HOLDER_PID=""
  rm -f "$ROOT/fifo-held" "$ROOT/fifo-release"
}

# ---------------------------------------------------------------------------------------------
locked_store_at_run_start() {
basic_project locked
run_ok p
hold_lock
# Reading commands work while another process holds the write lock.
sf runs
expect_rc 0 "runs while the store is locked"
expect_out "SUCCEEDED"
sf status
expect_rc 0 "status while the store is locked"
sf metrics
expect_rc 0 "metrics while the store is locked"
# A run waits for the lock (bounded), then says what is wrong; nothing ran.
sf pipeline run p
expect_rc 2 "a run on a locked store"
expect_err "error[SF-STATE-002]"
expect_err "is locked: another process has held it for more than 5 s"
expect_err "hint:"
expect_no_msg "SF-INTERNAL"
release_lock
[ "$(event_count)" = 3 ] || fail "events has $(event_count) rows, expected 3 (the refused run wrote nothing)"
run_ok p
[ "$(event_count)" = 6 ] || fail "events has $(event_count) rows after the next run, expected 6"
}
if begin locked_store_at_run_start; then
  locked_store_at_run_start
  ok
fi

# ---------------------------------------------------------------------------------------------
write_failure_inside_a_step() {
basic_project failing_step
# The store's writes of a first run: the run and its 3 steps PENDING (4), source started and
# finished (6), load started (7), the load's schema snapshot (8, before its commit), its
# acceptance (9, after the commit), load finished (10). The 8th write failing fails the load
# before it commits: rolled back, nothing after it starts, exit 1.
SF_ENV=("SQLFLOW_STATE_FAIL_AFTER=7")
sf pipeline run p
SF_ENV=()
expect_rc 1 "a run whose state store fails inside the load"
expect_out "error[SF-STATE-002]: the state store cannot be written: the disk is full"
expect_no_msg "SF-INTERNAL"
sf pipeline run count -q
expect_rc 2 "the count pipeline after a rolled-back first load"
expect_err "unknown table 'events'"
run_ok p
[ "$(event_count)" = 3 ] || fail "events has $(event_count) rows, expected 3"
}
if begin write_failure_inside_a_step; then
  write_failure_inside_a_step
  ok
fi

# ---------------------------------------------------------------------------------------------
write_failure_during_run() {
basic_project failing
# As above: the 10th write, recording the load's end, fails after the load committed.
SF_ENV=("SQLFLOW_STATE_FAIL_AFTER=9")
sf pipeline run p
SF_ENV=()
expect_rc 1 "a run whose state store fails"
expect_err "error[SF-STATE-002]: the run's progress could not be recorded"
expect_err "disk is full"
expect_no_msg "SF-INTERNAL"
[ "$(event_count)" = 3 ] || fail "events has $(event_count) rows, expected 3 (the load committed)"
sf --json runs p
run_id="$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["run_id"])' "$OUT")"
grep -qF '"event":"record_failed"' "$P/target/runs/$run_id/events.jsonl" || fail "events.jsonl lacks record_failed"
grep -qF '"status":"SUCCEEDED","step":"load_events"' "$P/target/runs/$run_id/events.jsonl" ||
  fail "events.jsonl lacks the load's success"
sf --json status "$run_id"
expect_rc 0 "status of the run"
check "$OUT" '
expect(run["status"] == "ABANDONED", "the run is %s" % run["status"])
expect(steps["load_events"]["status"] == "ABANDONED", "load is %s" % steps["load_events"]["status"])
expect(steps["transform_events_count"]["status"] == "PENDING", "after is %s" % steps["transform_events_count"]["status"])
'
# The next run tells what was not recorded; --resume does not load the committed batch again.
sf pipeline run p --resume
expect_rc 0 "--resume after the store failed"
expect_err "warning[SF-STATE-003]"
expect_err "committed although not recorded as SUCCEEDED: load_events"
sf --json status
check "$OUT" '
expect(steps["load_events"]["status"] == "SKIPPED", "--resume ran the committed load: %r" % statuses())
expect(steps["transform_events_count"]["status"] == "SUCCEEDED", "%r" % statuses())
'
[ "$(event_count)" = 3 ] || fail "events has $(event_count) rows after --resume, expected 3"
}
if begin write_failure_during_run; then
  write_failure_during_run
  ok
fi

# ---------------------------------------------------------------------------------------------
abandoned_runs_agree_everywhere() {
basic_project history
run_ok p
# Two runs whose process is gone: one whose pid no process has (above pid_max), one whose pid is
# alive (this shell) but started at another time than recorded (a reused pid).
pid_max="$(cat /proc/sys/kernel/pid_max)"
"$PYTHON" - "$P/.sqlflow/state.db" "$((pid_max + 1))" "$$" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = time.time()
for run_id, pid, start in (("20991231-000000-p-dead", int(sys.argv[2]), 1), ("20991231-000001-p-reused", int(sys.argv[3]), 1)):
    db.execute("INSERT INTO runs (run_id, pipeline, profile, variables, status, started_at, ended_at, threads, "
               "policy, pid, pid_start) VALUES (?, 'p', 'dev', '{}', 'RUNNING', ?, 0, 1, 'fail_fast', ?, ?)",
               (run_id, now - 100, pid, start))
    db.execute("INSERT INTO steps (run_id, step_id, position, kind, target, depends_on, status, started_at, "
               "ended_at) VALUES (?, 'load_events', 1, 'load', 'events', '[]', 'RUNNING', ?, 0)", (run_id, now - 90))
db.commit()
PY
sf runs p
expect_rc 0 "runs"
[ "$(grep -c ABANDONED "$OUT")" -eq 2 ] || fail "runs does not show both runs ABANDONED"
expect_no_msg "so far"
for run_id in 20991231-000000-p-dead 20991231-000001-p-reused; do
  sf status "$run_id"
  expect_rc 0 "status $run_id"
  expect_out "$run_id: p (profile dev) ABANDONED"
  expect_no_msg "so far"
  expect_no_msg "RUNNING"
done
sf --json metrics p
expect_rc 0 "metrics"
check "$OUT" '
by_id = {m["run_id"]: m["status"] for m in d}
expect(by_id.get("20991231-000000-p-dead") == "ABANDONED", "%r" % by_id)
expect(by_id.get("20991231-000001-p-reused") == "ABANDONED", "%r" % by_id)
'
sf metrics p
expect_rc 0 "metrics table"
expect_no_msg "RUNNING"
}
if begin abandoned_runs_agree_everywhere; then
  abandoned_runs_agree_everywhere
  ok
fi

# ---------------------------------------------------------------------------------------------
full_disk() {
basic_project full
mkdir -p "$P/.sqlflow"
if ! mount -t tmpfs -o size=1m tmpfs "$P/.sqlflow" 2>/dev/null; then
  echo "skip $TEST: this machine cannot mount a tmpfs (the injected write failure above covers it)"
else
  MOUNTED="$P/.sqlflow"
  run_ok p
  # Fill the disk that holds the store.
  dd if=/dev/zero of="$P/.sqlflow/filler" bs=4k 2>/dev/null || true
  sf runs
  expect_rc 0 "runs on a full disk"
  expect_out "SUCCEEDED"
  sf status
  expect_rc 0 "status on a full disk"
  sf metrics
  expect_rc 0 "metrics on a full disk"
  sf pipeline run p
  expect_rc 2 "a run on a full disk"
  expect_err "error[SF-STATE-002]"
  expect_no_msg "SF-INTERNAL"
  [ "$(grep -c '' "$ERR")" -lt 10 ] || fail "a long error on a full disk"
  rm -f "$P/.sqlflow/filler"
  [ "$(event_count)" = 3 ] || fail "events has $(event_count) rows, expected 3 (the refused run wrote nothing)"
  run_ok p
  [ "$(event_count)" = 6 ] || fail "events has $(event_count) rows after space came back, expected 6"
  umount "$MOUNTED"
  MOUNTED=""
fi
}
if begin full_disk; then
  full_disk
  ok
fi

echo "$PASSED passed, 0 failed"
