#!/usr/bin/env bash
# Export safety: an export replaces only what this pipeline's exports wrote (the export ledger in
# .sqlflow/state.db), never a folder it did not write; temporaries live in a private folder no
# single-level glob of the user matches, are removed on every path, and those of killed runs are
# removed by the next run; a partitioned export is swapped into place atomically.
#   tests/exports/run_tests.sh SQLFLOW_BINARY [NAME_REGEX]
# Kills at exact moments go through the fault-injection hook's named points
# (SQLFLOW_FAULT_INJECT="<step id>@ready=kill" just before the rename, "@replaced=kill" just after).
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"

suite_scratch exports

# temporaries: the temporaries left in the project $P (private folders and old-style names).
temporaries() { find "$P" \( -name '.sqlflow-tmp-*' -o -name '.sqlflow-old-*' \) -print; }
expect_no_temporaries() {
  local left
  left="$(temporaries)"
  [ -z "$left" ] || fail "$1: temporaries left: $left"
}
# run_killed_at STEP@POINT ARGS...: `pipeline run ARGS` killed by the hook at that named point
# (exit 137, SIGKILL, from the shell's view).
run_killed_at() {
  FAULT="$1=kill"
  sf pipeline run "${@:2}"
  FAULT=""
  [ "$RC" -eq 137 ] || fail "killed at $1: exit code $RC, expected 137 (SIGKILL)"
}

