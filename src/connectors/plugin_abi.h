/* SQLFlow connector plugins: the C ABI.
 *
 * A plugin is a shared library (*.so) in a folder of SQLFLOW_PLUGIN_PATH (colon-separated) or in
 * the project's plugins/ folder. It exports one function, sqlflow_connector_entry, returning a
 * pointer to a static description of a SOURCE connector. Only C types cross the boundary, and rows
 * go into DuckDB through DuckDB's own C API, so a plugin built by another compiler, or in another
 * language, keeps working. See docs/connectors.md and examples/plugin/. */
#ifndef SQLFLOW_PLUGIN_ABI_H
#define SQLFLOW_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "duckdb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SQLFLOW_PLUGIN_ABI_VERSION 1

typedef struct sqlflow_connector_v1 {
  /* SQLFLOW_PLUGIN_ABI_VERSION of the header the plugin was built with. */
  uint32_t abi_version;
  /* The TYPE name users write (SOURCE x TYPE <type> PARAMS {...}), upper case. */
  const char* type;
  const char* description;
  /* NULL-terminated lists: every parameter name the source accepts, and those it requires. */
  const char* const* params;
  const char* const* required_params;
  /* Creates the table `table` (temporary when `temporary` is non-zero) on `connection` and fills
   * it with the source's rows. `params_json` is the SOURCE's PARAMS as a JSON object. Returns 0 and
   * sets *rows on success; otherwise writes a message (NUL-terminated, at most error_size bytes)
   * into `error` and returns non-zero. */
  int (*read)(duckdb_connection connection, const char* params_json, const char* table, int temporary,
              uint64_t* rows, char* error, size_t error_size);
  /* Optional (may be NULL): checks that the source can be reached for `sqlflow connect test`.
   * Returns 0 and a message on success, non-zero and an error message otherwise. */
  int (*test)(const char* params_json, char* message, size_t message_size);
} sqlflow_connector_v1;

/* The one symbol a plugin exports. */
typedef const sqlflow_connector_v1* (*sqlflow_connector_entry_v1)(void);
#define SQLFLOW_CONNECTOR_ENTRY "sqlflow_connector_entry"

#ifdef __cplusplus
}
#endif

#endif /* SQLFLOW_PLUGIN_ABI_H */
