#!/usr/bin/env bash
# Crash consistency of a persistent database: a large APPEND and MERGE (LOAD from a CSV file) are
# stopped at named points of their commit (the SQLFLOW_FAULT_INJECT stop hook: exact outcomes), then
# signalled for real (SIGKILL, SIGINT, SIGTERM) at moments spread over the run (timing varies, so
# only invariants are asserted): the target holds the rows of before or of after, never a part and
# never a batch twice; the recorded step status matches the data; the next run works; --resume
# never applies a committed batch again.
#   tests/crash/run_tests.sh SQLFLOW_BINARY [NAME_REGEX]
# Prints "ok <name>" per test, a line of trial counts, and "N passed, 0 failed" at the end.
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"

suite_scratch crash

ROWS="${CRASH_ROWS:-150000}"   # rows of one batch
TRIALS="${CRASH_TRIALS:-3}"    # signalled runs per signal and mode

# batch TRIAL: data/batch.csv, ROWS rows. APPEND: ids unique to the trial. MERGE: ids 1..ROWS,
# v = TRIAL, so that a committed merge leaves every v equal to TRIAL.
batch() {
  "$PYTHON" - "$P/data/batch.csv" "$1" "$ROWS" <<'PY'
import sys
path, trial, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = trial * rows
with open(path, "w") as out:
    out.write("id,v\n")
    out.write("".join("%d,%d\n" % (base + i, trial) for i in range(1, rows + 1)))
PY
}

# The pipelines: the load, then a step after it (the interrupt must stop before that one).
write_pipelines() {
  pipeline append <<'EOF'
SOURCE batch TYPE CSV PARAMS {"path": "data/batch.csv", "has_header": true};
LOAD events FROM batch MODE APPEND;
CREATE TABLE events_after AS SELECT count(*) AS n FROM events;
EOF
  pipeline merge <<'EOF'
SOURCE batch TYPE CSV PARAMS {"path": "data/keyed.csv", "has_header": true};
LOAD merged FROM batch MODE MERGE KEY id;
CREATE TABLE merged_after AS SELECT count(*) AS n FROM merged;
EOF
  pipeline check <<'EOF'
EXPORT SELECT
  (SELECT count(*) FROM events) AS n, (SELECT count(DISTINCT id) FROM events) AS d,
  (SELECT count(*) FROM merged) AS mn, (SELECT count(DISTINCT id) FROM merged) AS md,
  (SELECT coalesce(min(v), -1) FROM merged) AS lo, (SELECT coalesce(max(v), -1) FROM merged) AS hi,
  (SELECT string_agg(run_id || '/' || step_id, ' ' ORDER BY run_id, step_id) FROM __sqlflow.commits) AS ledger
TO 'out/check.csv' TYPE CSV OPTIONS {"header": true};
EOF
}

# keyed TRIAL: data/keyed.csv, ids 1..ROWS with v = TRIAL.
keyed() {
  "$PYTHON" - "$P/data/keyed.csv" "$1" "$ROWS" <<'PY'
import sys
path, trial, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as out:
    out.write("id,v\n")
    out.write("".join("%d,%d\n" % (i, trial) for i in range(1, rows + 1)))
PY
}

# measure: N D MN MD LO HI LEDGER of the database now (through the check pipeline).
measure() {
  sf pipeline run check -q
  expect_rc 0 "the check pipeline (the database must open after every signal)"
  "$PYTHON" - "$P/out/check.csv" <<'PY'
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
print(row["n"], row["d"], row["mn"], row["md"], row["lo"], row["hi"], row["ledger"] or "-")
PY
}

# last_status PIPELINE STEP: "RUN_ID RUN_STATUS STEP_STATUS" of the pipeline's latest run.
last_status() {
  sf --json runs "$1" --limit 1
  expect_rc 0 "sqlflow runs $1"
  local run_id
  run_id="$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["run_id"])' "$OUT")"
  sf --json status "$run_id"
  expect_rc 0 "sqlflow status $run_id"
  "$PYTHON" - "$OUT" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
steps = {s["step_id"]: s["status"] for s in d["steps"]}
print(d["run"]["run_id"], d["run"]["status"], steps[sys.argv[2]])
PY
}

new_project crash persistent
write_pipelines
mkdir -p "$P/out"
batch 0
keyed 0
run_ok append
run_ok merge

# ---------------------------------------------------------------------------------------------
# Exact outcomes: the run's stop requested at each point of the load's commit.
TRIAL=0
# next_trial MODE: sets STEP (the load) and AFTER (the step after it), writes the next trial's
# batches and measures the database before the trial (n0 d0 mn0 md0 lo0 hi0).
next_trial() {
  if [ "$1" = append ]; then STEP=load_events; AFTER=transform_events_after
  else STEP=load_merged; AFTER=transform_merged_after; fi
  TRIAL=$((TRIAL + 1))
  batch "$TRIAL"
  keyed "$TRIAL"
  # What the last trial measured at its end, else a measure now.
  [ -n "$KNOWN" ] || KNOWN="$(measure)"
  read -r n0 d0 mn0 md0 lo0 hi0 _ <<<"$KNOWN"
  KNOWN=""
}
KNOWN=""