# ---------------------------------------------------------------------------------------------
if begin duckdb_glob_matches_hidden_files; then
# Why temporaries are not files beside the destination: DuckDB's glob skips no name (hidden files
# included), but `*` does not cross a folder.
new_project glob
mkdir -p "$P/output/.sqlflow-tmp-1-2"
printf 'v\n1\n' > "$P/output/a.csv"
printf 'v\n2\n' > "$P/output/.hidden.csv"
printf 'v\n3\n' > "$P/output/.sqlflow-tmp-1-2/a.csv"
pipeline g <<'EOF'
EXPORT SELECT sum(v) AS total FROM read_csv('output/*.csv') TO 'sum.csv' TYPE CSV;
EOF
run_ok g
same "$P/sum.csv" <<'EOF'
total
3
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin folder_destination_is_refused; then
new_project folder
printf 'id\n1\n' > "$P/data/input.csv"
pipeline f <<'EOF'
EXPORT SELECT 1 AS x TO 'data' TYPE CSV;
EOF
sf pipeline validate f
expect_rc 2 "validate"
expect_err "error[SF-PLAN-045]"
expect_err "f.sf:1:26"
expect_err "is a folder that no export of pipeline f wrote"
expect_err "^"
expect_err "hint: an export replaces only a file, or a folder of partitions it wrote itself"
sf pipeline run f
expect_rc 2 "run"
expect_err "error[SF-PLAN-045]"
# "overwrite" is for files: a folder is never replaced.
pipeline f <<'EOF'
EXPORT SELECT 1 AS x TO 'data' TYPE CSV OPTIONS {"overwrite": true};
EOF
sf pipeline run f
expect_rc 2 "run with overwrite"
expect_err "error[SF-PLAN-045]"
same "$P/data/input.csv" <<'EOF'
id
1
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin foreign_file_is_refused_unless_overwrite; then
new_project foreign
mkdir -p "$P/output"
printf 'precious\n' > "$P/output/report.csv"
pipeline r <<'EOF'
EXPORT SELECT 1 AS x TO 'output/report.csv' TYPE CSV;
EOF
sf pipeline validate r
expect_rc 2 "validate"
expect_err "error[SF-PLAN-045]"
expect_err "already exists and was not written by an export of pipeline r"
expect_err "hint: add \"overwrite\": true to the EXPORT's OPTIONS"
sf pipeline run r
expect_rc 2 "run"
same "$P/output/report.csv" <<<'precious'
pipeline r <<'EOF'
EXPORT SELECT 1 AS x TO 'output/report.csv' TYPE CSV OPTIONS {"overwrite": "yes"};
EOF
sf pipeline run r
expect_rc 2 "overwrite that is not a boolean"
expect_err "parameter 'overwrite' must be true or false"
same "$P/output/report.csv" <<<'precious'
pipeline r <<'EOF'
EXPORT SELECT 1 AS x TO 'output/report.csv' TYPE CSV OPTIONS {"overwrite": true};
EOF
run_ok r
same "$P/output/report.csv" <<'EOF'
x
1
EOF
# Now the ledger knows it as r's: without the option again, r replaces its own file.
pipeline r <<'EOF'
EXPORT SELECT 2 AS x TO 'output/report.csv' TYPE CSV;
EOF
run_ok r
same "$P/output/report.csv" <<'EOF'
x
2
EOF
# Another pipeline's export to the same file is refused, naming the writer.
pipeline other <<'EOF'
EXPORT SELECT 3 AS x TO 'output/report.csv' TYPE CSV;
EOF
sf pipeline run other
expect_rc 2 "other pipeline"
expect_err "was written by export_csv_report of pipeline r"
expect_no_temporaries "after the refusals"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin rerun_replaces_its_own_outputs; then
new_project rerun
pipeline p <<'EOF'
SET n = 3;
EXPORT SELECT range AS i FROM range(${n}) TO 'output/list.csv' TYPE CSV;
EXPORT SELECT range AS i, range % 2 AS part FROM range(${n}) TO 'output/parts' TYPE PARQUET OPTIONS {"partition_by": ["part"]};
EOF
run_ok p
run_ok p --vars '{"n": 4}'
same "$P/output/list.csv" <<'EOF'
i
0
1
2
3
EOF
pipeline check <<'EOF'
EXPORT SELECT count(*) AS n FROM read_parquet('output/parts/*/*.parquet') TO 'count.csv' TYPE CSV;
EOF
run_ok check
same "$P/count.csv" <<'EOF'
n
4
EOF
[ -d "$P/target/tmp" ] || fail "no private temporaries folder under target/"
expect_no_temporaries "after two runs"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin runtime_refusal_when_a_folder_appears_after_planning; then
# The planner checked; the export checks again just before its rename. A step before the export
# makes the folder (plain SQL: DuckDB's COPY writes a partitioned folder).
new_project late
# (COPY is a barrier: the export runs after it.)
pipeline p <<'EOF'
CREATE TABLE output_marker AS SELECT 1 AS y;
COPY (SELECT 1 AS k, 2 AS v) TO 'late' (FORMAT csv, PARTITION_BY (k));
EXPORT SELECT 1 AS x FROM output_marker TO 'late' TYPE CSV;
EOF
sf pipeline run p --threads 1
expect_rc 1 "run"
expect_out "SF-RUN-012"
expect_out "is a folder that no export of pipeline p wrote"
[ -f "$P/late/k=1/data_0.csv" ] || fail "the folder was touched"
expect_no_temporaries "after the refusal"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin kill_before_rename_keeps_old_output_and_next_run_cleans; then
new_project kill_ready
pipeline p <<'EOF'
SET v = 1;
EXPORT SELECT range AS i, ${v} AS v FROM range(1000) TO 'output/data.parquet' TYPE PARQUET;
EOF
run_ok p
run_killed_at export_parquet_data@ready p --vars '{"v": 2}'
[ -n "$(find "$P/target/tmp" -name 'data.parquet')" ] || fail "the killed run's temporary is not in target/tmp"
pipeline read <<'EOF'
EXPORT SELECT count(*) AS n, max(v) AS v FROM read_parquet('output/*.parquet') TO 'read.csv' TYPE CSV;
EOF
run_ok read
same "$P/read.csv" <<'EOF'
n,v
1000,1
EOF
expect_no_temporaries "the next run removes the killed run's private folder"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin kill_after_partitioned_swap_leaves_new_folder_whole; then
new_project kill_swap
pipeline p <<'EOF'
SET v = 1;
EXPORT SELECT range AS i, range % 3 AS part, ${v} AS v FROM range(3000) TO 'output/parts' TYPE PARQUET OPTIONS {"partition_by": ["part"]};
EOF
run_ok p
pipeline read <<'EOF'
EXPORT SELECT count(*) AS n, min(v) AS low, max(v) AS high FROM read_parquet('output/parts/*/*.parquet') TO 'read.csv' TYPE CSV;
EOF
# read_sees_only_version V: the next run reads all 3000 rows of version V through the glob and
# removes the killed run's leftovers.
read_sees_only_version() {
  run_ok read
  same "$P/read.csv" <<<"n,low,high
3000,$1,$1"
  expect_no_temporaries "after the next run"
}
# Killed between the exchange and the removal of the old folder: the new folder is in place whole.
run_killed_at export_parquet_parts@replaced p --vars '{"v": 2}'
[ -n "$(find "$P/target/tmp" -path '*/parts/part=0/*.parquet')" ] || fail "the old folder is not in target/tmp"
read_sees_only_version 2
# Killed just before the exchange: the old folder stays whole.
run_killed_at export_parquet_parts@ready p --vars '{"v": 3}'
read_sees_only_version 2
ok
fi

