#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "logs/tail.hpp"

using namespace igw::logs;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kNow = 1768471200000;  // 2026-01-15T10:00:00Z

std::string entry(std::string_view level, std::string_view message) {
  return R"({"timestamp":"2026-01-15T09:00:00.000Z","level":")" + std::string{level} +
         R"(","logger":"http","message":")" + std::string{message} + "\"}\n";
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "igw-tail-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return path / name;
  }
};

void append(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::app | std::ios::binary) << text;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Filter filter(FilterOptions o = {}) {
  auto f = Filter::make(o, kNow);
  REQUIRE(f);
  return *f;
}

TailOptions raw(std::vector<std::string> files) {
  TailOptions o;
  o.files = std::move(files);
  o.render.mode = Mode::raw;
  o.poll_interval = std::chrono::milliseconds(5);
  return o;
}

// Runs run_tail with stdout and stderr going to files; returns the exit code.
struct Run {
  int rc = -1;
  std::string out, err;
};
Run run(const TempDir& dir, const TailOptions& o, const Filter& f = filter()) {
  auto out_path = dir.path / "out.txt", err_path = dir.path / "err.txt";
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(out >= 0);
  REQUIRE(err >= 0);
  Run r;
  r.rc = run_tail(o, f, out, err);
  ::close(out);
  ::close(err);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

// Puts a pipe holding `text` (then end of input) on the process's stdin for the scope.
struct StdinFrom {
  int saved;
  explicit StdinFrom(const std::string& text) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fds[1]);
    saved = ::dup(STDIN_FILENO);
    ::dup2(fds[0], STDIN_FILENO);
    ::close(fds[0]);
  }
  ~StdinFrom() {
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
  }
};

struct IgnoreSigpipe {
  struct sigaction old {};
  IgnoreSigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old);
  }
  ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &old, nullptr); }
};

