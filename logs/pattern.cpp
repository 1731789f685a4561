#include "logs/pattern.hpp"

#include <boost/regex.hpp>

namespace igw::logs {

// LogQL's =~ semantics (RE2): '.' does not match a newline unless (?s) asks for it, and '^' / '$' anchor
// the whole text, not each line (Boost's Perl syntax does both by default).
constexpr auto kSyntax = boost::regex::perl | boost::regex::no_mod_s | boost::regex::no_mod_m;

struct Pattern::Impl {
  boost::regex re;
};

std::expected<Pattern, std::string> Pattern::compile(std::string_view pattern) {
  try {
    Pattern p;
    p.impl_ =
        std::make_shared<const Impl>(Impl{boost::regex(pattern.begin(), pattern.end(), kSyntax)});
    return p;
  } catch (const boost::regex_error& e) {
    return std::unexpected(std::string{e.what()});
  }
}

// The engine gives up on pathological inputs by throwing; a line it cannot decide does not match.
bool Pattern::full_match(std::string_view text) const {
  try {
    return boost::regex_match(text.begin(), text.end(), impl_->re);
  } catch (const std::runtime_error&) {
    return false;
  }
}

bool Pattern::search(std::string_view text) const {
  try {
    return boost::regex_search(text.begin(), text.end(), impl_->re);
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace igw::logs
