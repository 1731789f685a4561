#include "logs/filter.hpp"

#include <charconv>

#include "logs/time.hpp"

namespace igw::logs {
namespace log = telemetry::log;
namespace {

std::optional<std::int64_t> integer(std::string_view s) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<StatusRange> status_of(std::string_view s) {
  constexpr std::int64_t kMax = INT64_MAX;
  if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && (s.substr(1) == "xx" || s.substr(1) == "XX")) {
    std::int64_t base = (s[0] - '0') * 100;
    return StatusRange{base, base + 99};
  }
  std::size_t dash = s.find('-', 1);
  if (dash != std::string_view::npos) {
    auto lo = integer(s.substr(0, dash)), hi = integer(s.substr(dash + 1));
    if (!lo || !hi || *lo > *hi) return std::nullopt;
    return StatusRange{*lo, *hi};
  }
  std::string_view op = s.substr(0, s.find_first_of("0123456789-"));
  auto n = integer(s.substr(op.size()));
  if (!n) return std::nullopt;
  if (op.empty() || op == "=" || op == "==") return StatusRange{*n, *n};
  if (op == "!=") return StatusRange{*n, *n, true};
  if (op == "<") return StatusRange{-kMax, *n - 1};
  if (op == "<=") return StatusRange{-kMax, *n};
  if (op == ">") return StatusRange{*n + 1, kMax};
  if (op == ">=") return StatusRange{*n, kMax};
  return std::nullopt;
}

std::expected<std::optional<Pattern>, std::string> pattern(const std::optional<std::string>& text,
                                                           std::string_view flag) {
  if (!text) return std::optional<Pattern>{};
  auto p = Pattern::compile(*text);
  if (!p)
    return std::unexpected(std::string{flag} + ": '" + *text +
                           "' is not a valid regular expression: " + p.error());
  return std::optional<Pattern>{std::move(*p)};
}

// The member's string content without unescaping when it has no escapes (the common case).
bool string_equals(const Member* m, const std::string& want) {
  if (!m || m->kind != Kind::string) return false;
  std::string_view inner = m->raw.substr(1, m->raw.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return inner == want;
  return text_of(*m) == want;
}

}  // namespace

std::expected<StatusRange, std::string> parse_status(std::string_view text) {
  if (auto r = status_of(text)) return *r;
  return std::unexpected("--status: '" + std::string{text} +
                         "' is not a status filter (expected 500, =500, !=200, <400, <=499, >499, >=500, "
                         "500-599 or 5xx)");
}

std::expected<Filter, std::string> Filter::make(const FilterOptions& o, std::int64_t now_ms) {
  Filter f;
  if (o.level) {
    f.level_ = level_of(*o.level);
    if (!f.level_)
      return std::unexpected("--level: '" + *o.level +
                             "' is not a level (expected debug, info, warn or error)");
  }
  f.provider_ = o.provider;
  f.model_ = o.model;
  f.request_id_ = o.request_id;
  if (o.status) {
    auto s = parse_status(*o.status);
    if (!s) return std::unexpected(s.error());
    f.status_ = *s;
  }
  auto logger = pattern(o.logger, "--logger");
  if (!logger) return std::unexpected(logger.error());
  f.logger_ = std::move(*logger);
  auto grep = pattern(o.grep, "--grep");
  if (!grep) return std::unexpected(grep.error());
  f.grep_ = std::move(*grep);
  if (o.since) {
    auto since = parse_since(*o.since, now_ms);
    if (!since) return std::unexpected(since.error());
    f.since_ms_ = *since;
  }
  if (o.query) {
    auto q = Query::parse(*o.query);
    if (!q) return std::unexpected(describe(q.error(), *o.query));
    f.query_ = std::move(*q);
  }
  return f;
}

bool Filter::matches(const Line& line) const {
  if (level_) {
    // A line whose level is unknown is kept: a filter never hides what it cannot rank.
    const Member* m = line.find(log::field::level);
    auto lv = m && m->kind == Kind::string ? level_of(m->raw.substr(1, m->raw.size() - 2)) : std::nullopt;
    if (lv && static_cast<int>(*lv) < static_cast<int>(*level_)) return false;
  }
  if (provider_ && !string_equals(line.find(log::field::provider), *provider_)) return false;
  if (model_ && !string_equals(line.find(log::field::model), *model_)) return false;
  if (request_id_ && !string_equals(line.find(log::field::request_id), *request_id_)) return false;
  return matches_fields(line);
}

bool Filter::matches_fields(const Line& line) const {
  if (status_) {
    const Member* m = line.find(log::field::status_code);
    auto n = m ? number_of(*m) : std::nullopt;
    if (!n || *n != static_cast<double>(static_cast<std::int64_t>(*n)) ||
        !status_->contains(static_cast<std::int64_t>(*n)))
      return false;
  }
  if (logger_) {
    const Member* m = line.find(log::field::logger);
    if (!m || m->kind != Kind::string || !logger_->full_match(text_of(*m))) return false;
  }
  if (since_ms_) {
    const Member* m = line.find(log::field::timestamp);
    auto t =
        m && m->kind == Kind::string ? parse_rfc3339_ms(m->raw.substr(1, m->raw.size() - 2)) : std::nullopt;
    if (!t || *t < *since_ms_) return false;
  }
  if (grep_) {
    const Member* m = line.find(log::field::message);
    if (!m || !grep_->search(text_of(*m))) return false;
  }
  return !query_ || query_->matches(line);
}

bool Filter::matches_text(std::string_view text) const {
  return (!grep_ || grep_->search(text)) && (!query_ || query_->matches_text(text));
}

}  // namespace igw::logs
