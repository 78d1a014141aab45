#include "run/scheduler.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "common/warnings.h"
#include "run/failure.h"

namespace sqlflow::run {

const char* StepStatusName(StepStatus status) {
  switch (status) {
    case StepStatus::kPending:
      return "PENDING";
    case StepStatus::kRunning:
      return "RUNNING";
    case StepStatus::kSucceeded:
      return "SUCCEEDED";
    case StepStatus::kFailed:
      return "FAILED";
    case StepStatus::kSkipped:
      return "SKIPPED";
    case StepStatus::kRetrying:
      return "RETRYING";
    case StepStatus::kInterrupted:
      return "INTERRUPTED";
  }
  return "?";
}

const char* FailurePolicyName(FailurePolicy policy) {
  return policy == FailurePolicy::kFailFast ? "fail_fast" : "continue";
}

bool RunSummary::success() const {
  for (const auto& step : steps) {
    if (step.status == StepStatus::kFailed || step.status == StepStatus::kInterrupted) return false;
    if (step.status == StepStatus::kSkipped && step.note.empty()) return false;
  }
  return !interrupted && reporter_error.empty();
}

int DefaultWorkers() {
  unsigned cores = std::thread::hardware_concurrency();
  return std::max(2, static_cast<int>(cores / 2));
}

double RetryPolicy::Delay(int retry, double unit) const {
  double delay = first_delay * static_cast<double>(uint64_t{1} << std::min(retry - 1, 20));
  // At most a day: a profile's retry_delay may be any finite number (1e300 doubles to infinity).
  return std::min(delay * (1.0 + jitter * unit), 86400.0);
}

namespace {

double EpochSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Runs tasks on a fixed set of threads; each thread is told its index. Starts as many of `size`
// threads as the system grants (`limit`, unless negative, plays a system that grants no more);
// with none, each task runs on the caller's thread.
class WorkerPool {
 public:
  WorkerPool(int size, int limit, std::function<void(int, size_t)> work) : work_(std::move(work)) {
    for (int i = 0; i < size; ++i) {
      try {
        if (limit >= 0 && i >= limit)
          throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
        threads_.emplace_back([this, i] { Loop(i); });
      } catch (const std::system_error& error) {
        std::string reason = error.code().message();
        common::Warn("SF-RUN-011",
                     i == 0
                         ? fmt::format("no worker thread could be started ({}); the steps run one at a time "
                                       "on the main thread",
                                       reason)
                         : fmt::format("only {} of {} workers could be started ({}); the run goes on with {}",
                                       i, size, reason, i));
        break;
      }
    }
  }
  int size() const { return std::max(static_cast<int>(threads_.size()), 1); }
  ~WorkerPool() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  void Submit(size_t task) {
    if (threads_.empty()) return work_(0, task);
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(task);
    }
    wake_.notify_one();
  }

 private:
  void Loop(int index) {
    while (true) {
      size_t task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return closed_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = tasks_.front();
        tasks_.pop_front();
      }
      work_(index, task);
    }
  }

  std::function<void(int, size_t)> work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<size_t> tasks_;
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

// One run: the state shared by the main thread and the workers.
class Run {
 public:
  Run(StepRunner& runner, const SchedulerOptions& options, const plan::Plan& plan,
      const std::vector<Reporter*>& reporters, std::stop_token stop)
      : runner_(runner),
        options_(options),
        clock_(options.clock ? *options.clock : util::SystemClock()),
        plan_(plan),
        reporters_(reporters),
        stop_(std::move(stop)),
        jitter_(options.jitter_seed ? options.jitter_seed : std::random_device{}()) {}

  RunSummary Execute();

 private:
  void RunStep(int worker, const plan::Step& step, StepOutcome& outcome);
  // Tells every reporter; a reporter's exception stops the run instead of ending the process.
  template <typename Call>
  void Report(Call call) {
    for (auto* reporter : reporters_) {
      try {
        call(*reporter);
      } catch (const std::exception& error) {
        std::lock_guard lock(reporter_mutex_);
        if (reporter_error_.empty()) reporter_error_ = error.what();
      }
    }
  }
  bool ReporterFailed() {
    std::lock_guard lock(reporter_mutex_);
    return !reporter_error_.empty();
  }
  double NextJitter() {
    std::lock_guard lock(jitter_mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(jitter_);
  }

  StepRunner& runner_;
  const SchedulerOptions& options_;
  util::Clock& clock_;
  const plan::Plan& plan_;
  const std::vector<Reporter*>& reporters_;
  std::stop_token stop_;
  std::mutex jitter_mutex_;
  std::mt19937 jitter_;
  std::mutex reporter_mutex_;
  std::string reporter_error_;
  std::atomic<bool> halted_{false};  // a failure stops the run: nothing new starts
};

RunSummary Run::Execute() {
  RunSummary summary;
  double run_start = clock_.Now();
  size_t count = plan_.steps.size();
  summary.steps.resize(count);
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < count; ++i) {
    index_of[plan_.steps[i].id] = i;
    summary.steps[i].id = plan_.steps[i].id;
  }
  std::vector<size_t> waiting_on(count, 0);
  std::vector<std::vector<size_t>> dependents(count);
  for (size_t i = 0; i < count; ++i) {
    for (const auto& dependency : plan_.steps[i].depends_on) {
      dependents[index_of.at(dependency)].push_back(i);
      ++waiting_on[i];
    }
  }
  int workers = std::max(1, options_.workers);

