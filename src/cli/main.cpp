#include "cli/app.h"

int main(int argc, char** argv) {
  return sqlflow::cli::Main(argc, argv);
}
