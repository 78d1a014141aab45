// The scheduler with fake runners: ordering, overlap, failure policies, retries on an injected
// clock, interruption and failing reporters. Nothing here depends on wall-clock timing.

#include "run/scheduler.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/warnings.h"
#include "engine/duckdb.h"
#include "run/step_runner.h"

namespace sqlflow::run {
namespace {

plan::Plan MakePlan(const std::vector<std::pair<std::string, std::vector<std::string>>>& steps) {
  plan::Plan plan;
  plan.pipeline = "p";
  for (const auto& [id, depends_on] : steps) {
    plan::Step step;
    step.id = id;
    step.kind = plan::Step::Kind::kSql;
    step.depends_on = depends_on;
    plan.steps.push_back(step);
  }
  return plan;
}

// A clock that never waits: it records each wait and moves its time on.
class FakeClock : public util::Clock {
 public:
  double Now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  bool WaitFor(double seconds, const std::stop_token& stop) override {
    std::lock_guard lock(mutex_);
    waits.push_back(seconds);
    now_ += seconds;
    if (on_wait) on_wait();
    return !stop.stop_requested();
  }
  std::vector<double> waits;
  std::function<void()> on_wait;

 private:
  std::mutex mutex_;
  double now_ = 1000;
};

// Runs each step through a function of its id; records the order of starts and ends.
class FakeRunner : public StepRunner {
 public:
  void Run(StepContext& context, const plan::Step& step, StepOutcome& outcome) override {
    {
      std::lock_guard lock(mutex_);
      events.push_back("start " + step.id);
    }
    auto it = actions.find(step.id);
    if (it != actions.end()) it->second(context, outcome);
    std::lock_guard lock(mutex_);
    events.push_back("end " + step.id);
  }
  std::vector<std::string> Events() {
    std::lock_guard lock(mutex_);
    return events;
  }
  std::map<std::string, std::function<void(StepContext&, StepOutcome&)>> actions;
  std::vector<std::string> events;

