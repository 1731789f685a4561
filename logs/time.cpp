#include "logs/time.hpp"

namespace igw::logs {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Reads exactly n digits at s[pos].
std::optional<unsigned> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return v;
}

// The offset part: Z, or +hh:mm / -hh:mm, in ms east of UTC; must end the text.
std::optional<std::int64_t> zone_ms(std::string_view s, std::size_t pos) {
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) return 0;
  if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':') return std::nullopt;
  auto hh = digits(s, pos + 1, 2), mm = digits(s, pos + 4, 2);
  if (!hh || !mm || *hh > 23 || *mm > 59) return std::nullopt;
  std::int64_t off = (*hh * 60 + *mm) * 60000LL;
  return s[pos] == '-' ? -off : off;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
  auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  auto h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (!y || !mo || !d || !h || !mi || !sec || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  auto zone = zone_ms(s, pos);
  if (!zone) return std::nullopt;
  std::int64_t secs = days_from_civil(*y, *mo, *d) * 86400 + *h * 3600 + *mi * 60 + *sec;
  return secs * 1000 + ms - *zone;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::int64_t n = 0;
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 12) n = n * 10 + (s[i++] - '0');
    if (i == start) return std::nullopt;
    std::size_t unit_start = i;
    while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
    std::string_view unit = s.substr(unit_start, i - unit_start);
    std::int64_t scale = unit == "ms"  ? 1
                         : unit == "s" ? 1000
                         : unit == "m" ? 60000
                         : unit == "h" ? 3600000
                         : unit == "d" ? 86400000
                                       : 0;
    if (scale == 0) return std::nullopt;
    total += n * scale;
  }
  return total;
}

std::expected<std::int64_t, std::string> parse_since(std::string_view text, std::int64_t now_ms) {
  if (auto d = parse_duration_ms(text)) return now_ms - *d;
  if (auto t = parse_rfc3339_ms(text)) return *t;
  return std::unexpected("--since: '" + std::string{text} +
                         "' is neither a duration (like 10m, 1h30m, 2d) nor an RFC 3339 time (like "
                         "2026-01-01T00:00:00Z)");
}

}  // namespace igw::logs
