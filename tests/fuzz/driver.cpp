// A stand-in for libFuzzer's main, so that every fuzz target runs in the ordinary build and under
// ctest without clang: it runs each file named (or each file of each folder named), then a
// deterministic mutation loop over those inputs through LLVMFuzzerTestOneInput.
//   <target> [-runs=N] [-seed=S] [-max_len=L] [-max_total_time=SECONDS] PATH...
// The flags mean what they mean to libFuzzer, so one command line works with both builds: the
// mutated inputs are the same series for the same seed, cut short after SECONDS (so that a slow
// sanitizer build stays within its test's time). When an
// input crashes, hangs (over 10 s) or throws out of the target, it is written to
// ./crash-<target>-<pid> before the process dies, to be replayed as `<target> FILE`.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Provided by the sanitizer runtimes; null without them.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

constexpr unsigned kSecondsPerInput = 10;

// What the target is running now, for the crash handlers (which may only use these).
std::vector<uint8_t> current;
char crash_path[512];

void WriteCrashInput() {
  static bool written = false;
  if (written || crash_path[0] == '\0') return;
  written = true;
  int fd = ::open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  size_t done = 0;
  while (done < current.size()) {
    ssize_t n = ::write(fd, current.data() + done, current.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  const char prefix[] = "fuzz driver: the failing input is in ";
  (void)!::write(2, prefix, sizeof prefix - 1);
  (void)!::write(2, crash_path, std::strlen(crash_path));
  (void)!::write(2, "\n", 1);
}

void OnSignal(int signal) {
  if (signal == SIGALRM) {
    const char message[] = "fuzz driver: an input ran longer than 10 s\n";
    (void)!::write(2, message, sizeof message - 1);
  }
  WriteCrashInput();
  ::signal(signal, SIG_DFL);
  ::raise(signal == SIGALRM ? SIGABRT : signal);
}

void OnTerminate() {
  WriteCrashInput();
  if (std::exception_ptr failure = std::current_exception()) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "fuzz driver: unexpected exception: %s\n", error.what());
    } catch (...) {
      std::fprintf(stderr, "fuzz driver: unexpected exception\n");
    }
  }
  std::abort();
}

// The engine is specified to the bit by the standard (unlike the distributions): the same
// inputs on every platform.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  uint64_t Next() { return engine_(); }
  size_t Below(size_t bound) { return bound == 0 ? 0 : static_cast<size_t>(Next() % bound); }

 private:
  std::mt19937_64 engine_;
};

// Values that sit on boundaries of the formats fuzzed: lengths, counts, signs, -1 markers.
constexpr uint32_t kInteresting[] = {0,          1,          2,          4,          8,      16,
                                     0x7F,       0x80,       0xFF,       0x7FFF,     0x8000, 0xFFFF,
                                     0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 1000,   1 << 20};

