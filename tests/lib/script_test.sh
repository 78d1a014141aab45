# Shared by the scripted test suites (tests/execution, tests/postgres, tests/schema, tests/s3): sourced, not run.
# Each test is `if begin NAME; then ... ok; fi`; `sf ARGS` runs sqlflow in the current project $P
# and records its stdout ($OUT), stderr ($ERR) and exit code ($RC).
#
# The suite sets: SQLFLOW (the binary), ROOT (a scratch folder), ONLY (a regex of tests to run,
# may be empty), and optionally SF_ENV (extra environment for sqlflow, an array) and FAULT
# (SQLFLOW_FAULT_INJECT for the next calls).

# suite_args "$@": the suite's arguments, SQLFLOW_BINARY [NAME_REGEX]; sets SQLFLOW (absolute),
# ONLY (may be empty) and PYTHON. Exits 2 on a usage error.
suite_args() {
  if [ $# -lt 1 ]; then
    echo "usage: $0 SQLFLOW_BINARY [NAME_REGEX]" >&2
    exit 2
  fi
  SQLFLOW="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  [ -x "$SQLFLOW" ] || { echo "not an executable: $SQLFLOW" >&2; exit 2; }
  ONLY="${2:-}"
  PYTHON="$(command -v python3 || echo /usr/bin/python3)"
}

# suite_scratch NAME: $ROOT, a fresh scratch folder removed when the suite exits (kept when KEEP
# is set, to look at). Before that, a test's background sqlflow ($BACKGROUND_PID) still running is
# killed, and the suite's own `suite_teardown` function runs when it has one.
suite_scratch() {
  ROOT="$(mktemp -d "${TMPDIR:-/tmp}/sqlflow-$1-XXXXXX")"
  BACKGROUND_PID=""
  trap suite_cleanup EXIT
}
suite_cleanup() {
  if [ -n "$BACKGROUND_PID" ] && kill -0 "$BACKGROUND_PID" 2>/dev/null; then
    kill -KILL "$BACKGROUND_PID" 2>/dev/null || true
  fi
  if declare -F suite_teardown >/dev/null; then suite_teardown; fi
  [ -n "${KEEP:-}" ] || rm -rf "$ROOT"
}

# new_project NAME [memory|persistent] [PROFILE_LINES]: the project $ROOT/NAME (now $P) with
# pipelines/, profiles/ and data/, and a dev profile on an in-memory or a persistent DuckDB
# (target/db.duckdb), followed by PROFILE_LINES and by what the suite's `project_profile`
# function prints, when it has one.
new_project() {
  P="$ROOT/$1"
  mkdir -p "$P/pipelines" "$P/profiles" "$P/data"
  if [ "${2:-memory}" = persistent ]; then
    printf 'engines:\n  duckdb:\n    mode: persistent\n    path: target/db.duckdb\n' > "$P/profiles/dev.yml"
  else
    printf 'engines:\n  duckdb:\n    mode: memory\n' > "$P/profiles/dev.yml"
  fi
  if [ -n "${3:-}" ]; then printf '%s\n' "$3" >> "$P/profiles/dev.yml"; fi
  if declare -F project_profile >/dev/null; then project_profile >> "$P/profiles/dev.yml"; fi
}

PASSED=0
TEST=""
P=""    # the current project folder
OUT=""  # stdout of the last `sf` call
ERR=""  # stderr of the last `sf` call
RC=0    # exit code of the last `sf` call
CALLS=0
SF_ENV=()
FAULT=""

fail() {
  echo "FAIL [$TEST]: $*" >&2
  if [ -n "$OUT" ] && [ -f "$OUT" ]; then
    echo "--- stdout of the last sqlflow command" >&2
    head -60 "$OUT" >&2
  fi
  if [ -n "$ERR" ] && [ -f "$ERR" ]; then
    echo "--- stderr of the last sqlflow command" >&2
    head -40 "$ERR" >&2
  fi
  exit 1
}

# begin NAME: false when ONLY is set and NAME does not match it.
begin() {
  TEST="$1"; OUT=""; ERR=""
  if [ -n "${ONLY:-}" ] && ! [[ "$TEST" =~ $ONLY ]]; then return 1; fi
  return 0
}

ok() {
  echo "ok $TEST"
  PASSED=$((PASSED + 1))
}

# pipeline NAME < text: writes pipelines/NAME.sf of the current project.
pipeline() { cat > "$P/pipelines/$1.sf"; }

sf() {
  CALLS=$((CALLS + 1))
  OUT="$ROOT/.out.$CALLS"
  ERR="$ROOT/.err.$CALLS"
  RC=0
  local environment=("${SF_ENV[@]}")
  [ -n "$FAULT" ] && environment+=("SQLFLOW_FAULT_INJECT=$FAULT")
  (cd "$P" && env "${environment[@]}" timeout 60 "$SQLFLOW" "$@") > "$OUT" 2> "$ERR" || RC=$?
}

expect_rc() { [ "$RC" -eq "$1" ] || fail "$2: exit code $RC, expected $1"; }

# expect_out TEXT / expect_err TEXT: stdout / stderr of the last call holds TEXT.
expect_out() { grep -qF -- "$1" "$OUT" || fail "stdout lacks: $1"; }
expect_err() { grep -qF -- "$1" "$ERR" || fail "stderr lacks: $1"; }
# expect_msg TEXT: stdout or stderr of the last call holds TEXT; expect_no_msg: neither does.
expect_msg() { cat "$OUT" "$ERR" | grep -qF -- "$1" || fail "output lacks: $1"; }
expect_no_msg() { ! cat "$OUT" "$ERR" | grep -qF -- "$1" || fail "output shows: $1"; }

# run_ok NAME [ARGS]: runs pipeline NAME, which must succeed.
run_ok() { sf pipeline run "$@"; expect_rc 0 "pipeline run $*"; }

# same FILE < expected: FILE holds exactly the expected text.
same() {
  local file="$1" expected
  expected="$(cat)"
  [ -f "$file" ] || fail "$file was not written"
  if [ "$(cat "$file")" != "$expected" ]; then
    fail "$(printf '%s differs from the expected text (--- expected, +++ actual):\n%s' "$file" \
      "$(diff <(printf '%s\n' "$expected") "$file" | head -40)")"
  fi
}
# same_text ACTUAL DESCRIPTION < expected
same_text() {
  local actual="$1" what="$2" expected
  expected="$(cat)"
  [ "$actual" = "$expected" ] || fail "$what: got
$actual
expected
$expected"
}

# check JSON_FILE PYTHON_CODE: runs the code with `d` (the JSON), `steps` (status steps by id)
# and expect(condition, message) defined; a failed expectation fails the test.
check() {
  local message
  if ! message="$("${PYTHON:-python3}" - "$1" "$2" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
steps = {}
if isinstance(d, dict) and isinstance(d.get("steps"), list):
    for s in d["steps"]:
        steps[s.get("step_id", s.get("id"))] = s
run = d.get("run", {}) if isinstance(d, dict) else {}
class Failed(Exception):
    pass
def expect(condition, message):
    if not condition:
        raise Failed(message)
def statuses():
    return {k: v["status"] for k, v in steps.items()}
try:
    exec(sys.argv[2])
except Failed as error:
    print(error)
    sys.exit(1)
PY
)"; then
    fail "${message:-python check failed}"
  fi
}

