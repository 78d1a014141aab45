/* An example SQLFlow connector plugin, in C: TYPE GENERATE makes `rows` rows of test data.
 *
 *   SOURCE numbers TYPE GENERATE PARAMS {"rows": 1000, "prefix": "item"};
 *
 * Built by CMake into build/plugins/libsqlflow_generate.so; sqlflow finds it through
 * SQLFLOW_PLUGIN_PATH or a project's plugins/ folder. It uses only C and DuckDB's C API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_abi.h"

/* A tiny reader for the one-level JSON object SQLFlow passes: the number or string value of `key`. */
static const char* find_value(const char* json, const char* key) {
  char pattern[128];
  snprintf(pattern, sizeof(pattern), "\"%s\":", key);
  const char* at = strstr(json, pattern);
  return at ? at + strlen(pattern) : NULL;
}

static long long number_param(const char* json, const char* key, long long fallback) {
  const char* value = find_value(json, key);
  return value ? strtoll(value, NULL, 10) : fallback;
}

static void string_param(const char* json, const char* key, const char* fallback, char* out, size_t size) {
  const char* value = find_value(json, key);
  if (!value || *value != '"') {
    snprintf(out, size, "%s", fallback);
    return;
  }
  const char* end = strchr(value + 1, '"');
  size_t length = end ? (size_t)(end - value - 1) : 0;
  if (length >= size) length = size - 1;
  memcpy(out, value + 1, length);
  out[length] = '\0';
}

static int fail(char* error, size_t error_size, const char* message) {
  snprintf(error, error_size, "%s", message);
  return 1;
}

static int generate_read(duckdb_connection connection, const char* params_json, const char* table,
                         int temporary, uint64_t* rows, char* error, size_t error_size) {
  long long count = number_param(params_json, "rows", 10);
  if (count < 0) return fail(error, error_size, "\"rows\" must be 0 or more");
  char prefix[64];
  string_param(params_json, "prefix", "row", prefix, sizeof(prefix));

  char sql[512];
  snprintf(sql, sizeof(sql), "CREATE %sTABLE \"%s\" (id BIGINT, label VARCHAR, even BOOLEAN)",
           temporary ? "TEMP " : "", table);
  duckdb_result result;
  if (duckdb_query(connection, sql, &result) == DuckDBError) {
    snprintf(error, error_size, "%s", duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    return 1;
  }
  duckdb_destroy_result(&result);

  duckdb_appender appender;
  if (duckdb_appender_create_ext(connection, temporary ? "temp" : NULL, NULL, table, &appender) ==
      DuckDBError) {
    duckdb_appender_destroy(&appender);
    return fail(error, error_size, "cannot append to the staging table");
  }
  char label[128];
  for (long long i = 1; i <= count; ++i) {
    snprintf(label, sizeof(label), "%s-%lld", prefix, i);
    duckdb_append_int64(appender, i);
    duckdb_append_varchar(appender, label);
    duckdb_append_bool(appender, i % 2 == 0);
    if (duckdb_appender_end_row(appender) == DuckDBError) {
      snprintf(error, error_size, "%s", duckdb_appender_error(appender));
      duckdb_appender_destroy(&appender);
      return 1;
    }
  }
  if (duckdb_appender_destroy(&appender) == DuckDBError)
    return fail(error, error_size, "cannot finish appending");
  *rows = (uint64_t)count;
  return 0;
}

static int generate_test(const char* params_json, char* message, size_t message_size) {
  snprintf(message, message_size, "GENERATE will make %lld rows", number_param(params_json, "rows", 10));
  return 0;
}

static const char* const kParams[] = {"rows", "prefix", NULL};
static const char* const kRequired[] = {"rows", NULL};

static const sqlflow_connector_v1 kConnector = {SQLFLOW_PLUGIN_ABI_VERSION,
                                                "GENERATE",
                                                "Generated test rows: id, label, even",
                                                kParams,
                                                kRequired,
                                                generate_read,
                                                generate_test};

__attribute__((visibility("default"))) const sqlflow_connector_v1* sqlflow_connector_entry(void) {
  return &kConnector;
}
