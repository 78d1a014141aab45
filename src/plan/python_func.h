#pragma once
// PYTHON_FUNC("module.fn", ...) in SQL bodies. A scalar call becomes a call of the UDF's
// registered DuckDB function; a table call (a table UDF in FROM) becomes a temporary table that
// the executor fills by running the UDF on its input just before the step.

#include <string>
#include <vector>

#include "udf/catalog.h"

namespace sqlflow::plan {

struct TableUdfCall {
  std::string placeholder;  // the temporary table that replaces the call in the SQL
  std::string udf;          // full UDF name
  std::string input_sql;    // the query whose rows are the input DataFrame
  std::string kwargs_json;  // keyword arguments, a JSON object
  size_t input_offset = 0;  // where the input argument starts in the rewritten text's source
};

struct RewriteIssue {
  size_t offset = 0;  // in the rewritten text's source
  std::string code;
  std::string message;
  std::string hint;
};

// One replacement in the original text: [begin, end) becomes `replacement`.
struct TextEdit {
  size_t begin;
  size_t end;
  std::string replacement;
};

struct PythonFuncRewrite {
  std::string sql;                        // with every PYTHON_FUNC replaced
  std::vector<TextEdit> edits;            // what changed, in increasing order of `begin`
  std::vector<TableUdfCall> table_calls;  // in the order they must run (inner calls first)
  std::vector<RewriteIssue> issues;
};

// `catalog` may be null (the project has no UDFs): every PYTHON_FUNC is then an issue.
// `counter` numbers placeholders across a whole plan.
PythonFuncRewrite RewritePythonFuncs(const std::string& sql, const udf::UdfCatalog* catalog, int& counter);

// Direct calls (`name(...)`) of a UDF's short name that cannot work: the name is shared by
// several UDFs, or it comes from a file that failed to import. Offsets point at the name.
std::vector<RewriteIssue> CheckDirectUdfCalls(const std::string& sql, const udf::UdfCatalog& catalog);

// Whether a table name is a placeholder of a table UDF call (not a table of the pipeline).
bool IsTableUdfPlaceholder(const std::string& table_key);

}  // namespace sqlflow::plan
