// Structured JSON logs: one object per line on stdout, through an asynchronous sink so the request path
// never waits on the terminal or a pipe. Field and logger names are defined here once; `igw logs tail`
// reads the same names.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace igw::telemetry::log {

enum class Level { debug, info, warn, error };
std::string_view to_string(Level level);
std::optional<Level> parse_level(std::string_view text);  // debug, info, warn|warning, error

// The keys of a log line.
namespace field {
inline constexpr std::string_view timestamp = "timestamp";
inline constexpr std::string_view level = "level";
inline constexpr std::string_view message = "message";
inline constexpr std::string_view logger = "logger";
inline constexpr std::string_view provider = "provider";
inline constexpr std::string_view model = "model";
inline constexpr std::string_view request_id = "request_id";
inline constexpr std::string_view status_code = "status_code";
inline constexpr std::string_view duration_ms = "duration_ms";
inline constexpr std::string_view trace_id = "trace_id";
inline constexpr std::string_view span_id = "span_id";
inline constexpr std::string_view method = "method";
inline constexpr std::string_view path = "path";
inline constexpr std::string_view bytes = "bytes";
inline constexpr std::string_view error = "error";
inline constexpr std::string_view url = "url";
inline constexpr std::string_view address = "address";
inline constexpr std::string_view dropped_lines = "dropped_lines";
inline constexpr std::string_view user = "user";      // the verified token's subject (never the token)
inline constexpr std::string_view reason = "reason";
}  // namespace field

// The components that log (the `logger` field).
namespace logger {
inline constexpr std::string_view http = "http";
inline constexpr std::string_view proxy = "proxy";
inline constexpr std::string_view server = "server";
inline constexpr std::string_view config = "config";
inline constexpr std::string_view telemetry = "telemetry";
inline constexpr std::string_view mcp_client = "mcp.client";
inline constexpr std::string_view a2a_client = "a2a.client";
inline constexpr std::string_view auth = "auth";
inline constexpr std::string_view mock = "mock";
inline constexpr std::string_view demo = "demo";
}  // namespace logger

using Value = std::variant<std::string_view, std::int64_t, double, bool>;

struct Field {
  std::string_view key;
  Value value;
  bool omit_when_empty = false;  // an empty string value leaves the key out of the line
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view{v}) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view{v}) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(std::int64_t{v}) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::int64_t{v}) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  // A field that only appears when it has a value (trace_id and span_id when tracing is on).
  static Field optional(std::string_view k, std::string_view v) {
    Field f{k, v};
    f.omit_when_empty = true;
    return f;
  }
};

enum class Sink { stdout_async, stdout_sync, stderr_sync };

// Sets the minimum level and where lines go. Without init, lines at info and above go to stdout
// synchronously (what the operator commands want).
void init(Level min_level, Sink sink = Sink::stdout_async);
bool enabled(Level level);
void write(Level level, std::string_view logger, std::string_view message, std::initializer_list<Field> fields = {});
// Waits until every line written so far is out.
void flush();
// Flushes and stops the async worker (call before exit).
void shutdown();

// One JSON line (without the newline) for these values; exposed for tests and for `igw logs tail`.
std::string format_line(Level level, std::string_view logger, std::string_view message,
                        std::initializer_list<Field> fields, std::int64_t unix_ms);
// Appends s to out as the inside of a JSON string.
void append_json_escaped(std::string& out, std::string_view s);
// `s` as a JSON string literal, quotes included.
std::string json_quoted(std::string_view s);

inline void debug(std::string_view lg, std::string_view msg, std::initializer_list<Field> f = {}) {
  if (enabled(Level::debug)) write(Level::debug, lg, msg, f);
}
inline void info(std::string_view lg, std::string_view msg, std::initializer_list<Field> f = {}) {
  if (enabled(Level::info)) write(Level::info, lg, msg, f);
}
inline void warn(std::string_view lg, std::string_view msg, std::initializer_list<Field> f = {}) {
  write(Level::warn, lg, msg, f);
}
inline void error(std::string_view lg, std::string_view msg, std::initializer_list<Field> f = {}) {
  write(Level::error, lg, msg, f);
}

}  // namespace igw::telemetry::log
