#pragma once

namespace sqlflow::cli {

// The sqlflow command line. Returns the process exit code (SPEC section 7).
int Main(int argc, char** argv);

}  // namespace sqlflow::cli
