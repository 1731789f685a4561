// Times in log lines and in --since: RFC 3339 timestamps and short durations ("10m", "1h30m").
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace igw::logs {

// "2026-01-01T00:00:00Z", with optional fraction and a Z or +hh:mm offset; 't'/' ' separators accepted.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);
// A positive sum of <number><unit> terms, unit one of ms, s, m, h, d.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);
// --since: a duration before now_ms, or an RFC 3339 time. The error names the value and what was expected.
std::expected<std::int64_t, std::string> parse_since(std::string_view text, std::int64_t now_ms);

}  // namespace igw::logs
