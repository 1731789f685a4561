// How a line is printed: pretty (time, colored level, logger, message, then key=value), json (the line
// unchanged) or raw (the message only). --fields picks what is shown, in that order.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "logs/line.hpp"

namespace igw::logs {

enum class Mode { pretty, json, raw };

struct RenderOptions {
  Mode mode = Mode::pretty;
  bool color = false;
  std::vector<std::string> fields{};  // empty: everything
  bool keep_invalid = false;          // json mode: print lines that are not JSON as they are
};

class Renderer {
 public:
  explicit Renderer(RenderOptions options) : o_(std::move(options)) {}
  // Appends the rendering of a JSON line (text, as parsed into line) to out. prefix names the file when
  // several are merged; truncated > 0 when the line was cut at --max-line.
  void json_line(const Line& line, std::string_view text, std::string_view prefix, std::string& out) const;
  // Appends a line that is not JSON: dimmed in pretty mode, as is in raw mode, skipped in json mode
  // unless keep_invalid. With color on, control characters are shown escaped (no terminal injection).
  void other_line(std::string_view text, std::string_view prefix, std::size_t truncated,
                  std::string& out) const;
  const RenderOptions& options() const { return o_; }

 private:
  void pretty(const Line& line, std::string& out) const;
  void pretty_fields(const Line& line, std::string& out) const;
  void selected_json(const Line& line, std::string& out) const;
  void raw(const Line& line, std::string& out) const;
  void paint(std::string& out, std::string_view sgr, std::string_view text) const;
  void add_prefix(std::string_view prefix, std::string& out) const;

  RenderOptions o_;
};

// The marker appended to a line cut at --max-line.
std::string truncation_marker(std::size_t dropped_bytes);

}  // namespace igw::logs
