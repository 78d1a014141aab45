#!/usr/bin/env bash
# Tests of the S3 connector against a real S3-compatible server that checks SigV4 signatures
# (tests/fixtures/s3.sh): every format and compression in round trips, one key, a prefix, globs,
# listings over 1,000 objects, partitioned and multipart exports, the ways to give credentials
# and the endpoint, limits, errors, `sqlflow connect test`, and the server stopped in the middle
# of an upload and of a download.
#   tests/s3/run_tests.sh SQLFLOW_BINARY [NAME_REGEX]
# NAME_REGEX (optional, for debugging) runs only the tests whose names match.
# Prints "ok <name>" per test and "N passed, 0 failed" at the end; stops at the first failure.
set -euo pipefail

# shellcheck source=../lib/script_test.sh
. "$(dirname "$0")/../lib/script_test.sh"
suite_args "$@"
FIXTURE="$(cd "$(dirname "$0")/../fixtures" && pwd)/s3.sh"
command -v curl >/dev/null || { echo "curl is not installed (scripts/setup installs it)" >&2; exit 1; }

ROOT="$(mktemp -d "${TMPDIR:-/tmp}/sqlflow-s3-suite-XXXXXX")"
S3DIR="$ROOT/server"
BUCKETS=lake,many,other
BACKGROUND_PID=""
cleanup() {
  if [ -n "$BACKGROUND_PID" ] && kill -0 "$BACKGROUND_PID" 2>/dev/null; then
    kill -KILL "$BACKGROUND_PID" 2>/dev/null || true
  fi
  "$FIXTURE" stop "$S3DIR" >/dev/null 2>&1 || true
  rm -rf "$ROOT"
}
trap cleanup EXIT

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION \
  AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE
s3_start() {
  # Verbose: the server logs each request, which shows multipart parts and ranged GETs.
  S3RVER_VERBOSE=1 "$FIXTURE" start "$S3DIR" "$BUCKETS" >"$ROOT/fixture.log" 2>&1 || {
    echo "cannot start the S3 server with $FIXTURE:" >&2
    cat "$ROOT/fixture.log" >&2
    exit 1
  }
  ENDPOINT="$(. "$S3DIR/env" && echo "$AWS_ENDPOINT_URL")"
}
s3_start

