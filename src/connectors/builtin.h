#pragma once
// The built-in connectors and file destinations: the one place that names them all.

#include <memory>
#include <vector>

#include "connectors/connector.h"

namespace sqlflow::connectors {

void RegisterBuiltins(std::vector<std::unique_ptr<Connector>>& connectors,
                      std::vector<std::unique_ptr<FileDestination>>& destinations);

}  // namespace sqlflow::connectors
