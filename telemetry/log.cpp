#include "telemetry/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace igw::telemetry::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::info)};
std::mutex g_mutex;
std::shared_ptr<spdlog::logger> g_async;  // set when the sink is stdout_async
std::atomic<bool> g_use_stderr{false};

// Lines waiting in the async queue before new ones are dropped rather than block the event loop.
constexpr std::size_t kAsyncQueueLines = 65536;

void append_timestamp(std::string& out, std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
}

void append_value(std::string& out, const Value& v) {
  if (auto s = std::get_if<std::string_view>(&v)) {
    out += '"';
    append_json_escaped(out, *s);
    out += '"';
  } else if (auto i = std::get_if<std::int64_t>(&v)) {
    fmt::format_to(std::back_inserter(out), "{}", *i);
  } else if (auto d = std::get_if<double>(&v)) {
    if (*d != *d || *d == 1.0 / 0.0 || *d == -1.0 / 0.0) out += "null";
    else fmt::format_to(std::back_inserter(out), "{:.3f}", *d);
  } else {
    out += std::get<bool>(v) ? "true" : "false";
  }
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string_view to_string(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

std::optional<Level> parse_level(std::string_view text) {
  if (text == "debug") return Level::debug;
  if (text == "info") return Level::info;
  if (text == "warn" || text == "warning") return Level::warn;
  if (text == "error") return Level::error;
  return std::nullopt;
}

void append_json_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        else out += c;
    }
  }
}

std::string format_line(Level level, std::string_view lg, std::string_view message, std::initializer_list<Field> fields,
                        std::int64_t unix_ms) {
  std::string out;
  out.reserve(192);
  out += "{\"";
  out += field::timestamp;
  out += "\":\"";
  append_timestamp(out, unix_ms);
  for (const Field& f : {Field{field::level, to_string(level)}, Field{field::message, message},
                         Field{field::logger, lg}}) {
    out += "\",\"";
    out += f.key;
    out += "\":\"";
    append_json_escaped(out, std::get<std::string_view>(f.value));
  }
  out += '"';
  for (const auto& f : fields) {
    out += ",\"";
    append_json_escaped(out, f.key);
    out += "\":";
    append_value(out, f.value);
  }
  out += '}';
  return out;
}

void init(Level min_level, Sink sink) {
  std::lock_guard lock(g_mutex);
  g_min_level = static_cast<int>(min_level);
  g_use_stderr = sink == Sink::stderr_sync;
  if (sink == Sink::stdout_async && !g_async) {
    spdlog::init_thread_pool(kAsyncQueueLines, 1);
    auto out = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    g_async = std::make_shared<spdlog::async_logger>("igw", out, spdlog::thread_pool(),
                                                     spdlog::async_overflow_policy::overrun_oldest);
    g_async->set_pattern("%v");
    g_async->set_level(spdlog::level::trace);
    g_async->flush_on(spdlog::level::trace);
  } else if (sink != Sink::stdout_async && g_async) {
    g_async->flush();
    g_async.reset();
  }
}

bool enabled(Level level) { return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view lg, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line = format_line(level, lg, message, fields, now_ms());
  if (auto async = std::atomic_load(&g_async)) {
    async->info(line);
    return;
  }
  line += '\n';
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), g_use_stderr ? stderr : stdout);
  std::fflush(g_use_stderr ? stderr : stdout);
}

void flush() {
  if (auto async = std::atomic_load(&g_async)) async->flush();
  std::fflush(stdout);
}

void shutdown() {
  std::lock_guard lock(g_mutex);
  if (g_async) {
    g_async->flush();
    g_async.reset();
    spdlog::shutdown();
  }
  std::fflush(stdout);
}

}  // namespace igw::telemetry::log
