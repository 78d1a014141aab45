#pragma once
// A process-wide request to stop: set when the user interrupts a run (Ctrl-C). DuckDB queries are
// interrupted through their connections; work outside DuckDB that can take long (S3 transfers,
// PostgreSQL COPY) checks this flag and stops.

namespace sqlflow::util {

void RequestCancel();
void ClearCancel();
bool CancelRequested();

}  // namespace sqlflow::util