# ---------------------------------------------------------------------------------------------
if begin sigkill_at_any_moment_then_glob_read_works; then
# A real SIGKILL while a large export runs, once its private folder exists: wherever it lands, the
# destination holds a whole earlier or new output, and the next run reads output/*.parquet and
# leaves no temporaries.
new_project kill_any
pipeline p <<'EOF'
SET v = 1;
EXPORT SELECT range AS i, ${v} AS v, md5(range::VARCHAR) AS h FROM range(3000000) TO 'output/big.parquet' TYPE PARQUET;
EOF
run_ok p
(cd "$P" && exec "$SQLFLOW" pipeline run p --vars '{"v": 2}') > "$ROOT/kill.out" 2> "$ROOT/kill.err" &
BACKGROUND_PID=$!
for _ in $(seq 600); do
  [ -n "$(find "$P/target/tmp" -name 'big.parquet' 2>/dev/null)" ] && break
  kill -0 "$BACKGROUND_PID" 2>/dev/null || break
  sleep 0.01
done
kill -KILL "$BACKGROUND_PID" 2>/dev/null || true
wait "$BACKGROUND_PID" 2>/dev/null || true
BACKGROUND_PID=""
pipeline read <<'EOF'
EXPORT SELECT count(*) AS n, count(DISTINCT v) AS versions FROM read_parquet('output/*.parquet') TO 'read.csv' TYPE CSV;
EOF
run_ok read
same "$P/read.csv" <<'EOF'
n,versions
3000000,1
EOF
expect_no_temporaries "after the next run"
run_ok p --vars '{"v": 3}'
ok
fi

# ---------------------------------------------------------------------------------------------
if begin live_runs_temporaries_are_kept; then
# A private folder of a process that still runs (this shell, with its real start time) is not
# stale; one of a pid that does not exist is, and so are earlier versions' leftovers of dead pids.
new_project live
start="$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$$/stat)"
mkdir -p "$P/target/tmp/.sqlflow-tmp-$$-$start/1" "$P/target/tmp/.sqlflow-tmp-$$-1/1" "$P/output"
touch "$P/target/tmp/.sqlflow-tmp-$$-$start/1/x.csv"
dead=4194999  # above the kernel's pid_max limit: never a running process
mkdir -p "$P/target/tmp/.sqlflow-tmp-$dead-$start" "$P/output/.sqlflow-old-$dead-parts/k=1"
touch "$P/output/.sqlflow-tmp-$dead-7-list.csv"
pipeline p <<'EOF'
EXPORT SELECT 1 AS x TO 'output/list.csv' TYPE CSV;
EOF
run_ok p
[ -f "$P/target/tmp/.sqlflow-tmp-$$-$start/1/x.csv" ] || fail "a live process's temporaries were removed"
for stale in "target/tmp/.sqlflow-tmp-$$-1" "target/tmp/.sqlflow-tmp-$dead-$start" \
  "output/.sqlflow-old-$dead-parts" "output/.sqlflow-tmp-$dead-7-list.csv"; do
  [ ! -e "$P/$stale" ] || fail "stale $stale was kept"
done
ok
fi

# ---------------------------------------------------------------------------------------------
if begin failed_export_leaves_nothing; then
new_project failed
pipeline p <<'EOF'
EXPORT SELECT CASE WHEN range < 50000 THEN range ELSE error('late failure') END AS i FROM range(100000) TO 'output/x.csv' TYPE CSV;
EOF
sf pipeline run p
expect_rc 1 "run"
expect_out "late failure"
[ ! -e "$P/output/x.csv" ] || fail "a failed export left its destination"
expect_no_temporaries "after the failure"
ok
fi

echo "$PASSED passed, 0 failed"
