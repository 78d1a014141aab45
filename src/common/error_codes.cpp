#include "common/error_codes.h"

#include <array>

#include <fmt/format.h>

namespace sqlflow::common {

namespace {

// Add a code here before raising it: tests/unit/error_codes_test.cpp fails on a code that the
// sources use and this table lacks, and on a declared code no source uses (unless reserved).
// Then regenerate docs/error_codes.md: `build/sqlflow errors --markdown > docs/error_codes.md`.
constexpr std::array kErrorCodes = {
    // Lexer
    ErrorCode{"SF-LEX-001", 2, "unterminated string literal `'…`"},
    ErrorCode{"SF-LEX-002", 2, "unterminated quoted identifier `\"…`"},
    ErrorCode{"SF-LEX-003", 2, "unterminated block comment `/* …`"},
    ErrorCode{"SF-LEX-004", 2, "unterminated variable reference: `${` without `}` on the same line"},
    ErrorCode{"SF-LEX-005", 2, "unterminated dollar-quoted string `$$…` / `$tag$…`"},
    // Parser
    ErrorCode{"SF-PARSE-001", 2,
              "missing `;` at the end of a statement, or unexpected text where `;` belongs"},
    ErrorCode{
        "SF-PARSE-002", 2,
        "expected keyword missing: `PARAMS`, `FROM`, `AS`, `TYPE`, `TYPE` or `FROM` after a source name, "
        "`=` in SET"},
    ErrorCode{"SF-PARSE-003", 2,
              "expected a name, connector type, connector name, quoted INCLUDE path or alias"},
    ErrorCode{"SF-PARSE-004", 2, "expected a JSON object after `PARAMS` / `OPTIONS`"},
    ErrorCode{"SF-PARSE-005", 2, "unbalanced braces in a PARAMS / OPTIONS object"},
    ErrorCode{"SF-PARSE-006", 2, "unknown load mode"},
    ErrorCode{"SF-PARSE-007", 2, "MERGE without key columns, or a malformed key list"},
    ErrorCode{"SF-PARSE-008", 2, "missing query after `AS`, or nothing between `EXPORT` and `TO`"},
    ErrorCode{"SF-PARSE-009", 2, "EXPORT without a `TO 'destination'`"},
    ErrorCode{"SF-PARSE-010", 2, "`ELSE`, `ELSE IF` or `END IF` without a matching `IF`"},
    ErrorCode{"SF-PARSE-011", 2, "unknown statement that looks like a misspelt directive"},
    ErrorCode{"SF-PARSE-012", 2, "SET value is not a quoted string, number, `true`/`false`/`null` or `${…}`"},
    ErrorCode{"SF-PARSE-013", 2, "`THEN` missing after an IF / ELSE IF condition"},
    ErrorCode{"SF-PARSE-014", 2, "empty condition"},
    ErrorCode{"SF-PARSE-015", 2, "`IF` without `END IF`"},
    ErrorCode{"SF-PARSE-016", 2, "`ELSE IF` or a second `ELSE` after `ELSE`"},
    ErrorCode{"SF-PARSE-017", 2, "IF blocks nested more than 64 deep in one file"},
    // Conditions (docs/conditionals.md#errors)
    ErrorCode{"SF-COND-001", 2, "condition syntax error"},
    ErrorCode{"SF-COND-002", 2, "function call, attribute access or arithmetic in a condition"},
    ErrorCode{"SF-COND-003", 2, "a lone operand that is not boolean-like"},
    ErrorCode{"SF-COND-004", 2, "`<`, `<=`, `>`, `>=` on a boolean or null"},
    // Variables
    ErrorCode{"SF-VAR-001", 2, "undefined variable (no value, no default); lists every use"},
    ErrorCode{"SF-VAR-002", 2, "unterminated `${` inside a string, JSON or path"},
    ErrorCode{"SF-VAR-003", 2, "after variable substitution a step's SQL is more than one statement"},
    ErrorCode{"SF-VAR-004", 2,
              "a variable decides a statement's kind: a value changes its first keyword, or a plain SQL "
              "statement begins with `${…}`"},
    // Planning
    ErrorCode{"SF-PLAN-010", 2, "include cycle"},
    ErrorCode{"SF-PLAN-011", 2,
              "included file cannot be read (missing, not a regular file, larger than 16 MiB)"},
    ErrorCode{"SF-PLAN-012", 2, "INCLUDEs nested more than 64 files deep"},
    ErrorCode{"SF-PLAN-020", 2, "PARAMS / OPTIONS is not a JSON object after substitution"},
    ErrorCode{"SF-PLAN-021", 2, "invalid JSON in PARAMS / OPTIONS"},
    ErrorCode{"SF-PLAN-022", 2,
              "connector parameter problem: unknown, given twice, wrong type, not an allowed value, required "
              "one missing"},
    ErrorCode{"SF-PLAN-023", 2, "unknown connector type"},
    ErrorCode{"SF-PLAN-024", 2, "`SOURCE … FROM \"x\"` names a connector the profile does not define"},
    ErrorCode{"SF-PLAN-025", 2, "the connector type cannot be used as a SOURCE / as an EXPORT"},
    ErrorCode{"SF-PLAN-026", 2, "a source name is defined twice"},
    ErrorCode{"SF-PLAN-027", 2, "`OPTIONS` after `MODE REPLACE` (only APPEND and MERGE take options)"},
    ErrorCode{"SF-PLAN-028", 2, "PARAMS / OPTIONS nested more than 64 levels deep"},
    ErrorCode{"SF-PLAN-030", 2, "SQL syntax error reported by DuckDB's parser, or a NUL byte in the SQL"},
    ErrorCode{"SF-PLAN-031", 2, "`CREATE TABLE … AS` or EXPORT body is not a query"},
    ErrorCode{"SF-PLAN-040", 2, "LOAD from an unknown source"},
    ErrorCode{"SF-PLAN-041", 2, "unknown table (no step writes it and the database does not hold it)"},
    ErrorCode{"SF-PLAN-042", 2, "the same table created twice by plain `CREATE TABLE`"},
    ErrorCode{"SF-PLAN-043", 2, "plain `CREATE TABLE` of a table a LOAD already defines"},
    ErrorCode{"SF-PLAN-044", 2, "dependency cycle"},
    ErrorCode{"SF-PLAN-045", 2,
              "EXPORT destination is a folder, or a file no export of this pipeline wrote (without "
              "`\"overwrite\": true`)"},
    // Run: a step failed (docs/execution.md)
    ErrorCode{"SF-LOAD-001", 1,
              "APPEND or MERGE: the new rows do not fit the table (columns, types, keys, NULL or duplicate "
              "keys); every problem is listed and nothing is written"},
    ErrorCode{"SF-RUN-001", 1, "DuckDB failed the step (DuckDB's message follows)"},
    ErrorCode{"SF-RUN-002", 1, "file-system error in a step (creating folders, renaming an export)"},
    ErrorCode{"SF-RUN-003", 1,
              "unknown connector type at run time (internal; validation normally prevents it)"},
    ErrorCode{"SF-RUN-004", 1, "a LOAD's source was not prepared (internal)"},
    ErrorCode{"SF-RUN-006", 1, "export destination scheme not supported (e.g. `gs://`; `s3://` is)"},
    ErrorCode{"SF-RUN-007", 1, "injected transient fault (the `SQLFLOW_FAULT_INJECT` test hook)"},
    ErrorCode{"SF-RUN-008", 1,
              "any other failure inside a step (an unexpected exception of a converter or connector); the "
              "step fails, the process does not end"},
    ErrorCode{"SF-RUN-009", 1,
              "a LOAD's source changed its schema in a breaking way (policy `fail` or `evolve`); the target "
              "was not touched"},
    ErrorCode{"SF-RUN-010", 130, "the run was interrupted before the step started"},
    ErrorCode{"SF-RUN-011", 0,
              "warning: the system granted fewer worker threads than asked for; the run goes on with those"},
    ErrorCode{"SF-RUN-012", 1,
              "EXPORT destination became a folder, or a file no export of this pipeline wrote, after "
              "planning"},
    // Connectors (docs/connectors.md#errors)
    ErrorCode{
        "SF-CONN-001", 1,
        "a connector failed while the step ran (cannot connect, query or COPY failed, unsupported column "
        "types, NULL or duplicate merge keys); retried when transient"},
    ErrorCode{"SF-CONN-002", 2, "`connect test`: the connector does not work; the cause follows"},
    ErrorCode{"SF-CONN-003", 2,
              "`connect test`: the profile has no connector of that name, or its type is unknown"},
    ErrorCode{"SF-CONN-004", 2, "`connect test`: the connector's parameters fail the type's schema"},
    ErrorCode{"SF-CONN-005", 0,
              "warning: a connector plugin cannot be loaded, speaks another ABI version, or redefines an "
              "existing TYPE; it is skipped"},
    ErrorCode{
        "SF-CONN-006", 2,
        "a connector failed outside a step (e.g. `schema compare` describing a PostgreSQL or S3 source); "
        "the cause follows"},
    // Schema management (docs/schema_management.md)
    ErrorCode{"SF-SCHEMA-001", 2,
              "`schema`: the pipeline has no such SOURCE (with the closest name), or its connector type is "
              "unknown; also the run-time warning that a source's schema changed compatibly"},
    ErrorCode{"SF-SCHEMA-002", 2, "`schema`: which pipeline is meant cannot be told; pass `--pipeline`"},
    ErrorCode{"SF-SCHEMA-003", 2, "`schema`: nothing recorded or accepted yet for the source"},
    ErrorCode{"SF-SCHEMA-004", 2,
              "`schema compare/accept`: the connector cannot describe the source without loading it"},
    ErrorCode{"SF-SCHEMA-005", 2,
              "`schema compare --against`: neither a readable schema file nor a run with a snapshot of the "
              "source"},
    // Python UDFs (docs/python_udfs.md#errors)
    ErrorCode{
        "SF-UDF-001", 2,
        "Python is needed but cannot be loaded: the plugin or `libpython3.11` is missing, or numpy/pandas "
        "cannot be imported"},
    ErrorCode{"SF-UDF-002", 0, "warning: a scalar UDF cannot be registered; the run goes on"},
    ErrorCode{"SF-UDF-003", 1, "a table UDF failed in a step"},
    ErrorCode{"SF-UDF-004", 2, "UDF discovery itself failed (not one file's import)"},
    ErrorCode{"SF-UDF-005", 2,
              "a UDF file failed to import (`udf list`: an error with the traceback; a run: a warning)"},
    ErrorCode{"SF-UDF-010", 2, "`PYTHON_FUNC` without a name literal as its first argument"},
    ErrorCode{
        "SF-UDF-011", 2,
        "unknown UDF name, a UDF of a file that failed to import, or `PYTHON_FUNC` in a project without "
        "UDFs"},
    ErrorCode{"SF-UDF-012", 2, "a table UDF called without its input"},
    ErrorCode{"SF-UDF-013", 2,
              "a table UDF argument after the input is not `key => literal`, or is given twice"},
    ErrorCode{"SF-UDF-014", 2, "a `PYTHON_FUNC` call of a scalar UDF that has no return type"},
    ErrorCode{"SF-UDF-015", 2, "a table UDF keyword argument names no parameter of the UDF"},
    ErrorCode{"SF-UDF-016", 2, "a short UDF name that more than one module defines"},
    ErrorCode{"SF-UDF-017", 2, "a UDF name that belongs to a file which failed to import"},
    ErrorCode{"SF-UDF-019", 2, "a table UDF called where a value belongs, or a scalar UDF where rows belong"},
    // Command line
    ErrorCode{"SF-CLI-001", 2,
              "`--vars` is neither a JSON object nor `k=v` pairs, gives a key twice or nests more than 64 "
              "levels"},
    ErrorCode{"SF-CLI-002", 2, "unknown pipeline name, or the given `.sf` path does not exist"},
    ErrorCode{"SF-CLI-003", 2,
              "the pipeline file cannot be read (unreadable, a folder, a link loop, larger than 16 MiB)"},
    ErrorCode{"SF-CLI-004", 2, "the compiled plan (or a `viz` file) cannot be written"},
    ErrorCode{"SF-CLI-005", 2,
              "`--only` / `--from` names a step the pipeline does not have (with the closest id)"},
    ErrorCode{"SF-CLI-006", 2, "more than one of `--only`, `--from`, `--resume`"},
    ErrorCode{"SF-CLI-007", 2, "`--resume` with an in-memory database"},
    ErrorCode{"SF-CLI-008", 2,
              "`--resume` without an earlier run of the pipeline, or its last run left nothing to do"},
    ErrorCode{"SF-CLI-009", 2, "`--threads` below 1, `--retries` or `--retry-delay` below 0"},
    // Run history
    ErrorCode{"SF-STATE-001", 2, "`status` / `viz --run`: no run with that id, or no run recorded yet"},
    ErrorCode{"SF-STATE-002", 2,
              "the state store (`.sqlflow/state.db`) cannot be opened, read or written; SQLite's message "
              "follows"},
    ErrorCode{"SF-STATE-003", 0,
              "warning: the pipeline's last run could not record all it did (killed, or the state store "
              "failed); the steps its commit ledger shows committed are named"},
    // Project, profile and environment (docs/profiles.md#errors)
    ErrorCode{"SF-PROJECT-001", 2, "`--project-dir` does not exist or has no `profiles/` folder"},
    ErrorCode{"SF-PROJECT-002", 2, "no project found in the current directory or its parents"},
    ErrorCode{"SF-PROFILE-001", 2, "the profile file does not exist; the hint lists the available profiles"},
    ErrorCode{"SF-PROFILE-002", 2, "invalid YAML in the profile"},
    ErrorCode{"SF-PROFILE-003", 2, "unknown profile key, with the closest valid one"},
    ErrorCode{"SF-PROFILE-004", 2,
              "wrong shape: a mapping where a value belongs, a list where a single value belongs, a non-text "
              "key"},
    ErrorCode{"SF-PROFILE-005", 2, "`engines.duckdb.mode` is not `memory` or `persistent`"},
    ErrorCode{"SF-PROFILE-006", 2, "a persistent engine without `path`"},
    ErrorCode{"SF-PROFILE-007", 2, "`threads` is not a positive integer"},
    ErrorCode{"SF-PROFILE-008", 2,
              "`${NAME}` names an unset environment variable (no default), or `${}` names none"},
    ErrorCode{"SF-PROFILE-009", 2, "unterminated `${` in a profile value"},
    ErrorCode{"SF-PROFILE-010", 2, "a connector without a type, or with an empty one"},
    ErrorCode{"SF-PROFILE-011", 2, "duplicate profile key"},
    ErrorCode{"SF-PROFILE-012", 2, "the profile file cannot be read (unreadable, a folder, a link loop)"},
    ErrorCode{"SF-PROFILE-013", 2,
              "`load.schema` is not `widen`/`strict`, or `load.add_columns` is not a boolean"},
    ErrorCode{"SF-PROFILE-014", 2,
              "an `execution` value is out of range (`threads`, `on_failure`, `retries`, `retry_delay`)"},
    ErrorCode{
        "SF-PROFILE-015", 2,
        "a profile is too large or nested too deeply (64 levels, 100,000 values, 1 MiB; YAML alias bombs)"},
    ErrorCode{"SF-PROFILE-016", 2, "a profile value is not UTF-8 text"},
    ErrorCode{"SF-PROFILE-017", 2, "`engines.duckdb.memory_limit` is not a size DuckDB accepts"},
    ErrorCode{
        "SF-PROFILE-018", 2,
        "`engines.duckdb.path` is an existing file that is not a DuckDB database (a CSV, a Parquet file)"},
    ErrorCode{"SF-ENV-001", 2, "malformed `.env` line"},
    ErrorCode{"SF-ENV-002", 2, "`.env` exists but cannot be read"},
    ErrorCode{"SF-INIT-001", 2, "`init` target exists and is not an empty directory"},
    ErrorCode{"SF-INIT-002", 2, "`init` cannot create a folder or write a file"},
    // Outside a step
    ErrorCode{"SF-ENGINE-001", 2,
              "DuckDB failed outside a step, e.g. the persistent database cannot be opened"},
    ErrorCode{"SF-IO-001", 2,
              "a file or folder cannot be read or written outside a step; the operating system's reason and "
              "the path follow"},
    ErrorCode{"SF-INTERNAL-001", 2, "an unexpected internal error (a bug); please report it"},
};

}  // namespace

std::span<const ErrorCode> AllErrorCodes() {
  return kErrorCodes;
}

const ErrorCode* FindErrorCode(std::string_view code) {
  for (const ErrorCode& declared : kErrorCodes) {
    if (declared.code == code) return &declared;
  }
  return nullptr;
}

int ExitCodeOf(std::string_view code) {
  const ErrorCode* declared = FindErrorCode(code);
  return declared ? declared->exit_code : 2;
}

std::string ErrorCodesMarkdown() {
  std::string out =
      "# Error codes\n"
      "\n"
      "Every `SF-…` code SQLFlow prints, with the exit code of the command it stops (`0`: a warning,\n"
      "the command goes on; `1`: a run failed; `2`: nothing ran, the input or the set-up is wrong).\n"
      "\n"
      "Generated from `src/common/error_codes.cpp`; do not edit. Regenerate with\n"
      "`build/sqlflow errors --markdown > docs/error_codes.md`.\n"
      "\n"
      "| code | exit | meaning |\n"
      "|---|---|---|\n";
  for (const ErrorCode& declared : kErrorCodes) {
    out += fmt::format("| `{}` | {} | {}{} |\n", declared.code, declared.exit_code,
                       declared.reserved ? "(reserved) " : "", declared.meaning);
  }
  return out;
}

std::string ErrorCodesText() {
  std::string out;
  for (const ErrorCode& declared : kErrorCodes) {
    out += fmt::format("{}\t{}\t{}\n", declared.code, declared.exit_code, declared.meaning);
  }
  return out;
}

}  // namespace sqlflow::common
