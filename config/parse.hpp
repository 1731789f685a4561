// Parsers for setting values. Each returns the value or a phrase saying what was expected, which the
// loader turns into one line naming the variable and the value.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace igw::config {

using Expected = std::string;  // "a duration like 30s, 5m or 1h30m"

// Go-style durations: "300ms", "30s", "5m", "1h30m", "1.5h", "0". Units ns, us (µs), ms, s, m, h.
std::expected<std::chrono::nanoseconds, Expected> parse_duration(std::string_view text);
// true/false, 1/0, t/f, yes/no, on/off; case-insensitive.
std::expected<bool, Expected> parse_bool(std::string_view text);
std::expected<std::int64_t, Expected> parse_integer(std::string_view text, std::int64_t min, std::int64_t max);
// 0 picks a free port.
std::expected<std::uint16_t, Expected> parse_port(std::string_view text);
// Bytes: "10485760", "10MiB", "512KiB", "1GiB", "10MB" (SI), "1k".
std::expected<std::uint64_t, Expected> parse_size(std::string_view text);
// http:// or https:// with a host.
std::expected<std::string, Expected> parse_url(std::string_view text);
// A count of milliseconds ("10000", OpenTelemetry's convention) or a duration ("10s").
std::expected<std::chrono::nanoseconds, Expected> parse_milliseconds(std::string_view text);
// A number from 0 to 1.
std::expected<double, Expected> parse_ratio(std::string_view text);
// Checks "key=value,key2=value2": every member has a key and an '='. (Values are decoded where used.)
std::expected<void, Expected> check_pairs(std::string_view text);
// Comma-separated, trimmed, empty items dropped.
std::vector<std::string> parse_list(std::string_view text);

// "1h30m0s"-style text for a duration, as Go prints it.
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace igw::config
