#include "ops/top_run.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <iostream>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ops/check.hpp"
#include "ops/http.hpp"

namespace igw::ops {
namespace {

using Clock = std::chrono::steady_clock;

// One target's state: its last good scrape, and since when it fails.
struct Target {
  std::string url;
  std::optional<top::Scrape> last;
  std::string error;                                    // empty while it answers
  std::optional<std::chrono::system_clock::time_point> down_since;
};

std::expected<top::Scrape, std::string> scrape(const std::string& url, std::chrono::milliseconds timeout) {
  auto res = http_get(url, timeout);
  if (!res) return std::unexpected(res.error());
  if (res->status != 200) return std::unexpected(fmt::format("GET {}: status {}", url, res->status));
  top::Scrape s;
  s.at = Clock::now();
  auto parsed = telemetry::exposition::parse(res->body);
  if (!parsed)
    return std::unexpected(fmt::format("GET {}: not a Prometheus exposition: line {}: {}", url, parsed.error().line,
                                       parsed.error().message));
  s.data = std::move(*parsed);
  return s;
}

std::string joined_urls(const std::vector<std::string>& urls) {
  std::string out;
  for (const auto& u : urls) out += (out.empty() ? "" : ",") + u;
  return out;
}

// ---- the terminal ----------------------------------------------------------------------------------------

std::atomic<bool> g_stop{false};
std::atomic<bool> g_resized{true};
termios g_saved{};
bool g_raw = false;

void restore_terminal() {
  if (!g_raw) return;
  g_raw = false;
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
  const char leave[] = "\x1b[?25h\x1b[?1049l";  // cursor back, main screen back
  (void)!::write(STDOUT_FILENO, leave, sizeof leave - 1);
}

void on_stop_signal(int) { g_stop = true; }
void on_resize(int) { g_resized = true; }

class Screen {
 public:
  Screen() {
    ::tcgetattr(STDIN_FILENO, &g_saved);
    termios raw = g_saved;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // keys one by one, not echoed; ISIG kept (Ctrl-C)
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    g_raw = true;
    std::atexit(restore_terminal);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGHUP, on_stop_signal);
    std::signal(SIGWINCH, on_resize);
    std::cout << "\x1b[?1049h\x1b[?25l" << std::flush;  // alternate screen, cursor hidden
  }
  ~Screen() { restore_terminal(); }
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;

  static std::pair<std::size_t, std::size_t> size() {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return {ws.ws_col, ws.ws_row};
    return {120, 40};
  }

  // The next key within `wait`, or 0.
  static int key(std::chrono::milliseconds wait) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return 0;
    unsigned char c = 0;
    if (::read(STDIN_FILENO, &c, 1) != 1) return 0;
    return c;
  }
};

std::string clock_text(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

constexpr std::string_view kHelp =
    "keys: q quit  s next sort column  < > sort column left/right  r reverse  / filter  p pause  ? help";

struct Interactive {
  explicit Interactive(const TopOptions& options) : o(options) {}
  const TopOptions& o;
  std::vector<Target> targets;
  std::optional<top::View> view;
  std::size_t sort_index = 0;
  bool reverse = false;
  bool paused = false;
  bool help = false;
  bool typing = false;  // entering a filter
  std::string filter, typed;
  std::string prometheus_error;

  void refresh() {
    if (!o.prometheus.empty()) {
      top::PrometheusQuery q{o.prometheus, o.selector, o.window, o.by, o.timeout};
      auto v = top::query_prometheus(q);
      if (v) {
        view = std::move(*v);
        prometheus_error.clear();
      } else {
        prometheus_error = v.error();
      }
      return;
    }
    std::vector<top::Scrape> before, after;
    for (auto& t : targets) {
      auto s = scrape(t.url, o.timeout);
      if (!s) {
        if (!t.down_since) t.down_since = std::chrono::system_clock::now();
        t.error = s.error();
        continue;
      }
      t.down_since.reset();
      t.error.clear();
      if (t.last) {
        before.push_back(std::move(*t.last));
        after.push_back(*s);
      }
      t.last = std::move(*s);
    }
    if (!after.empty()) {
      view = top::compute(before, after, o.by);
      view->source = joined_urls(o.urls);
    }
  }

  void draw() {
    auto [width, height] = Screen::size();
    std::string out = "\x1b[H\x1b[2J";
    const std::string_view sort = top::kColumns[sort_index];
    if (view) {
      top::View shown = *view;
      shown.rows = top::filter_rows(view->rows, filter);
      top::sort_rows(shown.rows, sort, reverse);
      std::string table = top::to_table(shown, true, sort, width);
      std::size_t lines = 0;
      for (std::size_t i = 0; i < table.size() && lines + 4 < height; ++i) {
        if (table[i] == '\n') {
          out += "\r\n";
          ++lines;
        } else {
          out += table[i];
        }
      }
    } else {
      out += "waiting for a second scrape...\r\n";
    }
    for (const auto& t : targets)
      if (t.down_since)
        out += fmt::format("\x1b[31m{} unreachable since {}: {}\x1b[0m\r\n", t.url, clock_text(*t.down_since), t.error);
    if (!prometheus_error.empty()) out += "\x1b[31m" + prometheus_error + "\x1b[0m\r\n";
    std::string status = fmt::format("sort {}{}{}{}", sort, reverse ? " (reversed)" : "",
                                     filter.empty() ? "" : "  filter /" + filter, paused ? "  PAUSED" : "");
    if (typing) status = "filter: " + typed + "_";
    out += "\r\n" + status + "\r\n";
    out += help ? std::string{kHelp} : std::string{"? help  q quit"};
    std::cout << out << std::flush;
  }

  // Returns false to quit.
  bool on_key(int k) {
    if (typing) {
      if (k == '\r' || k == '\n') {
        filter = typed;
        typing = false;
      } else if (k == 27) {
        typing = false;
      } else if (k == 127 || k == 8) {
        if (!typed.empty()) typed.pop_back();
      } else if (k >= 32 && k < 127) {
        typed += static_cast<char>(k);
      }
      return true;
    }
    switch (k) {
      case 'q':
      case 'Q': return false;
      case 's':
      case '>': sort_index = (sort_index + 1) % top::kColumns.size(); break;
      case '<': sort_index = (sort_index + top::kColumns.size() - 1) % top::kColumns.size(); break;
      case 'r': reverse = !reverse; break;
      case 'p': paused = !paused; break;
      case '?': help = !help; break;
      case '/':
        typing = true;
        typed = filter;
        break;
      default: break;
    }
    return true;
  }

  int run() {
    for (const auto& u : o.urls) targets.push_back(Target{u, std::nullopt, {}, std::nullopt});
    for (std::size_t i = 0; i < top::kColumns.size(); ++i)
      if (top::kColumns[i] == o.sort) sort_index = i;
    reverse = o.reverse;
    Screen screen;
    refresh();
    draw();
    auto next = Clock::now() + o.interval;
    while (!g_stop) {
      auto now = Clock::now();
      if (now >= next) {
        if (!paused) refresh();
        next = now + o.interval;
        draw();
        continue;
      }
      auto wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(next - now), std::chrono::milliseconds{100});
      int k = Screen::key(wait);
      if (k) {
        if (!on_key(k)) break;
        draw();
      }
      if (g_resized.exchange(false)) draw();
    }
    return 0;
  }
};

}  // namespace