# sqlflow never sees the caller's credentials: the keys come from the environment below, and the
# shared credentials file is one that does not exist unless a test makes it.
s3_env() {
  SF_ENV=(TZ=UTC TMPDIR="$ROOT/tmp" HOME="$ROOT/home" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
    AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$ENDPOINT")
}
s3_env
mkdir -p "$ROOT/tmp" "$ROOT/home"

# curl_s3 ARGS...: a signed request to the server (for checks that do not go through sqlflow).
curl_s3() {
  curl -s --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
# object_status BUCKET/KEY: the HTTP status of a HEAD of the object.
object_status() { curl_s3 -o /dev/null -I -w '%{http_code}' "$ENDPOINT/$1"; }
# keys BUCKET PREFIX: the keys under PREFIX (first page), one per line, sorted.
# (libcurl signs the query as given: it must be sorted and encoded already.)
keys() {
  local prefix="${2//\//%2F}"
  curl_s3 "$ENDPOINT/$1?list-type=2&prefix=${prefix//=/%3D}" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g' | sort
}

# logged REGEX [COUNT]: the server's log has COUNT (default: at least one) lines matching REGEX,
# waiting up to 5 s since the server writes its log after it answers.
logged() {
  local count
  for _ in $(seq 1 50); do
    count="$(grep -cE -- "$1" "$S3DIR/server.log" || true)"
    if [ -n "${2:-}" ]; then [ "$count" = "$2" ] && return 0; else [ "$count" -gt 0 ] && return 0; fi
    sleep 0.1
  done
  return 1
}
# no_spool: every spool folder of sqlflow is gone.
no_spool() {
  local left
  left="$(find "$ROOT/tmp" -mindepth 1 -maxdepth 1 -name 'sqlflow-*' | head -3)"
  [ -z "$left" ] || fail "spool left behind: $left"
}

# project_profile: the connectors every project of this suite has (new_project adds them)
#   lake     the server, every key given (no environment needed)
#   badkey   a wrong secret
project_profile() {
  cat <<EOF
execution:
  threads: 1
connectors:
  lake: {type: S3, params: {bucket: lake, prefix: "", endpoint_url: "$ENDPOINT", access_key_id: S3RVER, secret_access_key: S3RVER, region: us-east-1}}
  badkey: {type: S3, params: {uri: "s3://lake/", endpoint_url: "$ENDPOINT", access_key_id: S3RVER, secret_access_key: "Wr0ng-S3cret-$RANDOM"}}
EOF
}

# The rows every round trip compares against: 200 orders.
ORDERS="CREATE TABLE orders AS SELECT i::INTEGER AS id, 'name ' || i AS name, i * 0.25 AS amount, DATE '2026-01-01' + i::INTEGER AS day FROM range(1, 201) t(i);"
# diff_of TABLE: rows of TABLE not in orders plus rows of orders not in TABLE, compared as text.
diff_of() {
  echo "(SELECT count(*) FROM ((SELECT id::BIGINT, name, amount::DOUBLE, day::DATE FROM $1 EXCEPT SELECT id, name, amount, day FROM orders) UNION ALL (SELECT id, name, amount, day FROM orders EXCEPT SELECT id::BIGINT, name, amount::DOUBLE, day::DATE FROM $1)))"
}

# ---------------------------------------------------------------------------------------------
if begin round_trip_every_format_and_compression; then
new_project formats
pipeline put <<EOF
$ORDERS
EXPORT SELECT * FROM orders TO 's3://lake/fmt/orders.csv' TYPE CSV;
EXPORT SELECT * FROM orders TO 's3://lake/fmt/orders.csv.gz' TYPE CSV OPTIONS {"compression": "gzip"};
EXPORT SELECT * FROM orders TO 's3://lake/fmt/orders.csv.zst' TYPE CSV OPTIONS {"compression": "zstd"};
EXPORT SELECT * FROM orders TO 's3://lake/fmt/orders.parquet' TYPE PARQUET OPTIONS {"compression": "zstd"};
EXPORT SELECT * FROM orders TO 's3://lake/fmt/orders.json' TYPE JSON OPTIONS {"format": "array"};
EXPORT SELECT * FROM orders TO 's3://lake/fmt/orders.ndjson' TYPE S3 OPTIONS {"file_format": "ndjson"};
EXPORT SELECT * FROM orders TO 's3://lake/fmt/orders.jsonl.gz' TYPE JSON OPTIONS {"compression": "gzip"};
EXPORT SELECT * FROM orders TO 's3://lake/fmt/orders.json.zst' TYPE S3 OPTIONS {"compression": "zstd"};
EXPORT SELECT * FROM orders TO 's3://lake/fmt/raw.dat' TYPE S3 OPTIONS {"file_format": "csv", "delimiter": "|"};
EOF
run_ok put
[ "$(keys lake fmt/ | tr '\n' ' ')" = "fmt/orders.csv fmt/orders.csv.gz fmt/orders.csv.zst fmt/orders.json fmt/orders.json.zst fmt/orders.jsonl.gz fmt/orders.ndjson fmt/orders.parquet fmt/raw.dat " ] ||
  fail "objects after the exports: $(keys lake fmt/ | tr '\n' ' ')"
# The gzip object really is gzip (magic 1f 8b), the zstd one zstd (28 b5 2f fd).
[ "$(curl_s3 "$ENDPOINT/lake/fmt/orders.csv.gz" | head -c 2 | od -An -tx1 | tr -d ' ')" = "1f8b" ] || fail "csv.gz is not gzip"
[ "$(curl_s3 "$ENDPOINT/lake/fmt/orders.csv.zst" | head -c 4 | od -An -tx1 | tr -d ' ')" = "28b52ffd" ] || fail "csv.zst is not zstd"
pipeline get <<EOF
$ORDERS
SOURCE csv TYPE S3 PARAMS {"uri": "s3://lake/fmt/orders.csv"};
LOAD t_csv FROM csv;
SOURCE csvgz TYPE S3 PARAMS {"uri": "s3://lake/fmt/orders.csv.gz"};
LOAD t_csvgz FROM csvgz;
SOURCE csvzst TYPE S3 PARAMS {"bucket": "lake", "key": "fmt/orders.csv.zst"};
LOAD t_csvzst FROM csvzst;
SOURCE pq TYPE S3 PARAMS {"uri": "s3://lake/fmt/orders.parquet"};
LOAD t_pq FROM pq;
SOURCE js TYPE S3 PARAMS {"uri": "s3://lake/fmt/orders.json"};
LOAD t_js FROM js;
SOURCE nd TYPE S3 PARAMS {"uri": "s3://lake/fmt/orders.ndjson"};
LOAD t_nd FROM nd;
SOURCE ndgz TYPE S3 PARAMS {"uri": "s3://lake/fmt/orders.jsonl.gz"};
LOAD t_ndgz FROM ndgz;
SOURCE jszst TYPE S3 PARAMS {"uri": "s3://lake/fmt/orders.json.zst", "format": "ndjson", "compression": "zstd"};
LOAD t_jszst FROM jszst;
SOURCE dat TYPE S3 PARAMS {"uri": "s3://lake/fmt/raw.dat", "file_format": "csv", "delimiter": "|"};
LOAD t_dat FROM dat;
SOURCE viacsv TYPE CSV PARAMS {"path": "s3://lake/fmt/orders.csv.gz", "has_header": true};
LOAD t_viacsv FROM viacsv;
SOURCE viapq TYPE PARQUET PARAMS {"path": "s3://lake/fmt/orders.parquet"};
LOAD t_viapq FROM viapq;
SOURCE viajs TYPE JSON PARAMS {"path": "s3://lake/fmt/orders.ndjson", "format": "newline_delimited"};
LOAD t_viajs FROM viajs;
EXPORT SELECT $(diff_of t_csv) AS csv, $(diff_of t_csvgz) AS csvgz, $(diff_of t_csvzst) AS csvzst,
  $(diff_of t_pq) AS pq, $(diff_of t_js) AS js, $(diff_of t_nd) AS nd, $(diff_of t_ndgz) AS ndgz,
  $(diff_of t_jszst) AS jszst, $(diff_of t_dat) AS dat, $(diff_of t_viacsv) + $(diff_of t_viapq) + $(diff_of t_viajs) AS via_path,
  (SELECT count(*) FROM t_csv) + (SELECT count(*) FROM t_pq) + (SELECT count(*) FROM t_jszst) AS total
TO 'out/diff.csv' TYPE CSV;
EOF
run_ok get
same "$P/out/diff.csv" <<'EOF'
csv,csvgz,csvzst,pq,js,nd,ndgz,jszst,dat,via_path,total
0,0,0,0,0,0,0,0,0,0,600
EOF
no_spool
ok
fi

# ---------------------------------------------------------------------------------------------
if begin one_key_a_prefix_and_globs_select_the_right_objects; then
new_project select
pipeline put <<'EOF'
EXPORT SELECT 1 AS n TO 's3://lake/sel/2026/01/part-1.csv' TYPE CSV;
EXPORT SELECT 2 AS n TO 's3://lake/sel/2026/02/part-2.csv' TYPE CSV;
EXPORT SELECT 4 AS n TO 's3://lake/sel/part-3.csv' TYPE CSV;
EXPORT SELECT 8 AS n TO 's3://lake/sel/2026/other-4.csv' TYPE CSV;
EXPORT SELECT 'marker' AS n TO 's3://lake/sel/_SUCCESS' TYPE S3 OPTIONS {"file_format": "csv"};
EOF
run_ok put
pipeline get <<'EOF'
SOURCE deep TYPE S3 PARAMS {"uri": "s3://lake/sel/**/part-*.csv"};
LOAD t_deep FROM deep;
SOURCE star TYPE S3 PARAMS {"uri": "s3://lake/sel/2026/*/part-*.csv"};
LOAD t_star FROM star;
SOURCE top TYPE S3 PARAMS {"uri": "s3://lake/sel/*.csv"};
LOAD t_top FROM top;
SOURCE class TYPE S3 PARAMS {"uri": "s3://lake/sel/2026/0[2-9]/part-?.csv"};
LOAD t_class FROM class;
SOURCE pre TYPE S3 PARAMS {"bucket": "lake", "prefix": "sel/2026/"};
LOAD t_pre FROM pre;
SOURCE slash TYPE S3 PARAMS {"uri": "s3://lake/sel/"};
LOAD t_slash FROM slash;
SOURCE folder TYPE S3 PARAMS {"uri": "s3://lake/sel/2026"};
LOAD t_folder FROM folder;
SOURCE one FROM "lake" OPTIONS {"key": "sel/2026/other-4.csv", "prefix": null};
LOAD t_one FROM one;
EXPORT SELECT (SELECT sum(n) FROM t_deep) AS deep, (SELECT sum(n) FROM t_star) AS star,
  (SELECT sum(n) FROM t_top) AS top, (SELECT sum(n) FROM t_class) AS class, (SELECT sum(n) FROM t_pre) AS pre,
  (SELECT sum(n) FROM t_slash) AS slash, (SELECT sum(n) FROM t_folder) AS folder, (SELECT sum(n) FROM t_one) AS one
TO 'out/sums.csv' TYPE CSV;
EOF
run_ok get
# deep: 1+2+4 (**/ also matches no folder); star: 1+2; top: 4 (* stays in its folder);
# class: 2; prefix: 1+2+8; the bucket's "folder" (_SUCCESS skipped): 15; one key: 8.
same "$P/out/sums.csv" <<'EOF'
deep,star,top,class,pre,slash,folder,one
7,3,4,2,11,15,11,8
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin listing_over_a_thousand_objects_and_one_object_per_partition; then
new_project many
pipeline put <<'EOF'
CREATE TABLE facts AS SELECT i AS id, i % 1005 AS p FROM range(2010) t(i);
EXPORT SELECT * FROM facts TO 's3://many/facts' TYPE CSV OPTIONS {"partition_by": "p"};
EOF
run_ok put
count="$(curl_s3 "$ENDPOINT/many?list-type=2&max-keys=1000&prefix=facts%2F" | grep -o '<KeyCount>[0-9]*' | grep -o '[0-9]*')"
[ "$count" = "1000" ] || fail "first page holds $count keys"
[ "$(keys many facts/p=17/)" = "facts/p=17/data_0.csv" ] || fail "partition p=17: $(keys many facts/p=17/)"
pipeline get <<'EOF'
SOURCE all_facts TYPE S3 PARAMS {"uri": "s3://many/facts/**/*.csv"};
LOAD facts FROM all_facts;
EXPORT SELECT count(*) AS n, count(DISTINCT p) AS partitions, sum(id) AS ids FROM facts TO 'out/n.csv' TYPE CSV;
EOF
run_ok get
same "$P/out/n.csv" <<'EOF'
n,partitions,ids
2010,1005,2019045
EOF
ok
fi

# ---------------------------------------------------------------------------------------------
if begin large_objects_go_up_multipart_and_come_back_in_ranges; then
new_project big
pipeline put <<'EOF'
CREATE TABLE big AS SELECT i AS id, md5(i::VARCHAR) AS h FROM range(1000000) t(i);
EXPORT SELECT * FROM big TO 's3://lake/big/big.csv' TYPE CSV;
EXPORT SELECT * FROM big TO 's3://lake/big/small-parts.csv' TYPE CSV OPTIONS {"part_size": 5242880};
EXPORT SELECT * FROM big TO 's3://lake/big/one-put.csv' TYPE CSV OPTIONS {"multipart_threshold": 104857600};
EOF
run_ok put
logged 'big/big.csv\?partNumber=[0-9]+&uploadId=[0-9a-f]+ 200' 3 ||
  fail "a 40 MB object should go up as 3 parts of 16 MiB"
logged 'big/small-parts.csv\?partNumber=[0-9]+&uploadId=[0-9a-f]+ 200' 8 ||
  fail "with 5 MiB parts a 40 MB object should go up as 8 parts"
! grep -q 'one-put.csv?partNumber' "$S3DIR/server.log" || fail "an object under multipart_threshold went up in parts"
[ "$(object_status lake/big/one-put.csv)" = "200" ] || fail "the single PUT object is missing"
pipeline get <<'EOF'
SOURCE b TYPE S3 PARAMS {"uri": "s3://lake/big/big.csv"};
LOAD big FROM b;
EXPORT SELECT count(*) AS n, sum(id) AS ids, count(DISTINCT h) AS hashes, bool_and(h = md5(id::VARCHAR)) AS intact
FROM big TO 'out/n.csv' TYPE CSV;
EOF
run_ok get
logged 'big/big.csv 206' 3 || fail "a 40 MB object should come down as 3 ranged GETs"
same "$P/out/n.csv" <<'EOF'
n,ids,hashes,intact
1000000,499999500000,1000000,true
EOF
no_spool
ok
fi

# ---------------------------------------------------------------------------------------------
# Parts go up while DuckDB writes the file; when DuckDB then fails, the upload is aborted.
if begin an_export_whose_query_fails_midway_leaves_no_object; then
new_project midway
# One DuckDB thread: rows are written in order, so most of the file exists before the error.
{ printf 'engines:\n  duckdb:\n    mode: memory\n    threads: 1\n'; project_profile; } > "$P/profiles/dev.yml"
pipeline up <<'EOF'
EXPORT SELECT i AS id, md5(i::VARCHAR) || repeat('x', 100) AS h,
  CASE WHEN i < 900000 THEN i ELSE error('boom at row ' || i) END AS checked
FROM range(1000000) t(i) TO 's3://lake/midway/rows.csv' TYPE CSV;
EOF
sf pipeline run up
expect_rc 1 "an export whose query fails"
expect_msg "boom at row 900000"
logged 'midway/rows.csv\?partNumber=1&uploadId=[0-9a-f]+ 200' ||
  fail "no part went up while DuckDB was writing"
logged 'midway/rows.csv\?uploadId=[0-9a-f]+ 405' || fail "the upload was not aborted"
[ "$(object_status lake/midway/rows.csv)" = "404" ] || fail "a failed export left an object"
no_spool
ok
fi

# ---------------------------------------------------------------------------------------------
if begin credentials_and_endpoint_from_profile_variables_and_credentials_file; then
new_project creds
pipeline put <<'EOF'
EXPORT SELECT 42 AS answer TO 's3://lake/creds/a.csv' TYPE CSV OPTIONS {"connection": "lake"};
EOF
pipeline get <<'EOF'
SOURCE a FROM "lake" OPTIONS {"prefix": "creds/"};
LOAD a FROM a;
EXPORT SELECT * FROM a TO 'out/a.csv' TYPE CSV;
EOF
# The profile connector alone: no AWS_* variable at all.
SF_ENV=(TZ=UTC TMPDIR="$ROOT/tmp" HOME="$ROOT/home")
run_ok put
run_ok get
same "$P/out/a.csv" <<< $'answer\n42'
# AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL; the keys come from ~/.aws/credentials.
mkdir -p "$ROOT/home/.aws"
printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' > "$ROOT/home/.aws/credentials"
pipeline envget <<'EOF'
SOURCE a TYPE S3 PARAMS {"uri": "s3://lake/creds/a.csv"};
LOAD a FROM a;
EXPORT SELECT answer + 1 AS next FROM a TO 'out/b.csv' TYPE CSV;
EOF
SF_ENV=(TZ=UTC TMPDIR="$ROOT/tmp" HOME="$ROOT/home" AWS_ENDPOINT_URL="http://127.0.0.1:9" AWS_ENDPOINT_URL_S3="$ENDPOINT")
run_ok envget
same "$P/out/b.csv" <<< $'next\n43'
# A named profile of the credentials file, chosen with AWS_PROFILE.
printf '[default]\naws_access_key_id = nobody\naws_secret_access_key = nothing\n[ci]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' > "$ROOT/home/.aws/credentials"
SF_ENV=(TZ=UTC TMPDIR="$ROOT/tmp" HOME="$ROOT/home" AWS_ENDPOINT_URL="$ENDPOINT" AWS_PROFILE=ci)
run_ok envget
rm -rf "$ROOT/home/.aws"
s3_env
ok
fi

# ---------------------------------------------------------------------------------------------
if begin wrong_keys_missing_bucket_and_key_and_limits_fail_clearly; then
new_project errors persistent
pipeline seed <<'EOF'
CREATE TABLE kept AS SELECT 7 AS n;
EXPORT SELECT 1 AS n TO 's3://lake/err/1.csv' TYPE CSV;
EXPORT SELECT 2 AS n TO 's3://lake/err/2.csv' TYPE CSV;
EOF
run_ok seed
pipeline badkey <<'EOF'
SOURCE a FROM "badkey" OPTIONS {};
LOAD kept FROM a;
EOF
sf pipeline run badkey
expect_rc 1 "a wrong secret"
expect_msg "HTTP 403 SignatureDoesNotMatch"
expect_msg "check the access key and secret"
expect_no_msg "Wr0ng-S3cret"
pipeline nobucket <<'EOF'
SOURCE a TYPE S3 PARAMS {"uri": "s3://no-such-bucket/x.csv"};
LOAD kept FROM a;
EOF
sf pipeline run nobucket
expect_rc 1 "a missing bucket"
expect_msg "[no bucket no-such-bucket]"
pipeline nokey <<'EOF'
SOURCE a TYPE S3 PARAMS {"bucket": "lake", "key": "err/3.csv"};
LOAD kept FROM a;
EOF
sf pipeline run nokey
expect_rc 1 "a missing key"
expect_msg "no object matches s3://lake/err/3.csv"
pipeline limits <<'EOF'
SOURCE files TYPE S3 PARAMS {"uri": "s3://lake/err/*.csv", "max_files": 1};
LOAD kept FROM files;
EOF
sf pipeline run limits
expect_rc 1 "max_files"
expect_msg "2 objects match s3://lake/err/*.csv, more than max_files = 1"
pipeline bytes <<'EOF'
SOURCE files TYPE S3 PARAMS {"uri": "s3://lake/err/*.csv", "max_bytes": 5}; 
LOAD kept FROM files;
EOF
sf pipeline run bytes
expect_rc 1 "max_bytes"
expect_msg "more than max_bytes = 5"
pipeline noexport <<'EOF'
EXPORT SELECT 1 AS n TO 's3://no-such-bucket/x.csv' TYPE CSV;
EOF
sf pipeline run noexport
expect_rc 1 "an export to a missing bucket"
expect_msg "[no bucket no-such-bucket]"
# Nothing failed changed the table.
pipeline check <<'EOF'
EXPORT SELECT * FROM kept TO 'out/kept.csv' TYPE CSV;
EOF
run_ok check
same "$P/out/kept.csv" <<< $'n\n7'
no_spool
ok
fi

# ---------------------------------------------------------------------------------------------
if begin bad_parameters_are_plan_errors_with_carets; then
new_project params
pipeline bad <<'EOF'
SOURCE a TYPE S3 PARAMS {"uri": "https://lake/x.csv"};
SOURCE b TYPE S3 PARAMS {"bucket": "lake"};
SOURCE c TYPE S3 PARAMS {"uri": "s3://lake/x.csv", "format": "xml"};
EXPORT SELECT 1 AS n TO 's3://lake/x.bin' TYPE S3;
EXPORT SELECT 1 AS n TO 's3://lake/x.csv' TYPE CSV OPTIONS {"regoin": "eu-west-1"};
EXPORT SELECT 1 AS n TO 's3://lake/x.csv' TYPE POSTGRES;
EXPORT SELECT 1 AS n TO 's3://lake/y.csv' TYPE CSV OPTIONS {"part_size": 1000};
EOF
sf pipeline validate bad
expect_rc 2 "invalid S3 parameters"
expect_msg 'pipelines/bad.sf:1:26: error[SF-PLAN-022]: SOURCE a (S3): "uri" must start with s3://'
expect_msg 'SOURCE b (S3): with "bucket", give "key" (one object or a glob) or "prefix"'
expect_msg "parameter 'format' must be one of"
expect_msg 'cannot tell the file format of'
expect_msg "did you mean 'region'?"
expect_msg 'EXPORT (POSTGRES) cannot write to an s3:// URI'
expect_msg '"part_size" must be between 5 MiB and 5 GiB'
ok
fi

# ---------------------------------------------------------------------------------------------
if begin connect_test_lists_the_bucket; then
new_project connect
sf connect test lake
expect_rc 0 "connect test lake"
expect_msg "ok: lake (S3): bucket lake reachable;"
sf connect test badkey
[ "$RC" -ne 0 ] || fail "connect test with a wrong secret succeeded"
expect_msg "HTTP 403"
expect_no_msg "Wr0ng-S3cret"
ok
fi

# ---------------------------------------------------------------------------------------------
if begin schema_drift_of_an_s3_object_is_detected_before_the_target_changes; then
new_project drift persistent
pipeline put1 <<'EOF'
EXPORT SELECT 1 AS id, 'a' AS name TO 's3://lake/drift/people.csv' TYPE CSV;
EOF
pipeline put2 <<'EOF'
EXPORT SELECT 2 AS id, 'b' AS name, 'x' AS extra TO 's3://lake/drift/people.csv' TYPE CSV;
EOF
pipeline put3 <<'EOF'
EXPORT SELECT 3 AS id, 3.5 AS score TO 's3://lake/drift/people.csv' TYPE CSV;
EOF
pipeline load <<'EOF'
SOURCE people TYPE S3 PARAMS {"uri": "s3://lake/drift/people.csv"};
LOAD people FROM people;
EOF
pipeline count <<'EOF'
EXPORT SELECT count(*) AS n, max(id) AS top FROM people TO 'out/n.csv' TYPE CSV;
EOF
run_ok put1
run_ok load
# A new column: compatible, reported, loaded (the default policy fails breaking changes only).
run_ok put2
run_ok load
expect_msg "warning[SF-SCHEMA-001]: source 'people' changed its schema (compatible"
expect_msg 'column "extra" (VARCHAR) added'
# name is gone (against the accepted id, name): breaking, the step fails, the table keeps its row.
run_ok put3
sf pipeline run load
expect_rc 1 "a breaking change of an S3 object"
expect_msg "error[SF-RUN-009]: source 'people' changed its schema in a breaking way"
expect_msg 'column "name" (VARCHAR) removed'
run_ok count
same "$P/out/n.csv" <<< $'n,top\n1,2'
# `schema compare` fetches the object's current shape itself; `accept` makes it the accepted one.
sf schema compare people --pipeline load
expect_rc 1 "schema compare of a breaking change"
expect_msg 'column "name" (VARCHAR) removed'
sf schema accept people --pipeline load
expect_rc 0 "schema accept"
run_ok load
run_ok count
same "$P/out/n.csv" <<< $'n,top\n1,3'
no_spool
ok
fi

# ---------------------------------------------------------------------------------------------
# The server is killed while a transfer runs (the wire slowed by a test hook so the moment is
# certain; the download's object is larger than what socket buffers hold, 160 MB). The step fails
# after its retries; no object, table or spool is left half made.

# during_transfer PIPELINE STARTED ACTION...: runs PIPELINE in the background on a slow wire,
# runs ACTION once the command STARTED succeeds (the transfer has begun), then records the run's
# output and exit code like `sf`.
during_transfer() {
  local pipeline="$1" started="$2"
  shift 2
  (cd "$P" && exec env "${SF_ENV[@]}" SQLFLOW_S3_RATE_LIMIT=4000000 timeout 60 "$SQLFLOW" pipeline run "$pipeline" \
    > "$ROOT/$pipeline.out" 2> "$ROOT/$pipeline.err") &
  BACKGROUND_PID=$!
  local begun=""
  for _ in $(seq 1 200); do
    if eval "$started"; then begun=1; break; fi
    sleep 0.05
  done
  [ -n "$begun" ] || fail "the transfer of $pipeline never started"
  sleep 0.3
  "$@"
  RC=0
  wait "$BACKGROUND_PID" || RC=$?
  BACKGROUND_PID=""
  OUT="$ROOT/$pipeline.out"
  ERR="$ROOT/$pipeline.err"
}
# spooled NAME: a download into a spool file NAME has begun.
spooled() { [ -n "$(find "$ROOT/tmp" -name "$1" 2>/dev/null)" ]; }
# uploading KEY: the server holds a started multipart upload of KEY (in uploads/<id>/key).
uploading() { grep -rqx --include=key -- "$1" "$S3DIR/data/lake" 2>/dev/null; }
# The server killed abruptly (connections reset mid-body), then a new one started.
kill_server() {
  kill -KILL "$(cat "$S3DIR/pid")"
  s3_start
  s3_env
}
# Ctrl-C to this run's sqlflow only (the child of its timeout; other suites may be running sqlflow).
interrupt_run() { pkill -INT -P "$BACKGROUND_PID"; }

# transfer_project NAME PREFIX ROWS: a persistent project whose seed run writes ROWS rows (about
# 40 bytes each) to s3://lake/PREFIX/down.csv and a one-row table `target`; pipeline `down` loads
# the object into target, `up` exports 1M rows to s3://lake/PREFIX/up.csv, and `target_kept`
# checks that target still holds its one row.
transfer_project() {
  new_project "$1" persistent
  pipeline seed <<EOF
CREATE TABLE big AS SELECT i AS id, md5(i::VARCHAR) AS h FROM range($3) t(i);
EXPORT SELECT * FROM big TO 's3://lake/$2/down.csv' TYPE CSV;
CREATE TABLE target AS SELECT 1 AS id, 'kept' AS h;
EOF
  run_ok seed
  pipeline down <<EOF
SOURCE b TYPE S3 PARAMS {"uri": "s3://lake/$2/down.csv"};
LOAD target FROM b;
EOF
  pipeline up <<EOF
CREATE TABLE big AS SELECT i AS id, md5(i::VARCHAR) AS h FROM range(1000000) t(i);
EXPORT SELECT * FROM big TO 's3://lake/$2/up.csv' TYPE CSV;
EOF
  pipeline check <<'EOF'
EXPORT SELECT * FROM target TO 'out/target.csv' TYPE CSV;
EOF
}
target_kept() {
  run_ok check
  same "$P/out/target.csv" <<< $'id,h\n1,kept'
}

if begin interrupting_a_transfer_stops_it_and_leaves_nothing; then
transfer_project interrupt int 2000000
SECONDS=0
during_transfer down "spooled down.csv" interrupt_run
expect_rc 130 "Ctrl-C during a download"
expect_msg "INTERRUPTED"
expect_msg "interrupted"
[ "$SECONDS" -lt 8 ] || fail "the download went on for ${SECONDS}s after Ctrl-C (the whole object takes 20 s)"
no_spool
during_transfer up "uploading int/up.csv" interrupt_run
expect_rc 130 "Ctrl-C during an upload"
[ "$(object_status lake/int/up.csv)" = "404" ] || fail "an interrupted upload left an object"
# The multipart upload is aborted (this server does not implement AbortMultipartUpload and
# answers 405, but it logs the request).
logged 'int/up.csv\?uploadId=[0-9a-f]+ 405' || fail "the interrupted multipart upload was not aborted"
no_spool
target_kept
ok
fi

if begin server_stopped_during_transfers_leaves_no_object_and_changes_no_table; then
transfer_project stopped stop 4000000
during_transfer up "uploading stop/up.csv" kill_server
expect_rc 1 "an upload whose server went away"
expect_msg "export_csv_up"
expect_msg "Couldn't connect to server"
expect_msg "FAILED"
[ "$(object_status lake/stop/up.csv)" = "404" ] || fail "a partial object is visible after the failed upload"
no_spool
during_transfer down "spooled down.csv" kill_server
expect_rc 1 "a download whose server went away"
expect_msg "load_target"
expect_msg "Couldn't connect to server"
no_spool
target_kept
ok
fi

echo "$PASSED passed, 0 failed"