injected() {  # injected MODE POINT
  local mode="$1" point="$2"
  next_trial "$mode"
  local step="$STEP" after="$AFTER"
  FAULT="$step=stop@$point"
  sf pipeline run "$mode"
  FAULT=""
  expect_rc 130 "$mode with a stop at $point"
  read -r run_id run_status step_status <<<"$(last_status "$mode" "$step")"
  read -r after_id _ after_status <<<"$(last_status "$mode" "$after")"
  [ "$run_status" = INTERRUPTED ] || fail "run status $run_status after a stop at $point"
  [ "$after_status" != SUCCEEDED ] || fail "$after ran after the stop ($after_status)"
  read -r n1 d1 mn1 md1 lo1 hi1 ledger <<<"$(measure)"
  local committed=no
  if [ "$point" = before_commit ]; then
    [ "$step_status" = INTERRUPTED ] || fail "$step is $step_status after a stop before its commit"
  else
    committed=yes
    [ "$step_status" = SUCCEEDED ] || fail "$step is $step_status although its commit ran ($point)"
    [[ " $ledger " == *" $run_id/$step "* ]] || fail "the commit ledger lacks $run_id/$step: $ledger"
  fi
  if [ "$mode" = append ]; then
    local want=$n0
    [ "$committed" = yes ] && want=$((n0 + ROWS))
    [ "$n1" -eq "$want" ] || fail "events has $n1 rows after a stop at $point, expected $want"
    [ "$d1" -eq "$n1" ] || fail "events has $d1 distinct ids for $n1 rows"
  else
    local want_v=$hi0
    [ "$committed" = yes ] && want_v=$TRIAL
    [ "$lo1" -eq "$want_v" ] && [ "$hi1" -eq "$want_v" ] ||
      fail "merged has v in [$lo1, $hi1] after a stop at $point, expected $want_v"
    [ "$mn1" -eq "$ROWS" ] && [ "$md1" -eq "$ROWS" ] || fail "merged has $mn1 rows, $md1 ids"
  fi
  # --resume runs what is left, the load only when it did not commit.
  sf pipeline run "$mode" --resume
  expect_rc 0 "$mode --resume after a stop at $point"
  read -r _ _ resumed_status <<<"$(last_status "$mode" "$step")"
  if [ "$committed" = yes ]; then
    [ "$resumed_status" = SKIPPED ] || fail "--resume ran the committed $step again ($resumed_status)"
  else
    [ "$resumed_status" = SUCCEEDED ] || fail "--resume did not run $step ($resumed_status)"
  fi
  KNOWN="$(measure)"
  read -r n2 d2 mn2 md2 lo2 hi2 _ <<<"$KNOWN"
  if [ "$mode" = append ]; then
    [ "$n2" -eq $((n0 + ROWS)) ] && [ "$d2" -eq "$n2" ] ||
      fail "after --resume events has $n2 rows ($d2 ids), expected $((n0 + ROWS)) once each"
  else
    [ "$lo2" -eq "$TRIAL" ] && [ "$hi2" -eq "$TRIAL" ] || fail "after --resume merged has v in [$lo2, $hi2]"
  fi
}

for point in before_commit committing committed; do
  for mode in append merge; do
    if begin "stop_${point}_$mode"; then
      injected "$mode" "$point"
      ok
    fi
  done
done