int run_top(const TopOptions& o) {
  if (o.interactive) return Interactive{o}.run();
  // Once: two scrapes `interval` apart (or one round of Prometheus queries), one table, exit.
  std::optional<top::View> view;
  if (!o.prometheus.empty()) {
    auto v = top::query_prometheus({o.prometheus, o.selector, o.window, o.by, o.timeout});
    if (!v) {
      std::cerr << "igw metrics top: " << v.error() << '\n';
      return 1;
    }
    view = std::move(*v);
  } else {
    std::vector<top::Scrape> before, after;
    for (const auto& u : o.urls) {
      auto s = scrape(u, o.timeout);
      if (!s) {
        std::cerr << "igw metrics top: " << s.error() << '\n';
        return 1;
      }
      before.push_back(std::move(*s));
    }
    std::this_thread::sleep_for(o.interval);
    for (const auto& u : o.urls) {
      auto s = scrape(u, o.timeout);
      if (!s) {
        std::cerr << "igw metrics top: " << s.error() << '\n';
        return 1;
      }
      after.push_back(std::move(*s));
    }
    view = top::compute(before, after, o.by);
    view->source = joined_urls(o.urls);
  }
  top::sort_rows(view->rows, o.sort, o.reverse);
  if (o.output == "json")
    std::cout << top::to_json(*view) << '\n';
  else
    std::cout << top::to_table(*view, o.color, o.sort);
  return 0;
}

int run_check(const std::string& url, const std::string& output, std::chrono::milliseconds timeout) {
  auto res = http_get(url, timeout);
  if (!res) {
    std::cerr << "igw metrics check: " << res.error() << '\n';
    return 1;
  }
  if (res->status != 200) {
    std::cerr << "igw metrics check: GET " << url << ": status " << res->status << '\n';
    return 1;
  }
  auto parsed = telemetry::exposition::parse(res->body);
  if (!parsed) {
    std::cerr << "igw metrics check: " << url << " is not a Prometheus exposition: line " << parsed.error().line << ": "
              << parsed.error().message << '\n';
    return 1;
  }
  auto findings = check_exposition(*parsed);
  if (output == "json") {
    nlohmann::ordered_json j;
    j["url"] = url;
    j["ok"] = findings.empty();
    j["families"] = parsed->families.size();
    j["findings"] = nlohmann::ordered_json::array();
    for (const auto& f : findings) j["findings"].push_back({{"metric", f.metric}, {"problem", f.problem}});
    std::cout << j.dump() << '\n';
  } else {
    for (const auto& f : findings) std::cout << f.metric << ": " << f.problem << '\n';
    if (findings.empty())
      std::cout << "ok: " << url << " exposes every catalog metric with its type, labels and buckets ("
                << parsed->families.size() << " families)\n";
    else
      std::cout << findings.size() << " problem(s) in " << url << '\n';
  }
  return findings.empty() ? 0 : 3;
}

}  // namespace igw::ops