 private:
  std::mutex mutex_;
};

// A one-shot gate threads wait on; the bound only turns a bug (a deadlock) into a failure.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    wake_.notify_all();
  }
  bool Wait() {
    std::unique_lock lock(mutex_);
    return wake_.wait_for(lock, std::chrono::seconds(30), [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool open_ = false;
};

SchedulerOptions Options(int workers, FakeClock& clock) {
  SchedulerOptions options;
  options.workers = workers;
  options.clock = &clock;
  options.jitter_seed = 7;
  options.retry.jitter = 0;
  return options;
}

std::map<std::string, StepStatus> Statuses(const RunSummary& summary) {
  std::map<std::string, StepStatus> statuses;
  for (const auto& step : summary.steps) statuses[step.id] = step.status;
  return statuses;
}

TEST(SchedulerTest, OneWorkerRunsInPlanOrderAfterDependencies) {
  FakeClock clock;
  FakeRunner runner;
  plan::Plan plan = MakePlan({{"a", {}}, {"b", {"a"}}, {"c", {}}, {"d", {"b", "c"}}});
  RunSummary summary = Scheduler(runner, Options(1, clock)).Run(plan, {}, {});
  EXPECT_TRUE(summary.success());
  EXPECT_EQ(runner.Events(), (std::vector<std::string>{"start a", "end a", "start b", "end b", "start c",
                                                       "end c", "start d", "end d"}));
}

// Worker threads the system refuses (the SQLFLOW_THREAD_LIMIT hook plays RLIMIT_NPROC): a warning
// and fewer workers, never std::terminate.
TEST(SchedulerTest, FewerThreadsThanAskedForRunEveryStep) {
  common::ConfigureWarnings({.quiet = true});
  common::ClearWarnings();
  FakeClock clock;
  FakeRunner runner;
  std::mutex mutex;
  int running = 0, most = 0;
  auto count = [&](StepContext&, StepOutcome&) {
    std::lock_guard lock(mutex);
    most = std::max(most, ++running);
    --running;
  };
  for (const char* id : {"a", "b", "c", "d"}) runner.actions[id] = count;
  SchedulerOptions options = Options(1000, clock);
  options.thread_limit = 2;
  RunSummary summary =
      Scheduler(runner, options).Run(MakePlan({{"a", {}}, {"b", {}}, {"c", {}}, {"d", {"a"}}}), {}, {});
  EXPECT_TRUE(summary.success());
  EXPECT_LE(most, 2);
  std::vector<common::Warning> warnings = common::CollectedWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].code, "SF-RUN-011");
  EXPECT_NE(warnings[0].message.find("only 2 of 1000 workers could be started"), std::string::npos);
  common::ConfigureWarnings({});
}

TEST(SchedulerTest, NoThreadGrantedRunsTheStepsOnTheCallingThread) {
  common::ConfigureWarnings({.quiet = true});
  common::ClearWarnings();
  FakeClock clock;
  FakeRunner runner;
  std::vector<std::thread::id> threads;
  auto record = [&](StepContext& context, StepOutcome&) {
    EXPECT_EQ(context.worker, 0);
    threads.push_back(std::this_thread::get_id());
  };
  for (const char* id : {"a", "b", "c"}) runner.actions[id] = record;
  SchedulerOptions options = Options(4, clock);
  options.thread_limit = 0;
  RunSummary summary = Scheduler(runner, options).Run(MakePlan({{"a", {}}, {"b", {"a"}}, {"c", {}}}), {}, {});
  EXPECT_TRUE(summary.success());
  EXPECT_EQ(runner.Events(),
            (std::vector<std::string>{"start a", "end a", "start b", "end b", "start c", "end c"}));
  EXPECT_EQ(threads, std::vector<std::thread::id>(3, std::this_thread::get_id()));
  ASSERT_EQ(common::CollectedWarnings().size(), 1u);
  EXPECT_NE(common::CollectedWarnings()[0].message.find("no worker thread could be started"),
            std::string::npos);
  common::ConfigureWarnings({});
}

TEST(SchedulerTest, IndependentStepsOverlapAndDependentsWait) {
  FakeClock clock;
  FakeRunner runner;
  Gate a_started, b_started;
  bool overlapped = false;
  // a waits until b has started: only possible when both run at once.
  runner.actions["a"] = [&](StepContext&, StepOutcome&) {
    a_started.Open();
    overlapped = b_started.Wait();
  };
  runner.actions["b"] = [&](StepContext&, StepOutcome&) {
    b_started.Open();
    a_started.Wait();
  };
  plan::Plan plan = MakePlan({{"a", {}}, {"b", {}}, {"c", {"a", "b"}}});
  RunSummary summary = Scheduler(runner, Options(2, clock)).Run(plan, {}, {});
  EXPECT_TRUE(overlapped);
  EXPECT_TRUE(summary.success());
  std::vector<std::string> events = runner.Events();
  auto position = [&](const std::string& event) {
    return std::find(events.begin(), events.end(), event) - events.begin();
  };
  EXPECT_GT(position("start c"), position("end a"));
  EXPECT_GT(position("start c"), position("end b"));
}

TEST(SchedulerTest, FailFastSkipsEverythingNotStarted) {
  FakeClock clock;
  FakeRunner runner;
  runner.actions["b"] = [](StepContext&, StepOutcome&) { throw StepError("SF-RUN-008", "boom"); };
  plan::Plan plan = MakePlan({{"a", {}}, {"b", {}}, {"c", {}}, {"d", {"a"}}});
  RunSummary summary = Scheduler(runner, Options(1, clock)).Run(plan, {}, {});
  auto statuses = Statuses(summary);
  EXPECT_EQ(statuses["a"], StepStatus::kSucceeded);
  EXPECT_EQ(statuses["b"], StepStatus::kFailed);
  EXPECT_EQ(statuses["c"], StepStatus::kSkipped);
  EXPECT_EQ(statuses["d"], StepStatus::kSkipped);
  EXPECT_EQ(summary.steps[1].code, "SF-RUN-008");
  EXPECT_EQ(summary.steps[1].error, "boom");
  EXPECT_FALSE(summary.success());
}

// Tells a gate when a given step has finished.
class FinishedReporter : public Reporter {
 public:
  FinishedReporter(std::string id, Gate& gate) : id_(std::move(id)), gate_(gate) {}
  void StepStarted(const plan::Step&, const StepOutcome&) override {}
  void StepRetrying(const plan::Step&, const StepOutcome&, double) override {}
  void StepFinished(const plan::Step& step, const StepOutcome&) override {
    if (step.id == id_) gate_.Open();
  }

