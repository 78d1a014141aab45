#pragma once
// Schema drift guarding of LOADs (docs/schema_management.md): compares a source's columns with its
// accepted schema and applies the source's on_schema_change policy before the target changes.
// Like a watermark, an accepted schema moves only with a committed load.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "engine/schema.h"
#include "plan/plan.h"
#include "run/outcome.h"
#include "schema/schema.h"
#include "state/store.h"

namespace sqlflow::run {

class SchemaGuard {
 public:
  // `default_policy`: the profile's schema.on_schema_change ("" is fail). Without a store nothing
  // is checked.
  SchemaGuard(state::Store* store, std::string pipeline, std::string run_id, std::string default_policy);

  // Whether LOADs of a source with this PARAMS policy ("" = the default) are checked.
  bool Checks(const std::string& source_policy) const;

  struct Verdict {
    bool evolve = false;          // the load may add the new columns
    int64_t accept_snapshot = 0;  // accept this snapshot once the load commits; 0: none
  };
  // Records the snapshot and decides. Throws StepError (SF-RUN-009) when the policy fails the
  // step; a compatible change under warn/evolve adds a warning to `outcome`.
  Verdict Check(const plan::Step& step, const std::string& source_policy,
                const std::vector<engine::Column>& columns, StepOutcome& outcome);
  // After the load committed.
  void Accept(int64_t snapshot);

 private:
  schema::Policy PolicyOf(const std::string& source_policy) const;

  state::Store* store_;
  std::string pipeline_;
  std::string run_id_;
  std::string default_policy_;
  std::mutex mutex_;  // one check at a time: loads of one source share a baseline
};

}  // namespace sqlflow::run
