#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "logs/source.hpp"

using namespace igw::logs;
namespace fs = std::filesystem;

namespace {

struct Collect final : LineHandler {
  std::vector<std::string> lines, notes;
  std::vector<std::size_t> dropped;
  void on_line(std::string_view text, std::size_t d) override {
    lines.emplace_back(text);
    dropped.push_back(d);
  }
  void on_note(std::string_view note) override { notes.emplace_back(note); }
  bool on_idle() override { return true; }
  bool noted(std::string_view part) const {
    for (const auto& n : notes)
      if (n.find(part) != std::string::npos) return true;
    return false;
  }
};

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "igw-logs-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

void append(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::app | std::ios::binary) << text;
}

}  // namespace

TEST_SUITE("logs source") {
  TEST_CASE("the splitter cuts lines across chunks and keeps a last line without newline") {
    LineSplitter s(100);
    Collect c;
    s.feed("ab", c);
    s.feed("c\nde", c);
    s.feed("f\n\nxyz", c);
    CHECK(c.lines == std::vector<std::string>{"abc", "def", ""});
    s.finish(c);
    CHECK(c.lines.back() == "xyz");
    s.finish(c);
    CHECK(c.lines.size() == 4);
  }

  TEST_CASE("a line longer than max_line is cut and the rest counted") {
    LineSplitter s(4);
    Collect c;
    s.feed("0123456789\nok\n01", c);
    s.feed("234567\n", c);
    CHECK(c.lines == std::vector<std::string>{"0123", "ok", "0123"});
    CHECK(c.dropped == std::vector<std::size_t>{6, 0, 4});
  }

  TEST_CASE("read_all: a missing file and a directory are reported, not fatal") {
    TempDir dir;
    Collect c;
    Source missing((dir.path / "nope.log").string(), 1024);
    CHECK(!missing.read_all(c));
    CHECK(c.noted("nope.log: cannot open: No such file or directory"));
    Source d(dir.path.string(), 1024);
    CHECK(!d.read_all(c));
    CHECK(c.noted("is a directory"));
  }

  TEST_CASE("follow: growth, rotation, truncation, deletion and a late file") {
    TempDir dir;
    fs::path log = dir.path / "igw.log";
    Source src(log.string(), 1024);
    Collect c;
    src.follow_step(c);
    CHECK(c.noted("waiting for the file to appear"));
    CHECK(c.lines.empty());

    append(log, "1\n2");
    src.follow_step(c);
    CHECK(c.lines == std::vector<std::string>{"1"});
    append(log, "\n3\n");
    src.follow_step(c);
    CHECK(c.lines == std::vector<std::string>{"1", "2", "3"});

    // Rotation: the writer still appends to the renamed file before switching to the new one.
    fs::rename(log, dir.path / "igw.log.1");
    append(dir.path / "igw.log.1", "4\n");
    append(log, "5\n");
    src.follow_step(c);
    CHECK(c.lines == std::vector<std::string>{"1", "2", "3", "4", "5"});
    CHECK(c.noted("has been replaced"));

    // Truncation in place.
    append(log, "6\n");
    src.follow_step(c);
    std::ofstream(log, std::ios::trunc | std::ios::binary) << "7\n";
    src.follow_step(c);
    CHECK(c.noted("truncated"));
    CHECK(c.lines.back() == "7");

    // Deletion, then the file comes back.
    fs::remove(log);
    src.follow_step(c);
    CHECK(c.noted("removed or renamed"));
    append(log, "8\n");
    src.follow_step(c);
    CHECK(c.lines == std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8"});
    CHECK(!src.finished());
  }

  TEST_CASE("follow: a directory is given up on") {
    TempDir dir;
    Source src(dir.path.string(), 1024);
    Collect c;
    src.follow_step(c);
    CHECK(src.finished());
    CHECK(c.noted("is a directory"));
  }
}
