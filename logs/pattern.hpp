// A compiled regular expression (Perl syntax). The regex engine stays in pattern.cpp.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>

namespace igw::logs {

class Pattern {
 public:
  // The error says what is wrong with the pattern.
  static std::expected<Pattern, std::string> compile(std::string_view pattern);
  // The whole text matches (LogQL's =~ semantics).
  bool full_match(std::string_view text) const;
  // Some part of the text matches (grep semantics).
  bool search(std::string_view text) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace igw::logs
