#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "logs/output.hpp"

using namespace igw::logs;

namespace {

struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void close_write() {
    if (write >= 0) ::close(write);
    write = -1;
  }
  // What is in the pipe now, without waiting for more.
  std::string available() {
    std::string out;
    int flags = ::fcntl(read, F_GETFL);
    ::fcntl(read, F_SETFL, flags | O_NONBLOCK);
    char buf[4096];
    for (ssize_t n; (n = ::read(read, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::fcntl(read, F_SETFL, flags);
    return out;
  }
};

// The CLI ignores SIGPIPE so a closed reader shows up as EPIPE; the test does the same while it runs.
struct IgnoreSigpipe {
  struct sigaction old {};
  IgnoreSigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old);
  }
  ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &old, nullptr); }
};

}  // namespace

TEST_SUITE("logs output") {
  TEST_CASE("nothing is written until flush; flush writes the buffer once and empties it") {
    Pipe p;
    Output out(p.write);
    out.buffer() += "line 1\n";
    CHECK(p.available().empty());
    out.flush();
    CHECK(p.available() == "line 1\n");
    CHECK(out.buffer().empty());
    out.flush();  // nothing left: nothing written again
    CHECK(p.available().empty());
    CHECK_FALSE(out.broken());
  }

  TEST_CASE("maybe_flush writes only once the buffer reaches kFlushAt") {
    Pipe p;
    Output out(p.write);
    out.buffer().assign(Output::kFlushAt - 1, 'a');
    out.maybe_flush();
    CHECK(p.available().empty());
    out.buffer() += 'b';
    std::string got;
    std::thread reader([&] {
      char buf[65536];
      while (got.size() < Output::kFlushAt) {
        auto n = ::read(p.read, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
      }
    });
    out.maybe_flush();
    reader.join();
    CHECK(got.size() == Output::kFlushAt);
    CHECK(got.back() == 'b');
    CHECK(out.buffer().empty());
  }

  TEST_CASE("the destructor flushes what is left") {
    Pipe p;
    {
      Output out(p.write);
      out.buffer() += "last words\n";
    }
    CHECK(p.available() == "last words\n");
  }

  // A pipe holds 64 KiB; writing more than that goes out in several partial writes as the reader drains.
  TEST_CASE("a write larger than the pipe arrives whole and in order") {
    Pipe p;
    std::string sent;
    for (int i = 0; sent.size() < 1 << 20; ++i) sent += std::to_string(i) + "\n";
    std::string got;
    std::thread reader([&] {
      char buf[8192];
      for (ssize_t n; (n = ::read(p.read, buf, sizeof buf)) > 0;)
        got.append(buf, static_cast<std::size_t>(n));
    });
    {
      Output out(p.write);
      out.buffer() = sent;
      out.flush();
      CHECK_FALSE(out.broken());
    }
    p.close_write();
    reader.join();
    CHECK(got == sent);
  }

  TEST_CASE("a reader that went away breaks the output quietly; later output is dropped") {
    IgnoreSigpipe ignore;
    Pipe p;
    p.close_read();
    Output out(p.write);
    out.buffer() += "to nobody\n";
    out.flush();
    CHECK(out.broken());
    CHECK(out.buffer().empty());  // nothing piles up once nobody reads
    out.buffer() += "more\n";
    out.flush();
    CHECK(out.broken());
    CHECK(out.buffer().empty());
  }

  TEST_CASE("a descriptor that is not open breaks the output") {
    int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    ::close(fd);  // fd is now a number nothing is open on
    Output out(fd);
    out.buffer() += "x";
    out.flush();
    CHECK(out.broken());
    Output negative(-1);
    negative.buffer() += "x";
    negative.flush();
    CHECK(negative.broken());
  }

  TEST_CASE("a fresh output is not broken and its buffer is empty") {
    Output out(-1);
    CHECK_FALSE(out.broken());
    CHECK(out.buffer().empty());
    out.flush();  // an empty flush does not touch the descriptor
    CHECK_FALSE(out.broken());
  }
}