 private:
  std::string id_;
  Gate& gate_;
};

TEST(SchedulerTest, FailFastLetsARunningStepFinish) {
  FakeClock clock;
  FakeRunner runner;
  Gate bad_finished;
  FinishedReporter reporter("bad", bad_finished);
  bool was_running = false;
  runner.actions["slow"] = [&](StepContext&, StepOutcome&) { was_running = bad_finished.Wait(); };
  runner.actions["bad"] = [](StepContext&, StepOutcome&) { throw StepError("SF-RUN-008", "boom"); };
  plan::Plan plan = MakePlan({{"slow", {}}, {"bad", {}}, {"x", {}}, {"after_slow", {"slow"}}});
  RunSummary summary = Scheduler(runner, Options(2, clock)).Run(plan, {&reporter}, {});
  auto statuses = Statuses(summary);
  EXPECT_TRUE(was_running);
  EXPECT_EQ(statuses["slow"], StepStatus::kSucceeded);
  EXPECT_EQ(statuses["bad"], StepStatus::kFailed);
  EXPECT_EQ(statuses["x"], StepStatus::kSkipped);
  EXPECT_EQ(statuses["after_slow"], StepStatus::kSkipped);
}

TEST(SchedulerTest, ContinueRunsWhatDoesNotDependOnTheFailure) {
  FakeClock clock;
  FakeRunner runner;
  runner.actions["a"] = [](StepContext&, StepOutcome&) { throw std::runtime_error("bad"); };
  SchedulerOptions options = Options(1, clock);
  options.policy = FailurePolicy::kContinue;
  plan::Plan plan = MakePlan({{"a", {}}, {"b", {"a"}}, {"c", {}}, {"d", {"c"}}});
  auto statuses = Statuses(Scheduler(runner, options).Run(plan, {}, {}));
  EXPECT_EQ(statuses["a"], StepStatus::kFailed);
  EXPECT_EQ(statuses["b"], StepStatus::kSkipped);
  EXPECT_EQ(statuses["c"], StepStatus::kSucceeded);
  EXPECT_EQ(statuses["d"], StepStatus::kSucceeded);
}

TEST(SchedulerTest, TransientFailuresAreRetriedWithDoublingDelays) {
  FakeClock clock;
  FakeRunner runner;
  std::vector<int> attempts;
  runner.actions["a"] = [&](StepContext& context, StepOutcome&) {
    attempts.push_back(context.attempt);
    if (context.attempt < 2) throw StepError("SF-RUN-007", "flaky", /*transient=*/true);
  };
  SchedulerOptions options = Options(1, clock);
  options.retry.retries = 3;
  options.retry.first_delay = 0.5;
  RunSummary summary = Scheduler(runner, options).Run(MakePlan({{"a", {}}}), {}, {});
  EXPECT_EQ(summary.steps[0].status, StepStatus::kSucceeded);
  EXPECT_EQ(summary.steps[0].retries, 2);
  EXPECT_TRUE(summary.steps[0].error.empty());
  EXPECT_EQ(attempts, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(clock.waits, (std::vector<double>{0.5, 1.0}));
  EXPECT_DOUBLE_EQ(summary.steps[0].seconds, 1.5);  // the injected clock's time
}

TEST(SchedulerTest, RetriesEndWithTheLastError) {
  FakeClock clock;
  FakeRunner runner;
  runner.actions["a"] = [&](StepContext&, StepOutcome&) { throw StepError("SF-RUN-007", "flaky", true); };
  SchedulerOptions options = Options(1, clock);
  options.retry.retries = 2;
  RunSummary summary = Scheduler(runner, options).Run(MakePlan({{"a", {}}}), {}, {});
  EXPECT_EQ(summary.steps[0].status, StepStatus::kFailed);
  EXPECT_EQ(summary.steps[0].retries, 2);
  EXPECT_EQ(summary.steps[0].error, "flaky");
  EXPECT_EQ(clock.waits.size(), 2u);
}

TEST(SchedulerTest, PermanentFailuresAreNotRetried) {
  FakeClock clock;
  FakeRunner runner;
  int calls = 0;
  runner.actions["a"] = [&](StepContext&, StepOutcome&) {
    ++calls;
    throw engine::EngineError("Binder Error: no column x", DUCKDB_ERROR_BINDER);
  };
  SchedulerOptions options = Options(1, clock);
  options.retry.retries = 5;
  RunSummary summary = Scheduler(runner, options).Run(MakePlan({{"a", {}}}), {}, {});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(summary.steps[0].code, "SF-RUN-001");
  EXPECT_TRUE(clock.waits.empty());
}

TEST(SchedulerTest, JitterAddsAtMostItsFraction) {
  RetryPolicy policy;
  policy.first_delay = 2;
  policy.jitter = 0.25;
  EXPECT_DOUBLE_EQ(policy.Delay(1, 0.0), 2.0);
  EXPECT_DOUBLE_EQ(policy.Delay(3, 0.0), 8.0);
  EXPECT_DOUBLE_EQ(policy.Delay(1, 0.999), 2.0 * (1 + 0.25 * 0.999));
  policy.first_delay = 1e300;  // a profile may say so; the wait stays finite
  EXPECT_DOUBLE_EQ(policy.Delay(30, 0.5), 86400.0);
}

TEST(SchedulerTest, AStopDuringAStepInterruptsItAndSkipsTheRest) {
  FakeClock clock;
  FakeRunner runner;
  std::stop_source stop;
  runner.actions["b"] = [&](StepContext&, StepOutcome&) {
    stop.request_stop();  // as the interrupt watcher would, while DuckDB runs the statement
    throw engine::EngineError("INTERRUPT Error: Interrupted!", DUCKDB_ERROR_INTERRUPT);
  };
  plan::Plan plan = MakePlan({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}, {"d", {}}});
  RunSummary summary = Scheduler(runner, Options(1, clock)).Run(plan, {}, stop.get_token());
  auto statuses = Statuses(summary);
  EXPECT_EQ(statuses["a"], StepStatus::kSucceeded);
  EXPECT_EQ(statuses["b"], StepStatus::kInterrupted);
  EXPECT_EQ(statuses["c"], StepStatus::kSkipped);
  EXPECT_EQ(statuses["d"], StepStatus::kSkipped);
  EXPECT_TRUE(summary.interrupted);
  EXPECT_FALSE(summary.success());
}

TEST(SchedulerTest, AStopAfterTheLastStepCommittedLeavesTheRunSucceeded) {
  FakeClock clock;
  FakeRunner runner;
  std::stop_source stop;
  // The signal lands while the last step finishes: its work stands, and nothing is left to stop.
  runner.actions["b"] = [&](StepContext&, StepOutcome&) { stop.request_stop(); };
  plan::Plan plan = MakePlan({{"a", {}}, {"b", {"a"}}});
  RunSummary summary = Scheduler(runner, Options(1, clock)).Run(plan, {}, stop.get_token());
  auto statuses = Statuses(summary);
  EXPECT_EQ(statuses["a"], StepStatus::kSucceeded);
  EXPECT_EQ(statuses["b"], StepStatus::kSucceeded);
  EXPECT_FALSE(summary.interrupted);
  EXPECT_TRUE(summary.success());
}

TEST(SchedulerTest, AStopDuringARetryWaitEndsTheStepInterrupted) {
  FakeClock clock;
  FakeRunner runner;
  std::stop_source stop;
  clock.on_wait = [&] { stop.request_stop(); };
  int calls = 0;
  runner.actions["a"] = [&](StepContext&, StepOutcome&) {
    ++calls;
    throw StepError("SF-RUN-007", "flaky", true);
  };
  SchedulerOptions options = Options(1, clock);
  options.retry.retries = 5;
  RunSummary summary = Scheduler(runner, options).Run(MakePlan({{"a", {}}}), {}, stop.get_token());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(summary.steps[0].status, StepStatus::kInterrupted);
  EXPECT_EQ(summary.steps[0].error, "flaky");
  EXPECT_TRUE(summary.interrupted);
}

TEST(SchedulerTest, UnselectedStepsAreSkippedButSourcesRun) {
  FakeClock clock;
  FakeRunner runner;
  plan::Plan plan = MakePlan({{"src", {}}, {"a", {"src"}}, {"b", {"a"}}});
  plan.steps[0].kind = plan::Step::Kind::kSource;
  SchedulerOptions options = Options(1, clock);
  options.selected = {"b"};
  RunSummary summary = Scheduler(runner, options).Run(plan, {}, {});
  EXPECT_TRUE(summary.success());
  EXPECT_EQ(summary.steps[1].status, StepStatus::kSkipped);
  EXPECT_EQ(summary.steps[1].note, "not selected");
  EXPECT_EQ(runner.Events(), (std::vector<std::string>{"start src", "end src", "start b", "end b"}));
}

// A reporter that fails like a state store on a full disk.
class FailingReporter : public Reporter {
 public:
  void StepStarted(const plan::Step&, const StepOutcome&) override {}
  void StepRetrying(const plan::Step&, const StepOutcome&, double) override {}
  void StepFinished(const plan::Step& step, const StepOutcome&) override {
    if (step.id == "a") throw std::runtime_error("state store: database or disk is full");
  }
};

TEST(SchedulerTest, AFailingReporterStopsTheRunInsteadOfTheProcess) {
  FakeClock clock;
  FakeRunner runner;
  FailingReporter reporter;
  plan::Plan plan = MakePlan({{"a", {}}, {"b", {"a"}}});
  RunSummary summary = Scheduler(runner, Options(2, clock)).Run(plan, {&reporter}, {});
  EXPECT_EQ(summary.reporter_error, "state store: database or disk is full");
  EXPECT_EQ(summary.steps[0].status, StepStatus::kSucceeded);  // what ran is reported as it was
  EXPECT_EQ(summary.steps[1].status, StepStatus::kSkipped);
  EXPECT_FALSE(summary.success());
}

}  // namespace
}  // namespace sqlflow::run
