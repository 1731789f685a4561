// The filters of `igw logs tail`, all combined with AND, compiled once before any input is read.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logs/line.hpp"
#include "logs/pattern.hpp"
#include "logs/query.hpp"
#include "telemetry/log.hpp"

namespace igw::logs {

struct FilterOptions {
  std::optional<std::string> level{};       // that level and above
  std::optional<std::string> provider{};    // exact
  std::optional<std::string> model{};       // exact
  std::optional<std::string> request_id{};  // exact
  std::optional<std::string> status{};      // =500 !=200 <400 <=499 >500 >=500 500-599 500 5xx
  std::optional<std::string> logger{};      // regex on the whole logger name
  std::optional<std::string> since{};       // 10m or an RFC 3339 time
  std::optional<std::string> grep{};        // regex anywhere in the message
  std::optional<std::string> query{};       // the -q language, or LogQL
};

// --status: an inclusive range of codes.
struct StatusRange {
  std::int64_t lo, hi;
  bool negate = false;
  bool contains(std::int64_t code) const { return (code >= lo && code <= hi) != negate; }
};
std::expected<StatusRange, std::string> parse_status(std::string_view text);

class Filter {
 public:
  // Errors name the flag, the value and what was expected; a bad query comes with a caret under the column.
  static std::expected<Filter, std::string> make(const FilterOptions& options, std::int64_t now_ms);
  // A JSON log line.
  bool matches(const Line& line) const;
  // A line that is not JSON: only --grep and LogQL line filters can judge it (on the whole line); the
  // rest let it through.
  bool matches_text(std::string_view text) const;

 private:
  bool matches_fields(const Line& line) const;

  std::optional<telemetry::log::Level> level_;
  std::optional<std::string> provider_, model_, request_id_;
  std::optional<StatusRange> status_;
  std::optional<Pattern> logger_, grep_;
  std::optional<std::int64_t> since_ms_;
  std::optional<Query> query_;
};

}  // namespace igw::logs