  std::mutex mutex;
  std::condition_variable finished_signal;
  std::deque<size_t> finished;
  std::vector<bool> settled(count, false);
  {
    WorkerPool pool(workers, options_.thread_limit, [&](int worker, size_t index) {
      RunStep(worker, plan_.steps[index], summary.steps[index]);
      {
        std::lock_guard lock(mutex);
        finished.push_back(index);
      }
      finished_signal.notify_one();
    });

    // Ready steps start in plan order; a step's dependents become ready when it is done.
    std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
    auto complete = [&](size_t index) {
      for (size_t dependent : dependents[index]) {
        if (--waiting_on[dependent] == 0) ready.push(dependent);
      }
    };
    for (size_t i = 0; i < count; ++i) {
      if (waiting_on[i] == 0) ready.push(i);
    }
    size_t running = 0;
    while (true) {
      while (!halted_ && !stop_.stop_requested() && !ReporterFailed() && !ready.empty() &&
             running < static_cast<size_t>(pool.size())) {
        size_t index = ready.top();
        ready.pop();
        const plan::Step& step = plan_.steps[index];
        bool selected = options_.selected.empty() || options_.selected.count(step.id) > 0 ||
                        step.kind == plan::Step::Kind::kSource;
        if (!selected) {
          // Not part of a partial run: what it writes is already there.
          summary.steps[index].status = StepStatus::kSkipped;
          summary.steps[index].note = "not selected";
          Report([&](Reporter& reporter) { reporter.StepFinished(step, summary.steps[index]); });
          settled[index] = true;
          complete(index);
          continue;
        }
        ++running;
        pool.Submit(index);
      }
      if (running == 0) break;
      size_t index;
      {
        std::unique_lock lock(mutex);
        finished_signal.wait(lock, [&] { return !finished.empty(); });
        index = finished.front();
        finished.pop_front();
      }
      --running;
      settled[index] = true;
      // A failure that stops the run set halted_ on its worker, before it was reported. Under
      // `continue`, the dependents of a failed step never become ready: they end SKIPPED.
      if (summary.steps[index].status == StepStatus::kSucceeded) complete(index);
    }
  }
  for (size_t i = 0; i < count; ++i) {
    if (settled[i]) continue;
    summary.steps[i].status = StepStatus::kSkipped;
    Report([&](Reporter& reporter) { reporter.StepFinished(plan_.steps[i], summary.steps[i]); });
  }
  // A stop that came after every step had finished stopped nothing: the run succeeded.
  summary.interrupted = stop_.stop_requested() &&
                        std::any_of(summary.steps.begin(), summary.steps.end(), [](const StepOutcome& step) {
                          return step.status != StepStatus::kSucceeded && step.note != "not selected";
                        });
  summary.reporter_error = reporter_error_;
  summary.seconds = clock_.Now() - run_start;
  return summary;
}

void Run::RunStep(int worker, const plan::Step& step, StepOutcome& outcome) {
  outcome.status = StepStatus::kRunning;
  outcome.started_at = EpochSeconds();
  Report([&](Reporter& reporter) { reporter.StepStarted(step, outcome); });
  double start = clock_.Now();
  for (int attempt = 0;; ++attempt) {
    Failure failure;
    bool ok = false;
    try {
      if (stop_.stop_requested()) throw StepError("SF-RUN-010", "interrupted before the step started");
      StepContext context{worker, attempt, stop_};
      runner_.Run(context, step, outcome);
      ok = true;
    } catch (...) {
      failure = ClassifyFailure(std::current_exception(), stop_.stop_requested());
      if (stop_.stop_requested()) failure.status = StepStatus::kInterrupted;
    }
    if (ok) {
      outcome.status = StepStatus::kSucceeded;
      break;
    }
    outcome.status = failure.status;
    outcome.error = failure.message;
    outcome.code = failure.code;
    if (failure.status != StepStatus::kFailed || !failure.transient || attempt >= options_.retry.retries)
      break;
    // Transient: wait and try again; permanent errors never retry.
    double delay = options_.retry.Delay(attempt + 1, NextJitter());
    outcome.status = StepStatus::kRetrying;
    outcome.retries = attempt + 1;
    Report([&](Reporter& reporter) { reporter.StepRetrying(step, outcome, delay); });
    if (!clock_.WaitFor(delay, stop_)) {
      outcome.status = StepStatus::kInterrupted;  // keeps the last error as the reason
      break;
    }
    outcome.error.clear();
    outcome.code.clear();
  }
  outcome.ended_at = EpochSeconds();
  outcome.seconds = clock_.Now() - start;
  // Set before anyone hears of the failure: no step starts after it, even one that becomes ready
  // in the meantime.
  if (outcome.status != StepStatus::kSucceeded &&
      (options_.policy == FailurePolicy::kFailFast || outcome.status == StepStatus::kInterrupted)) {
    halted_ = true;
  }
  Report([&](Reporter& reporter) { reporter.StepFinished(step, outcome); });
}

}  // namespace

Scheduler::Scheduler(StepRunner& runner, SchedulerOptions options)
    : runner_(runner), options_(std::move(options)) {}

RunSummary Scheduler::Run(const plan::Plan& plan, const std::vector<Reporter*>& reporters,
                          std::stop_token stop) {
  return run::Run(runner_, options_, plan, reporters, std::move(stop)).Execute();
}

}  // namespace sqlflow::run
