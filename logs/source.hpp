// Where lines come from: stdin or a file, read once or followed with `tail -F` semantics (growth,
// rotation by rename + recreate, truncation, deletion, a file that does not exist yet).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace igw::logs {

// Receives each complete line (without its newline). dropped > 0 when the line was longer than
// --max-line: text is then its first max_line bytes.
class LineHandler {
 public:
  virtual void on_line(std::string_view text, std::size_t dropped) = 0;
  // Something the reader should know (a rotation, a truncation, a file that went away), without "igw: ".
  virtual void on_note(std::string_view note) = 0;
  // Called after each chunk read: a moment to flush. Returns false to stop reading.
  virtual bool on_idle() = 0;

 protected:
  ~LineHandler() = default;
};

// Cuts a byte stream into lines, bounded in memory by max_line.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line) : max_(max_line) {}
  void feed(std::string_view data, LineHandler& h);
  // Emits a last line without a newline, if any.
  void finish(LineHandler& h);

 private:
  void append(std::string_view part);

  std::size_t max_;
  std::string partial_;
  std::size_t dropped_ = 0;
  bool pending_ = false;  // a partial line has started (it may be empty so far only after a cut)
};

class Source {
 public:
  // "-" is stdin.
  Source(std::string path, std::size_t max_line);
  ~Source();
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  const std::string& name() const { return name_; }

  // Reads everything to the end once (no follow). Returns false with a note when the file cannot be read.
  bool read_all(LineHandler& h);
  // One step of following: opens the file when it appears, reads what was appended, notices truncation,
  // rotation and deletion. Returns the number of bytes read.
  std::size_t follow_step(LineHandler& h);
  // True when this source will never give more lines (stdin at its end, a directory).
  bool finished() const { return finished_; }
  // Finished because it could not be read (a directory, a read error), not at the end of a stream.
  bool failed() const { return failed_; }

 private:
  enum class Open { ok, missing, failed };
  Open open_file(LineHandler& h, bool following);
  std::size_t drain(LineHandler& h);
  void close_file(LineHandler& h);
  bool replaced_on_disk();

  std::string path_, name_;
  int fd_ = -1;
  bool is_stdin_ = false, regular_ = false, finished_ = false, failed_ = false, announced_missing_ = false, gone_ = false;
  bool seen_ = false;  // the file has been opened once
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t offset_ = 0;
  LineSplitter splitter_;
};

}  // namespace igw::logs
