#include "app/interrupt.h"

#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <thread>

namespace sqlflow::app {

namespace {

sigset_t Signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void Say(const char* text) {
  // write(2) only: the message must not wait for a lock another thread holds.
  ssize_t ignored = ::write(STDERR_FILENO, text, std::char_traits<char>::length(text));
  (void)ignored;
}

}  // namespace

InterruptWatcher& InterruptWatcher::Get() {
  // Never destroyed: its thread waits for signals as long as the process lives.
  static InterruptWatcher* watcher = new InterruptWatcher();
  return *watcher;
}

InterruptWatcher::InterruptWatcher() {
  sigset_t set = Signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([this] { Watch(); }).detach();
}

void InterruptWatcher::Watch() {
  sigset_t set = Signals();
  while (true) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    int count = ++signals_;
    switch (phase_.load()) {
      case Phase::kPlanning:
        std::_Exit(130);
      case Phase::kRunning:
        if (count == 1) {
          source_.request_stop();
        } else {
          Say("sqlflow: stopping; the running steps are rolling back and the run is being recorded\n");
        }
        break;
      case Phase::kFinishing:
        break;
    }
  }
}

}  // namespace sqlflow::app
