#include "config/parse.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace igw::config {
namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct Unit {
  std::string_view name;
  double nanoseconds;
};
// Longest names first so "ms" is not read as "m" followed by "s".
constexpr std::array<Unit, 7> kDurationUnits{{{"ns", 1},
                                              {"us", 1e3},
                                              {"\xC2\xB5s", 1e3},
                                              {"ms", 1e6},
                                              {"s", 1e9},
                                              {"m", 60e9},
                                              {"h", 3600e9}}};

}  // namespace

std::expected<std::chrono::nanoseconds, Expected> parse_duration(std::string_view text) {
  const Expected expected = "a duration like 300ms, 30s, 5m or 1h30m";
  std::string_view s = trim(text);
  if (s == "0") return std::chrono::nanoseconds{0};
  if (s.empty()) return std::unexpected(expected);
  double total = 0;
  while (!s.empty()) {
    std::size_t n = 0;
    while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) ++n;
    if (n == 0) return std::unexpected(expected);
    double value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + n, value);
    if (ec != std::errc{} || ptr != s.data() + n) return std::unexpected(expected);
    s.remove_prefix(n);
    const Unit* unit = nullptr;
    for (const auto& u : kDurationUnits) {
      if (s.starts_with(u.name) && (unit == nullptr || u.name.size() > unit->name.size())) unit = &u;
    }
    if (unit == nullptr) return std::unexpected(expected);
    s.remove_prefix(unit->name.size());
    total += value * unit->nanoseconds;
  }
  if (total > static_cast<double>(std::numeric_limits<std::int64_t>::max())) return std::unexpected(expected);
  return std::chrono::nanoseconds{static_cast<std::int64_t>(std::llround(total))};
}

std::expected<std::chrono::nanoseconds, Expected> parse_milliseconds(std::string_view text) {
  std::string_view s = trim(text);
  std::int64_t ms = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
  if (!s.empty() && ec == std::errc{} && ptr == s.data() + s.size() && ms >= 0 && ms <= 1'000'000'000)
    return std::chrono::milliseconds{ms};
  auto d = parse_duration(s);
  if (!d) return std::unexpected(Expected{"milliseconds like 10000, or a duration like 10s"});
  return *d;
}

std::expected<double, Expected> parse_ratio(std::string_view text) {
  std::string_view s = trim(text);
  double value = -1;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size() || !(value >= 0.0 && value <= 1.0))
    return std::unexpected(Expected{"a number from 0 to 1, like 0.25"});
  return value;
}

std::expected<void, Expected> check_pairs(std::string_view text) {
  const Expected expected = "key=value pairs separated by commas, like api-key=secret,team=llm";
  if (trim(text).empty()) return {};
  while (true) {
    auto comma = text.find(',');
    auto member = text.substr(0, comma);
    auto eq = member.find('=');
    if (eq == std::string_view::npos || trim(member.substr(0, eq)).empty()) return std::unexpected(expected);
    if (comma == std::string_view::npos) return {};
    text.remove_prefix(comma + 1);
  }
}

std::expected<bool, Expected> parse_bool(std::string_view text) {
  const std::string s = lower(trim(text));
  if (s == "true" || s == "1" || s == "t" || s == "yes" || s == "y" || s == "on") return true;
  if (s == "false" || s == "0" || s == "f" || s == "no" || s == "n" || s == "off") return false;
  return std::unexpected(Expected{"a boolean (true or false)"});
}

std::expected<std::int64_t, Expected> parse_integer(std::string_view text, std::int64_t min, std::int64_t max) {
  std::string_view s = trim(text);
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size() || value < min || value > max)
    return std::unexpected("an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return value;
}

std::expected<std::uint16_t, Expected> parse_port(std::string_view text) {
  auto v = parse_integer(text, 0, 65535);
  if (!v) return std::unexpected(Expected{"a port number from 0 to 65535 (0 picks a free port)"});
  return static_cast<std::uint16_t>(*v);
}

std::expected<std::uint64_t, Expected> parse_size(std::string_view text) {
  const Expected expected = "a size in bytes like 10485760, 10MiB or 512KiB";
  std::string_view s = trim(text);
  std::size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  if (n == 0) return std::unexpected(expected);
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + n, value);
  if (ec != std::errc{}) return std::unexpected(expected);
  const std::string unit = lower(trim(s.substr(n)));
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 10> kUnits{{{"", 1},
                                                                                       {"b", 1},
                                                                                       {"k", 1024},
                                                                                       {"kib", 1024},
                                                                                       {"kb", 1000},
                                                                                       {"m", 1024 * 1024},
                                                                                       {"mib", 1024 * 1024},
                                                                                       {"mb", 1000 * 1000},
                                                                                       {"gib", 1024ULL << 20},
                                                                                       {"gb", 1000000000ULL}}};
  for (const auto& [name, factor] : kUnits) {
    if (unit != name) continue;
    if (value > std::numeric_limits<std::uint64_t>::max() / factor) return std::unexpected(expected);
    return value * factor;
  }
  return std::unexpected(expected);
}

std::expected<std::string, Expected> parse_url(std::string_view text) {
  const Expected expected = "a URL starting with http:// or https://";
  std::string_view s = trim(text);
  std::string_view rest;
  if (s.starts_with("http://")) rest = s.substr(7);
  else if (s.starts_with("https://")) rest = s.substr(8);
  else return std::unexpected(expected);
  if (rest.empty() || rest.front() == '/' || rest.front() == ':') return std::unexpected(expected);
  for (char c : s)
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return std::unexpected(expected);
  return std::string{s};
}

std::vector<std::string> parse_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string format_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  auto ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  if (ns % 1000000000 != 0 && ns < 1000000000) {
    if (ns % 1000000 == 0) return std::to_string(ns / 1000000) + "ms";
    if (ns % 1000 == 0) return std::to_string(ns / 1000) + "us";
    return std::to_string(ns) + "ns";
  }
  auto h = ns / 3600000000000LL;
  ns %= 3600000000000LL;
  auto m = ns / 60000000000LL;
  ns %= 60000000000LL;
  if (h) out += std::to_string(h) + "h";
  if (h || m) out += std::to_string(m) + "m";
  if (ns % 1000000000 == 0) {
    out += std::to_string(ns / 1000000000) + "s";
  } else {
    std::string frac = std::to_string(ns % 1000000000);
    frac.insert(0, 9 - frac.size(), '0');
    while (frac.back() == '0') frac.pop_back();
    out += std::to_string(ns / 1000000000) + "." + frac + "s";
  }
  return out;
}

}  // namespace igw::config