// Reads from fd until `want` has arrived (or 10 s pass).
std::string read_until(int fd, std::string& got, std::string_view want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (got.find(want) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

std::string numbered(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += entry("info", "m" + std::to_string(i));
  return out;
}

std::string messages(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += "m" + std::to_string(i) + "\n";
  return out;
}

}  // namespace

TEST_SUITE("logs tail") {
  TEST_CASE("read once: every line, rendered, in order; exit 0") {
    TempDir dir;
    auto log = dir.write("a.jsonl", numbered(1, 3));
    auto r = run(dir, raw({log.string()}));
    CHECK(r.rc == 0);
    CHECK(r.out == messages(1, 3));
    CHECK(r.err.empty());
  }

  TEST_CASE("the filter decides which lines are shown") {
    TempDir dir;
    auto log = dir.write("a.jsonl", entry("info", "fine") + entry("error", "boom") + entry("warn", "hmm"));
    auto r = run(dir, raw({log.string()}), filter({.level = "warn"}));
    CHECK(r.out == "boom\nhmm\n");
  }

  TEST_CASE("json mode passes lines through unchanged and drops lines that are not JSON") {
    TempDir dir;
    auto log = dir.write("a.jsonl", entry("info", "one") + "not json\n" + entry("info", "two"));
    auto o = raw({log.string()});
    o.render.mode = Mode::json;
    CHECK(run(dir, o).out == entry("info", "one") + entry("info", "two"));
    o.render.keep_invalid = true;
    CHECK(run(dir, o).out == entry("info", "one") + "not json\n" + entry("info", "two"));
  }

  TEST_CASE("lines that are not JSON are shown as they are, unless --grep rules them out") {
    TempDir dir;
    auto log = dir.write("a.log", "plain text\n" + entry("info", "json text") + "other words\n");
    CHECK(run(dir, raw({log.string()})).out == "plain text\njson text\nother words\n");
    CHECK(run(dir, raw({log.string()}), filter({.grep = "text"})).out == "plain text\njson text\n");
  }

  TEST_CASE("-n: the last N matching lines, not the last N lines") {
    TempDir dir;
    std::string text;
    for (int i = 1; i <= 6; ++i) text += entry(i % 2 ? "error" : "info", "m" + std::to_string(i));
    auto log = dir.write("a.jsonl", text);
    auto o = raw({log.string()});
    o.lines = 2;
    CHECK(run(dir, o, filter({.level = "error"})).out == "m3\nm5\n");
    o.lines = 100;  // more than there are: all of them
    CHECK(run(dir, o, filter({.level = "error"})).out == "m1\nm3\nm5\n");
    o.lines = 0;
    auto r = run(dir, o);
    CHECK(r.rc == 0);
    CHECK(r.out.empty());
  }

  TEST_CASE("several files: each line names its file; -n applies to each file") {
    TempDir dir;
    auto a = dir.write("a.jsonl", numbered(1, 3));
    auto b = dir.write("b.jsonl", numbered(4, 5));
    auto o = raw({a.string(), b.string()});
    CHECK(run(dir, o).out == a.string() + ": m1\n" + a.string() + ": m2\n" + a.string() + ": m3\n" +
                                 b.string() + ": m4\n" + b.string() + ": m5\n");
    o.lines = 1;
    CHECK(run(dir, o).out == a.string() + ": m3\n" + b.string() + ": m5\n");
  }

  TEST_CASE("a file that cannot be read: a note on stderr, exit 1, the other files still shown") {
    TempDir dir;
    auto good = dir.write("good.jsonl", numbered(1, 1));
    auto missing = (dir.path / "missing.jsonl").string();
    auto r = run(dir, raw({missing, good.string()}));
    CHECK(r.rc == 1);
    CHECK(r.err.starts_with("igw: " + missing + ": cannot open: "));
    CHECK(r.err.ends_with("\n"));
    CHECK(r.out == good.string() + ": m1\n");
    auto d = run(dir, raw({dir.path.string()}));
    CHECK(d.rc == 1);
    CHECK(d.err == "igw: " + dir.path.string() + ": is a directory, not a log file\n");
  }

  TEST_CASE("a line over --max-line: cut with a marker, and a note saying which line and how long") {
    TempDir dir;
    auto log = dir.write("a.log", "short\n" + std::string(30, 'x') + "\nafter\n");
    auto o = raw({log.string()});
    o.max_line = 10;
    auto r = run(dir, o);
    CHECK(r.rc == 0);
    CHECK(r.out == "short\n" + std::string(10, 'x') + truncation_marker(20) + "\nafter\n");
    CHECK(r.err == "igw: " + log.string() + ": line 2 is 30 bytes, longer than --max-line 10; truncated\n");
  }

  TEST_CASE("no files reads stdin, and so does \"-\"") {
    TempDir dir;
    {
      StdinFrom in(numbered(1, 2) + "last without newline");
      CHECK(run(dir, raw({})).out == "m1\nm2\nlast without newline\n");
    }
    {
      StdinFrom in(numbered(3, 3));
      CHECK(run(dir, raw({"-"})).out == "m3\n");
    }
  }

  TEST_CASE("a reader that went away ends the output with exit 0") {
    IgnoreSigpipe ignore;
    TempDir dir;
    auto log = dir.write("a.jsonl", numbered(1, 100));
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    ::close(fds[0]);
    CHECK(run_tail(raw({log.string()}), filter(), fds[1], fds[1]) == 0);
    ::close(fds[1]);
  }

  TEST_CASE("follow: stdin shows its last 10 lines by default and ends with its input") {
    TempDir dir;
    StdinFrom in(numbered(1, 15));
    auto o = raw({});
    o.follow = true;
    auto r = run(dir, o);
    CHECK(r.rc == 0);
    CHECK(r.out == messages(6, 15));
  }

  TEST_CASE("follow: -n picks how many of the existing lines are shown first") {
    TempDir dir;
    StdinFrom in(numbered(1, 15));
    auto o = raw({"-"});
    o.follow = true;
    o.lines = 3;
    CHECK(run(dir, o).out == messages(13, 15));
  }

  TEST_CASE("follow: the last lines of a file, then what is appended, until the reader goes away") {
    IgnoreSigpipe ignore;
    TempDir dir;
    auto log = dir.write("a.jsonl", numbered(1, 4));
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    auto o = raw({log.string()});
    o.follow = true;
    o.lines = 2;
    auto f = filter();
    std::promise<int> done;
    auto rc = done.get_future();
    std::thread tail([&, out = fds[1]] { done.set_value(run_tail(o, f, out, out)); });
    std::string got;
    CHECK(read_until(fds[0], got, "m4\n") == messages(3, 4));
    append(log, numbered(5, 6));
    CHECK(read_until(fds[0], got, "m6\n") == messages(3, 6));
    ::close(fds[0]);
    append(log, numbered(7, 7));  // the write that finds nobody reading
    bool ended = rc.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    CHECK(ended);
    if (!ended) {
      tail.detach();  // would block forever; the failure above says why
      return;
    }
    tail.join();
    CHECK(rc.get() == 0);
    ::close(fds[1]);
  }

  // The header promises exit 1 when a file could not be read; a directory never can be.
  TEST_CASE("follow: a directory, the only source, is exit 1 as without --follow") {
    TempDir dir;
    auto o = raw({dir.path.string()});
    o.follow = true;
    auto r = run(dir, o);
    CHECK(r.err.find("is a directory") != std::string::npos);
    CHECK(r.rc == 1);
  }
}
