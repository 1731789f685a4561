#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "telemetry/line_writer.hpp"
#include "telemetry/log.hpp"

using namespace igw::telemetry::log;

namespace {

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    r = fds[0];
    w = fds[1];
  }
  ~Pipe() {
    if (r >= 0) ::close(r);
    if (w >= 0) ::close(w);
  }
  void close_write() {
    ::close(w);
    w = -1;
  }
  // Reads until the write end is closed.
  std::string read_to_end() {
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = ::read(r, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
  // Reads until `bytes` arrived or the deadline passed.
  std::string read_some(std::size_t bytes, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    std::string out;
    ::fcntl(r, F_SETFL, O_NONBLOCK);
    auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[65536];
    while (out.size() < bytes && std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::read(r, buf, sizeof buf);
      if (n > 0) out.append(buf, static_cast<std::size_t>(n));
      else std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return out;
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

}  // namespace

TEST_SUITE("telemetry/line_writer") {
  TEST_CASE("lines from several threads all arrive whole, each thread's in order") {
    Pipe pipe;
    constexpr int kThreads = 4, kLines = 2000;
    std::string text;
    std::thread reader([&] { text = pipe.read_to_end(); });
    {
      LineWriter writer(pipe.w, {});
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
          for (int i = 0; i < kLines; ++i) CHECK(writer.append(std::to_string(t) + ":" + std::to_string(i)));
        });
      for (auto& th : threads) th.join();
      writer.flush();
      CHECK(writer.dropped() == 0);
    }
    pipe.close_write();
    reader.join();
    auto lines = lines_of(text);
    REQUIRE(lines.size() == std::size_t{kThreads} * kLines);
    std::vector<int> next(kThreads, 0);
    for (const auto& l : lines) {
      auto colon = l.find(':');
      REQUIRE(colon != std::string::npos);
      int t = std::stoi(l.substr(0, colon));
      CHECK(std::stoi(l.substr(colon + 1)) == next[t]);
      ++next[t];
    }
  }

  TEST_CASE("flush returns only once the lines are out") {
    Pipe pipe;
    LineWriter writer(pipe.w, {.max_pending_bytes = 1 << 20, .window = std::chrono::milliseconds(200), .dropped_notice = {}});
    writer.append("one");
    writer.append("two");
    writer.flush();  // does not wait for the 200 ms window
    CHECK(pipe.read_some(8, std::chrono::milliseconds(50)) == "one\ntwo\n");
  }

  TEST_CASE("a stalled output drops lines beyond the budget instead of blocking, and says so later") {
    Pipe pipe;
    LineWriter::Options options{.max_pending_bytes = 4096,
                                .window = std::chrono::milliseconds(1),
                                .dropped_notice = [](std::uint64_t n) { return "lost " + std::to_string(n); }};
    LineWriter writer(pipe.w, options);
    const std::string line(99, 'x');
    // Nobody reads the pipe: it fills (64 KiB), the writer blocks in write(2), the budget fills.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::size_t accepted = 0;
    while (writer.dropped() < 10 && std::chrono::steady_clock::now() < deadline) {
      auto t0 = std::chrono::steady_clock::now();
      if (writer.append(line)) ++accepted;
      CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(100));  // never blocks
    }
    std::uint64_t dropped = writer.dropped();
    REQUIRE(dropped >= 10);
    std::string text;
    std::thread reader([&] { text = pipe.read_to_end(); });
    writer.flush();
    pipe.close_write();  // the writer is idle after the flush: nothing more is written
    reader.join();
    auto lines = lines_of(text);
    CHECK(lines.size() == accepted + 1);
    CHECK(lines.back() == "lost " + std::to_string(dropped));
  }

  TEST_CASE("a closed output neither crashes nor hangs a flush") {
    auto old = std::signal(SIGPIPE, SIG_IGN);
    Pipe pipe;
    ::close(pipe.r);
    pipe.r = -1;
    {
      LineWriter writer(pipe.w, {});
      CHECK(writer.append("nobody reads this"));
      writer.flush();
      CHECK(writer.append("nor this"));
    }
    std::signal(SIGPIPE, old);
  }

  TEST_CASE("what is pending is written when the writer goes away") {
    Pipe pipe;
    {
      LineWriter writer(pipe.w, {.max_pending_bytes = 1 << 20, .window = std::chrono::seconds(10), .dropped_notice = {}});
      writer.append("last words");
    }
    CHECK(pipe.read_some(11, std::chrono::milliseconds(100)) == "last words\n");
  }

  TEST_CASE("timestamps stay right across seconds on one thread") {
    auto ts = [](std::int64_t ms) {
      return nlohmann::json::parse(format_line(Level::info, "x", "m", {}, ms))["timestamp"].get<std::string>();
    };
    CHECK(ts(1767323045678) == "2026-01-02T03:04:05.678Z");
    CHECK(ts(1767323045999) == "2026-01-02T03:04:05.999Z");
    CHECK(ts(1767323046001) == "2026-01-02T03:04:06.001Z");
    CHECK(ts(1767323045000) == "2026-01-02T03:04:05.000Z");
    CHECK(ts(1767323105042) == "2026-01-02T03:05:05.042Z");
  }
}
