#include "telemetry/log.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>

#include <unistd.h>

#include <fmt/format.h>

#include "telemetry/line_writer.hpp"

namespace igw::telemetry::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::info)};
std::mutex g_mutex;
// Set while the sink is stdout_async. Lines are written through the raw pointer (no reference count per
// line); the writer is replaced or destroyed only by init/shutdown, when no request is being served.
std::unique_ptr<LineWriter> g_writer;
std::atomic<LineWriter*> g_async{nullptr};
std::atomic<bool> g_use_stderr{false};

// Bytes of lines waiting for the output before new ones are dropped rather than block the event loop.
constexpr std::size_t kAsyncPendingBytes = 8u << 20;

// Writes into memory sized beforehand for the worst case (each string byte escaped as \u00XX, each number
// at its longest): no capacity check or out-of-line call per piece.
struct Cursor {
  char* p;
  void raw(std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void ch(char c) { *p++ = c; }
  void escaped(std::string_view s);
  void integer(std::int64_t v) { p = std::to_chars(p, p + 20, v).ptr; }
  void timestamp(std::int64_t unix_ms);
  void fixed3(double d);
  void value(const Value& v);
};
constexpr std::size_t kTimestampBytes = 24;
constexpr std::size_t kNumberBytes = 330;  // a double beyond 1e15 printed with three decimals: up to 1e308
constexpr std::size_t kShortNumberBytes = 24;  // an int64, "true"/"false", or a double below 1e15

std::size_t escaped_bound(std::string_view s) { return 6 * s.size(); }
std::size_t value_bound(const Value& v) {
  if (auto s = std::get_if<std::string_view>(&v)) return 2 + escaped_bound(*s);
  if (auto d = std::get_if<double>(&v); d && !(*d < 1e15 && *d > -1e15)) return kNumberBytes;
  return kShortNumberBytes;
}

void Cursor::timestamp(std::int64_t unix_ms) {
  // The date and time to the second change once a second: formatted once per thread and second.
  thread_local std::int64_t cached_secs = -1;
  thread_local char cached[32];
  std::int64_t secs = unix_ms / 1000;
  if (secs != cached_secs) {
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    fmt::format_to_n(cached, sizeof cached - 1, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached[20] = '\0';
    cached_secs = secs;
  }
  raw({cached, 20});
  int ms = static_cast<int>(unix_ms % 1000);
  ch(static_cast<char>('0' + ms / 100));
  ch(static_cast<char>('0' + ms / 10 % 10));
  ch(static_cast<char>('0' + ms % 10));
  ch('Z');
}

// A number with three decimals ("812.500"); null for NaN and infinities (not JSON numbers).
void Cursor::fixed3(double d) {
  if (d != d || d == 1.0 / 0.0 || d == -1.0 / 0.0) {
    raw("null");
    return;
  }
  if (d >= 1e15 || d <= -1e15) {  // beyond exact thousandths in an int64: let fmt round it
    p = fmt::format_to(p, "{:.3f}", d);
    return;
  }
  std::int64_t scaled = std::llround(d * 1000.0);
  if (scaled < 0) {
    ch('-');
    scaled = -scaled;
  } else if (d < 0) {
    ch('-');  // -0.0004 rounds to -0.000, as printf does
  }
  integer(scaled / 1000);
  int frac = static_cast<int>(scaled % 1000);
  ch('.');
  ch(static_cast<char>('0' + frac / 100));
  ch(static_cast<char>('0' + frac / 10 % 10));
  ch(static_cast<char>('0' + frac % 10));
}

void Cursor::value(const Value& v) {
  if (auto s = std::get_if<std::string_view>(&v)) {
    ch('"');
    escaped(*s);
    ch('"');
  } else if (auto i = std::get_if<std::int64_t>(&v)) {
    integer(*i);
  } else if (auto d = std::get_if<double>(&v)) {
    fixed3(*d);
  } else {
    raw(std::get<bool>(v) ? "true" : "false");
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

namespace {

// Whether any of the 8 bytes in w needs escaping in a JSON string: a control byte (< 0x20), '"' or '\\'.
// (Exact for "any", which is all the fast path needs; bytes >= 0x80 never match.)
bool word_needs_escape(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  auto has_zero = [&](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) != 0;
}

constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

}  // namespace

void Cursor::escaped(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Eight bytes at a time while none needs escaping (log values are mostly plain ASCII).
    if (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!word_needs_escape(w)) {
        std::memcpy(p, &w, 8);
        p += 8;
        i += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(s[i++]);
    if (!kNeedsEscape[c]) {
      *p++ = static_cast<char>(c);
      continue;
    }
    *p++ = '\\';
    switch (c) {
      case '"': *p++ = '"'; break;
      case '\\': *p++ = '\\'; break;
      case '\n': *p++ = 'n'; break;
      case '\r': *p++ = 'r'; break;
      case '\t': *p++ = 't'; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        raw("u00");
        *p++ = kHex[c >> 4];
        *p++ = kHex[c & 0x0f];
      }
    }
  }
}

void append_json_escaped(std::string& out, std::string_view s) {
  const std::size_t used = out.size();
  out.resize_and_overwrite(used + escaped_bound(s), [&](char* buf, std::size_t) {
    Cursor c{buf + used};
    c.escaped(s);
    return static_cast<std::size_t>(c.p - buf);
  });
}

std::string json_quoted(std::string_view s) {
  std::string out = "\"";
  append_json_escaped(out, s);
  out += '"';
  return out;
}

namespace {

// Formats a line into `out` (replacing its contents; its capacity is kept for the next line).
void format_into(std::string& out, Level level, std::string_view lg, std::string_view message,
                 std::initializer_list<Field> fields, std::int64_t unix_ms) {
  const std::initializer_list<Field> head = {Field{field::level, to_string(level)}, Field{field::message, message},
                                             Field{field::logger, lg}};
  std::size_t bound = 16 + field::timestamp.size() + kTimestampBytes;
  for (const Field& f : head) bound += 8 + f.key.size() + value_bound(f.value);
  for (const Field& f : fields) bound += 8 + escaped_bound(f.key) + value_bound(f.value);
  out.resize_and_overwrite(bound, [&](char* buf, std::size_t) {
    Cursor c{buf};
    c.raw("{\"");
    c.raw(field::timestamp);
    c.raw("\":\"");
    c.timestamp(unix_ms);
    c.ch('"');
    for (const Field& f : head) {
      c.raw(",\"");
      c.raw(f.key);  // the names of the fixed fields need no escaping
      c.raw("\":");
      c.value(f.value);
    }
    for (const Field& f : fields) {
      if (f.omit_when_empty) {
        auto* text = std::get_if<std::string_view>(&f.value);
        if (text && text->empty()) continue;
      }
      c.raw(",\"");
      c.escaped(f.key);
      c.raw("\":");
      c.value(f.value);
    }
    c.ch('}');
    return static_cast<std::size_t>(c.p - buf);
  });
}

}  // namespace

std::string format_line(Level level, std::string_view lg, std::string_view message, std::initializer_list<Field> fields,
                        std::int64_t unix_ms) {
  std::string out;
  format_into(out, level, lg, message, fields, unix_ms);
  return out;
}

void init(Level min_level, Sink sink) {
  std::lock_guard lock(g_mutex);
  g_min_level = static_cast<int>(min_level);
  g_use_stderr = sink == Sink::stderr_sync;
  if (sink == Sink::stdout_async && !g_async) {
    // A closed log pipe must not end the gateway: the writer sees EPIPE and goes on without output.
    std::signal(SIGPIPE, SIG_IGN);
    std::fflush(stdout);
    LineWriter::Options options;
    options.max_pending_bytes = kAsyncPendingBytes;
    options.dropped_notice = [](std::uint64_t lost) {
      return format_line(Level::warn, logger::telemetry, "log output could not keep up; lines were dropped",
                         {{field::dropped_lines, lost}}, now_ms());
    };
    g_writer = std::make_unique<LineWriter>(STDOUT_FILENO, std::move(options));
    g_async.store(g_writer.get());
  } else if (sink != Sink::stdout_async && g_writer) {
    g_async.store(nullptr);
    g_writer.reset();  // writes what is pending
  }
}

bool enabled(Level level) { return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view lg, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  // Formatted in this thread's buffer: no allocation per line once it has grown.
  thread_local std::string line;
  format_into(line, level, lg, message, fields, now_ms());
  if (auto* async = g_async.load(std::memory_order_acquire)) {
    async->append(line);
    if (line.capacity() > (64u << 10)) std::string{}.swap(line);  // a huge line's buffer is not kept
    return;
  }
  line += '\n';
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), g_use_stderr ? stderr : stdout);
  std::fflush(g_use_stderr ? stderr : stdout);
}

void flush() {
  if (auto* async = g_async.load(std::memory_order_acquire)) async->flush();
  std::fflush(stdout);
}

void shutdown() {
  std::lock_guard lock(g_mutex);
  g_async.store(nullptr);
  g_writer.reset();  // writes what is pending
  std::fflush(stdout);
}

}  // namespace igw::telemetry::log
