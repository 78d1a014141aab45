#include "run/failure.h"

#include <filesystem>

#include "common/error.h"
#include "connectors/connector.h"
#include "engine/load.h"
#include "run/step_runner.h"

namespace sqlflow::run {

Failure ClassifyFailure(const std::exception_ptr& error, bool stopping) {
  try {
    std::rethrow_exception(error);
  } catch (const engine::SchemaError& e) {
    return {StepStatus::kFailed, "SF-LOAD-001", e.what(), false};
  } catch (const engine::EngineError& e) {
    bool interrupted = e.interrupted() || stopping;
    return {interrupted ? StepStatus::kInterrupted : StepStatus::kFailed, "SF-RUN-001", e.what(),
            !interrupted && e.transient()};
  } catch (const StepError& e) {
    return {StepStatus::kFailed, e.code(), e.what(), e.transient()};
  } catch (const connectors::ConnectorError& e) {
    return {stopping ? StepStatus::kInterrupted : StepStatus::kFailed, "SF-CONN-001", e.what(),
            !stopping && e.transient()};
  } catch (const common::Error& e) {
    // The module's own failure with its declared code (the state store, a usage error).
    return {StepStatus::kFailed, e.code(), e.what(), false};
  } catch (const std::filesystem::filesystem_error& e) {
    return {StepStatus::kFailed, "SF-RUN-002", e.what(), false};
  } catch (const std::exception& e) {
    // Anything else a connector or converter throws fails the step; it never ends the process.
    return {StepStatus::kFailed, "SF-RUN-008", e.what(), false};
  } catch (...) {
    return {StepStatus::kFailed, "SF-RUN-008", "unknown error", false};
  }
}

}  // namespace sqlflow::run