# ---------------------------------------------------------------------------------------------
# Real signals at moments spread over a run. The run's length is measured first; the delays cover
# it from the start to past the end, so some land in the commit.
declare -A OUTCOMES=()
signalled() {  # signalled MODE SIGNAL DELAY
  local mode="$1" signal="$2" delay="$3"
  next_trial "$mode"
  local step="$STEP"
  read -r before_id _ <<<"$(last_status "$mode" "$step")"
  (cd "$P" && exec "$SQLFLOW" pipeline run "$mode" -q) > "$ROOT/bg.out" 2> "$ROOT/bg.err" &
  BACKGROUND_PID=$!
  sleep "$delay"
  kill "-$signal" "$BACKGROUND_PID" 2>/dev/null || true
  local rc=0
  wait "$BACKGROUND_PID" || rc=$?
  BACKGROUND_PID=""
  read -r run_id run_status step_status <<<"$(last_status "$mode" "$step")"
  # Killed while planning, before the run was recorded: nothing may have changed.
  [ "$run_id" != "$before_id" ] || step_status=NOT_STARTED
  read -r n1 d1 mn1 md1 lo1 hi1 ledger <<<"$(measure)"
  local committed
  if [ "$mode" = append ]; then
    [ "$d1" -eq "$n1" ] || fail "$signal at ${delay}s: events has $d1 distinct ids for $n1 rows"
    if [ "$n1" -eq "$n0" ]; then committed=no
    elif [ "$n1" -eq $((n0 + ROWS)) ]; then committed=yes
    else fail "$signal at ${delay}s: events has $n1 rows, neither $n0 nor $((n0 + ROWS))"; fi
  else
    [ "$lo1" -eq "$hi1" ] || fail "$signal at ${delay}s: merged is half merged (v in [$lo1, $hi1])"
    [ "$mn1" -eq "$ROWS" ] && [ "$md1" -eq "$ROWS" ] || fail "merged has $mn1 rows, $md1 ids"
    if [ "$lo1" -eq "$hi0" ]; then committed=no
    elif [ "$lo1" -eq "$TRIAL" ]; then committed=yes
    else fail "$signal at ${delay}s: merged has v = $lo1, neither $hi0 nor $TRIAL"; fi
  fi
  # The record matches the data: SUCCEEDED exactly when committed; a killed run's step may still
  # read ABANDONED (or PENDING), and then the commit ledger says whether it committed.
  case "$step_status" in
    SUCCEEDED) [ "$committed" = yes ] || fail "$signal at ${delay}s: $step SUCCEEDED but the rows are not there" ;;
    INTERRUPTED | FAILED | SKIPPED | NOT_STARTED) [ "$committed" = no ] ||
      fail "$signal at ${delay}s: $step is $step_status but its rows committed (exit $rc)" ;;
    ABANDONED | PENDING | RUNNING)
      [ "$signal" = KILL ] || fail "$signal at ${delay}s: $step left $step_status (exit $rc)"
      local in_ledger=no
      [[ " $ledger " == *" $run_id/$step "* ]] && in_ledger=yes
      [ "$in_ledger" = "$committed" ] || fail "$signal at ${delay}s: ledger says $in_ledger, data says $committed" ;;
    *) fail "$signal at ${delay}s: unexpected step status $step_status" ;;
  esac
  if [ "$signal" != KILL ]; then
    [ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] || fail "$signal at ${delay}s: exit $rc"
  fi
  OUTCOMES["$mode $signal exit=$rc step=$step_status committed=$committed"]=$((${OUTCOMES["$mode $signal exit=$rc step=$step_status committed=$committed"]:-0} + 1))
  # The next run: --resume when the run did not finish, which must apply the batch exactly once.
  if [ "$step_status" = NOT_STARTED ]; then
    run_ok "$mode" -q
  elif [ "$run_status" != SUCCEEDED ]; then
    sf pipeline run "$mode" --resume
    expect_rc 0 "$mode --resume after $signal at ${delay}s"
  fi
  KNOWN="$(measure)"
  read -r n2 d2 mn2 md2 lo2 hi2 _ <<<"$KNOWN"
  if [ "$mode" = append ]; then
    [ "$n2" -eq $((n0 + ROWS)) ] && [ "$d2" -eq "$n2" ] ||
      fail "$signal at ${delay}s, then --resume: events has $n2 rows ($d2 ids), expected $((n0 + ROWS))"
  else
    [ "$lo2" -eq "$TRIAL" ] && [ "$hi2" -eq "$TRIAL" ] ||
      fail "$signal at ${delay}s, then --resume: merged has v in [$lo2, $hi2], expected $TRIAL"
  fi
}

measure_length() {  # measure_length MODE: LENGTH, the seconds one uninterrupted run takes
  next_trial "$1"
  local start end
  start="$(date +%s.%N)"
  run_ok "$1" -q
  end="$(date +%s.%N)"
  LENGTH="$("$PYTHON" -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$start" "$end")"
}

SIGNALLED=0
for mode in append merge; do
  if begin "signals_$mode"; then
    measure_length "$mode"
    for signal in KILL INT TERM; do
      for i in $(seq "$TRIALS"); do
        # Spread over [0.05, 1.15] of the run's length, the trials of a signal evenly.
        delay="$("$PYTHON" -c 'import sys; l, i, n = map(float, sys.argv[1:]); print("%.3f" % (l * (0.05 + 1.1 * (i - 0.5) / n)))' "$LENGTH" "$i" "$TRIALS")"
        signalled "$mode" "$signal" "$delay"
        SIGNALLED=$((SIGNALLED + 1))
      done
    done
    ok
  fi
done

echo "trials: $SIGNALLED signalled runs, 6 injected stops"
for outcome in "${!OUTCOMES[@]}"; do echo "  ${OUTCOMES[$outcome]} x $outcome"; done | sort -k3
echo "$PASSED passed, 0 failed"
