// igw-stream-load: holds N concurrent streaming chat requests against one HTTP endpoint and reports, as one
// JSON object, how many completed with the expected number of events, time to first event (p50/p99/max),
// and the gaps between consecutive events (p50/p99/max). A benchmark tool: one thread, asio coroutines.
//
//   igw-stream-load --port P --streams N [--host 127.0.0.1] [--path /v1/chat/completions]
//                   [--model M] [--events E] [--header 'k: v']... [--timeout 30]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio.hpp>

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::string path = "/v1/chat/completions";
  std::string model = "mock-gpt-4o";
  std::vector<std::string> headers;
  int streams = 100;
  int expected_events = 0;  // data events before [DONE]; 0 = do not check
  int timeout_seconds = 60;
  int ramp_ms = 0;          // spread connection opens over this many ms
};

struct StreamResult {
  bool completed = false;    // saw [DONE]
  bool error = false;
  int events = 0;            // data events, [DONE] excluded
  double first_event_ms = -1;
  std::vector<double> gaps_ms;
};

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string request_text(const Options& o) {
  std::string body = "{\"model\":\"" + o.model +
                     "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story about "
                     "gateways.\"}]}";
  std::string req = "POST " + o.path + " HTTP/1.1\r\nHost: " + o.host + "\r\nContent-Type: application/json\r\n" +
                    "Authorization: Bearer bench\r\nAccept: text/event-stream\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n";
  for (const auto& h : o.headers) req += h + "\r\n";
  return req + "\r\n" + body;
}

// Counts SSE data events in the raw byte stream (chunked framing or not) as bytes arrive.
asio::awaitable<void> one_stream(const Options& o, const std::string& request, StreamResult& r, int delay_ms) {
  auto ex = co_await asio::this_coro::executor;
  if (delay_ms > 0) {
    asio::steady_timer t(ex, std::chrono::milliseconds(delay_ms));
    co_await t.async_wait(asio::use_awaitable);
  }
  tcp::socket sock(ex);
  auto [ec] = co_await sock.async_connect(tcp::endpoint(asio::ip::make_address(o.host), o.port),
                                          asio::as_tuple(asio::use_awaitable));
  if (ec) {
    r.error = true;
    co_return;
  }
  sock.set_option(tcp::no_delay(true));
  const auto start = Clock::now();
  auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(request), asio::as_tuple(asio::use_awaitable));
  if (wec) {
    r.error = true;
    co_return;
  }
  std::string carry;  // bytes of a marker split across reads
  bool status_checked = false;
  char buf[16384];
  double last_event = -1;
  for (;;) {
    auto [rec, n] = co_await sock.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    const double now = ms_since(start);
    if (!status_checked) {  // "HTTP/1.1 200 ..." — anything else is an error answer, not a stream
      status_checked = true;
      if (n < 12 || std::string_view(buf, 12).substr(9, 3) != "200") {
        r.error = true;
        break;
      }
    }
    std::string data = carry + std::string(buf, n);
    carry.clear();
    std::size_t pos = 0;
    for (;;) {
      std::size_t at = data.find("data: ", pos);
      if (at == std::string::npos) {
        // Keep the last 5 bytes: they may begin a "data: " that the next read completes.
        std::size_t from = std::max(pos, data.size() >= 5 ? data.size() - 5 : 0);
        carry = data.substr(from);
        break;
      }
      if (data.size() < at + 12) {  // too short to tell "[DONE]" from an event yet
        carry = data.substr(at);
        break;
      }
      if (data.compare(at, 12, "data: [DONE]") == 0) {
        r.completed = true;
      } else {
        ++r.events;
        if (r.first_event_ms < 0) r.first_event_ms = now;
        if (last_event >= 0) r.gaps_ms.push_back(now - last_event);
        last_event = now;
      }
      pos = at + 6;
    }
    if (r.completed) break;
  }
  if (o.expected_events > 0 && r.events != o.expected_events) r.error = true;
  boost::system::error_code ignored;
  sock.shutdown(tcp::socket::shutdown_both, ignored);
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "igw-stream-load: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--host") o.host = next();
    else if (a == "--port") o.port = static_cast<unsigned short>(std::stoi(next()));
    else if (a == "--path") o.path = next();
    else if (a == "--model") o.model = next();
    else if (a == "--header") o.headers.push_back(next());
    else if (a == "--streams") o.streams = std::stoi(next());
    else if (a == "--events") o.expected_events = std::stoi(next());
    else if (a == "--timeout") o.timeout_seconds = std::stoi(next());
    else if (a == "--ramp-ms") o.ramp_ms = std::stoi(next());
    else {
      std::cerr << "igw-stream-load: unknown argument " << a << "\n";
      return false;
    }
  }
  if (o.port == 0) std::cerr << "igw-stream-load: --port is required\n";
  return o.port != 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, o)) return 2;
  asio::io_context io(1);
  const std::string request = request_text(o);
  std::vector<StreamResult> results(static_cast<std::size_t>(o.streams));
  const auto start = Clock::now();
  for (int i = 0; i < o.streams; ++i) {
    int delay = o.ramp_ms > 0 ? o.ramp_ms * i / o.streams : 0;
    asio::co_spawn(io, one_stream(o, request, results[static_cast<std::size_t>(i)], delay), asio::detached);
  }
  io.run_for(std::chrono::seconds(o.timeout_seconds));
  const double wall_ms = ms_since(start);

  int completed = 0, errors = 0, events_min = -1, events_max = 0;
  std::vector<double> ttfb, gaps;
  for (const auto& r : results) {
    if (r.completed && !r.error) ++completed;
    if (r.error || !r.completed) ++errors;
    if (r.first_event_ms >= 0) ttfb.push_back(r.first_event_ms);
    events_min = events_min < 0 ? r.events : std::min(events_min, r.events);
    events_max = std::max(events_max, r.events);
    gaps.insert(gaps.end(), r.gaps_ms.begin(), r.gaps_ms.end());
  }
  std::printf(
      "{\"streams\":%d,\"completed\":%d,\"errors\":%d,\"events_min\":%d,\"events_max\":%d,\"wall_ms\":%.1f,"
      "\"ttfb_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
      "\"gap_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
      o.streams, completed, errors, events_min, events_max, wall_ms, percentile(ttfb, 0.5), percentile(ttfb, 0.99), percentile(ttfb, 1.0),
      percentile(gaps, 0.5), percentile(gaps, 0.99), percentile(gaps, 1.0));
  return completed == o.streams ? 0 : 1;
}
