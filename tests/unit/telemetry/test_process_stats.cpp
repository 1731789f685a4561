#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <vector>

#include "telemetry/process_stats.hpp"

using namespace igw::telemetry;

namespace {

// Taken while the test binary starts, a few milliseconds after the process did.
const double kStaticInitTime = static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                       std::chrono::system_clock::now().time_since_epoch())
                                                       .count()) /
                               1e6;

double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The descriptors open right now, counted without /proc.
double fds_by_fcntl() {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  int top = lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > 65536 ? 65536 : static_cast<int>(lim.rlim_cur);
  double n = 0;
  for (int fd = 0; fd < top; ++fd)
    if (::fcntl(fd, F_GETFD) != -1) n += 1;
  return n;
}

}  // namespace

TEST_SUITE("telemetry/process_stats") {
  TEST_CASE("open fds: the process's descriptors, one more for each file opened, back when closed") {
    auto before = read_process_stats().open_fds;
    // Reading /proc/self/fd holds one descriptor of its own while it counts.
    CHECK(before == fds_by_fcntl() + 1);
    int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(a >= 0);
    CHECK(read_process_stats().open_fds == before + 1);
    int b = ::dup(a);
    REQUIRE(b >= 0);
    CHECK(read_process_stats().open_fds == before + 2);
    ::close(a);
    ::close(b);
    CHECK(read_process_stats().open_fds == before);
  }

  TEST_CASE("resident memory: plausible, and grows once a big allocation is touched") {
    auto before = read_process_stats().resident_bytes;
    CHECK(before > 1 << 20);             // a C++ test binary holds more than a mebibyte
    CHECK(before < 4.0 * (1ull << 30));  // and far less than 4 GiB
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    CHECK(before <= static_cast<double>(ru.ru_maxrss) * 1024 + (1 << 20));  // never above the peak
    constexpr std::size_t kBig = 64u << 20;
    std::vector<char> big(kBig, 1);  // non-zero: every page is written, none left to the zero page
    asm volatile("" : : "r"(big.data()) : "memory");  // the optimizer may not drop the unread allocation
    auto after = read_process_stats().resident_bytes;
    CHECK(big[kBig / 2] == 1);
    CHECK(after - before > 0.75 * kBig);
    CHECK(after - before < 1.5 * kBig);
  }

  TEST_CASE("CPU seconds: user + system time, rising with busy work as the CPU clock does") {
    auto before = read_process_stats().cpu_seconds;
    auto clock_before = process_cpu_seconds();
    CHECK(before >= 0);
    CHECK(before <= clock_before + 0.05);  // clock ticks lag the precise clock, never lead it
    volatile unsigned long sink = 0;
    while (process_cpu_seconds() - clock_before < 0.3) sink = sink + 1;
    auto spent = process_cpu_seconds() - clock_before;
    auto delta = read_process_stats().cpu_seconds - before;
    CHECK(delta > spent - 0.1);
    CHECK(delta < spent + 0.1);
  }

  TEST_CASE("start time: when this process started, in seconds since the epoch") {
    auto start = process_start_time_seconds();
    // /proc/stat's boot time is whole seconds, so the start can read up to a second early.
    CHECK(start > kStaticInitTime - 2);
    CHECK(start <= kStaticInitTime + 0.05);
    CHECK(process_start_time_seconds() == start);  // a fixed instant, not a clock
  }

  TEST_CASE("a command name with spaces and parentheses does not shift the fields") {
    char saved[17] = {};
    REQUIRE(::prctl(PR_GET_NAME, saved) == 0);
    auto start = process_start_time_seconds();
    auto plain = read_process_stats();
    REQUIRE(::prctl(PR_SET_NAME, "a) 1 2 (b) S 9") == 0);
    auto odd = read_process_stats();
    auto odd_start = process_start_time_seconds();
    ::prctl(PR_SET_NAME, saved);
    CHECK(odd_start == start);
    CHECK(odd.open_fds == plain.open_fds);
    CHECK(odd.resident_bytes > 1 << 20);
    CHECK(odd.cpu_seconds >= plain.cpu_seconds);
    CHECK(odd.cpu_seconds < plain.cpu_seconds + 1);
  }
}
