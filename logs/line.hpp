// One log line as a flat view of its top-level JSON members, found by a small validating scanner.
// Values stay raw (spans into the line) until a filter or the renderer asks for them: that is what lets
// `igw logs tail` keep up with 100k lines/s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/log.hpp"

namespace igw::logs {

enum class Kind { string, number, boolean, null, object, array };

struct Member {
  std::string_view key;  // raw, between the quotes (escapes kept)
  std::string_view raw;  // the value as written: "..." with quotes, 12.5, true, {...}
  Kind kind;
};

class Line {
 public:
  // Scans text as one JSON object. Returns false (and leaves the line empty) when it is anything else:
  // not JSON, truncated, a bare value, or nested deeper than kMaxDepth.
  bool parse(std::string_view text);
  // The text last parsed (valid as long as the caller's buffer is).
  std::string_view text() const { return text_; }
  const std::vector<Member>& members() const { return members_; }
  // The top-level member with this key, or the nested one for a dotted path ("usage.total_tokens").
  const Member* find(std::string_view key) const;
  std::optional<Member> find_path(std::string_view path) const;

  static constexpr int kMaxDepth = 64;

 private:
  std::vector<Member> members_;
  std::string_view text_;
};

// The members of a raw JSON object (used for dotted paths); empty when raw is not an object.
std::vector<Member> object_members(std::string_view raw);
// The text of a value: strings unescaped (invalid escapes kept as written), others as written.
std::string text_of(const Member& m);
// Appends the unescaped content of a raw string value (with its quotes) to out.
void append_unescaped(std::string& out, std::string_view raw_string);
// The value as a number: numbers, and strings holding a number ("500").
std::optional<double> number_of(const Member& m);
// The level of a line's level text, case-insensitive ("ERROR", "warning"); nullopt when unknown.
std::optional<telemetry::log::Level> level_of(std::string_view text);
// True when the raw key equals name (keys with escapes are compared unescaped).
bool key_is(std::string_view raw_key, std::string_view name);

}  // namespace igw::logs
