#pragma once
// A SOURCE's schema as it is now, captured without loading it, for `schema compare` and `accept`.

#include <string>

#include "app/context.h"
#include "schema/schema.h"

namespace sqlflow::app {

// Plans `pipeline` (with the profile and variables) to find SOURCE `source`, prepares it exactly as
// a run does (run::DefineSource) and describes it: DuckDB describes a query source's reader (files
// are sniffed, nothing is loaded); an ingesting source describes itself from its catalog. Throws
// UsageError when the source is unknown or cannot describe itself.
schema::Schema CaptureSourceSchema(const Context& context, const std::string& pipeline,
                                   const std::string& source);

}  // namespace sqlflow::app