void Mutate(std::vector<uint8_t>& data, const std::vector<std::vector<uint8_t>>& inputs, Random& random,
            size_t max_len) {
  switch (random.Below(9)) {
    case 0:  // flip a bit
      if (!data.empty()) data[random.Below(data.size())] ^= static_cast<uint8_t>(1u << random.Below(8));
      break;
    case 1:  // a random byte
      if (!data.empty()) data[random.Below(data.size())] = static_cast<uint8_t>(random.Next());
      break;
    case 2:  // insert bytes
      data.insert(data.begin() + static_cast<std::ptrdiff_t>(random.Below(data.size() + 1)),
                  1 + random.Below(4), static_cast<uint8_t>(random.Next()));
      break;
    case 3: {  // erase a range
      if (data.empty()) break;
      size_t at = random.Below(data.size());
      size_t count = 1 + random.Below(std::min<size_t>(16, data.size() - at));
      data.erase(data.begin() + static_cast<std::ptrdiff_t>(at),
                 data.begin() + static_cast<std::ptrdiff_t>(at + count));
      break;
    }
    case 4: {  // a boundary value as a big-endian integer of 1, 2 or 4 bytes
      if (data.empty()) break;
      uint32_t value = kInteresting[random.Below(std::size(kInteresting))];
      size_t width = size_t{1} << random.Below(3);
      size_t at = random.Below(data.size());
      for (size_t i = 0; i < width && at + i < data.size(); ++i)
        data[at + i] = static_cast<uint8_t>(value >> (8 * (width - 1 - i)));
      break;
    }
    case 5: {  // copy a range of this input elsewhere in it
      if (data.empty()) break;
      size_t from = random.Below(data.size());
      size_t count = 1 + random.Below(std::min<size_t>(64, data.size() - from));
      std::vector<uint8_t> piece(data.begin() + static_cast<std::ptrdiff_t>(from),
                                 data.begin() + static_cast<std::ptrdiff_t>(from + count));
      data.insert(data.begin() + static_cast<std::ptrdiff_t>(random.Below(data.size() + 1)), piece.begin(),
                  piece.end());
      break;
    }
    case 6: {  // splice in a range of another input
      const std::vector<uint8_t>& other = inputs[random.Below(inputs.size())];
      if (other.empty()) break;
      size_t from = random.Below(other.size());
      size_t count = 1 + random.Below(std::min<size_t>(128, other.size() - from));
      data.insert(data.begin() + static_cast<std::ptrdiff_t>(random.Below(data.size() + 1)),
                  other.begin() + static_cast<std::ptrdiff_t>(from),
                  other.begin() + static_cast<std::ptrdiff_t>(from + count));
      break;
    }
    case 7:  // cut the end
      data.resize(random.Below(data.size() + 1));
      break;
    default: {  // repeat one byte many times (deep nesting, long runs)
      if (data.empty()) break;
      uint8_t byte = data[random.Below(data.size())];
      data.insert(data.begin() + static_cast<std::ptrdiff_t>(random.Below(data.size() + 1)),
                  8 + random.Below(256), byte);
      break;
    }
  }
  if (data.size() > max_len) data.resize(max_len);
}

void Run(const std::vector<uint8_t>& input) {
  current = input;
  ::alarm(kSecondsPerInput);
  // A copy the exact size of the input, so that ASan sees a read one past its end.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size() ? input.size() : 1]);
  if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
  LLVMFuzzerTestOneInput(copy.get(), input.size());
  ::alarm(0);
}

std::vector<uint8_t> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool Flag(const std::string& arg, const char* name, uint64_t& value) {
  std::string prefix = std::string("-") + name + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  value = std::strtoull(arg.c_str() + prefix.size(), nullptr, 10);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t runs = 0, seed = 1, max_len = 4096, max_total_time = 0;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (Flag(arg, "runs", runs) || Flag(arg, "seed", seed) || Flag(arg, "max_len", max_len) ||
        Flag(arg, "max_total_time", max_total_time)) {
      continue;
    }
    if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "%s: unknown flag %s (-runs=N -seed=S -max_len=L)\n", argv[0], arg.c_str());
      return 2;
    }
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());  // the same order everywhere, for the same runs
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(arg, ec)) {
      files.emplace_back(arg);
    } else {
      std::fprintf(stderr, "%s: no file or folder %s\n", argv[0], arg.c_str());
      return 2;
    }
  }
  std::snprintf(crash_path, sizeof crash_path, "crash-%s-%d", fs::path(argv[0]).filename().c_str(),
                static_cast<int>(::getpid()));
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) ::signal(signal, OnSignal);
  std::set_terminate(OnTerminate);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(WriteCrashInput);

  auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<uint8_t>> inputs;
  for (const auto& file : files) {
    inputs.push_back(ReadFile(file));
    Run(inputs.back());
  }
  if (inputs.empty()) inputs.emplace_back();
  Random random(seed);
  auto out_of_time = [&] {
    return max_total_time > 0 &&
           std::chrono::steady_clock::now() - start > std::chrono::seconds(max_total_time);
  };
  uint64_t run = 0;
  for (; run < runs && !out_of_time(); ++run) {
    std::vector<uint8_t> data = inputs[random.Below(inputs.size())];
    for (size_t stacked = 1 + random.Below(4); stacked > 0; --stacked) Mutate(data, inputs, random, max_len);
    Run(data);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu files and %llu of %llu mutated inputs in %.1f s, no failure\n",
              fs::path(argv[0]).filename().c_str(), files.size(), static_cast<unsigned long long>(run),
              static_cast<unsigned long long>(runs), seconds);
  return 0;
}
