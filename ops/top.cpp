#include "ops/top.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ops/http.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/prom_math.hpp"
#include "telemetry/queries.hpp"

namespace igw::ops::top {
namespace {

namespace ex = telemetry::exposition;
namespace label = telemetry::label;
using telemetry::Metric;

std::string name_of(Metric m, std::string_view suffix = {}) {
  return std::string{telemetry::metric(m).name} + std::string{suffix};
}

// A series' identity within a scrape: its sample name and labels, sorted.
std::string series_id(const ex::Sample& s) {
  std::vector<const ex::Label*> labels;
  for (const auto& l : s.labels) labels.push_back(&l);
  std::sort(labels.begin(), labels.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::string id = s.name;
  for (const auto* l : labels) id.append("\x1f").append(l->name).append("=").append(l->value);
  return id;
}

struct Entry {
  const ex::Sample* sample;
  double increase;  // counters and histogram series: since the earlier scrape
  double rate;      // increase per second of that target's window
};

// Everything two rounds of scrapes say, per sample name.
struct Deltas {
  std::unordered_map<std::string, std::vector<Entry>> counters;     // counter and histogram samples
  std::unordered_map<std::string, std::vector<const ex::Sample*>> gauges;
  double window_s = 0;
};

void add_target(Deltas& d, const Scrape& before, const Scrape& after) {
  const double window = std::max(1e-3, std::chrono::duration<double>(after.at - before.at).count());
  d.window_s = std::max(d.window_s, window);
  std::unordered_map<std::string, double> earlier;
  for (const auto& f : before.data.families)
    if (f.type == ex::Type::counter || f.type == ex::Type::histogram)
      for (const auto& s : f.samples) earlier.emplace(series_id(s), s.value);
  for (const auto& f : after.data.families) {
    if (f.type == ex::Type::gauge) {
      for (const auto& s : f.samples) d.gauges[s.name].push_back(&s);
      continue;
    }
    if (f.type != ex::Type::counter && f.type != ex::Type::histogram) continue;
    for (const auto& s : f.samples) {
      auto it = earlier.find(series_id(s));
      // A series born since the earlier scrape counted from 0 (its first observations are in the window).
      double inc = telemetry::prom_math::counter_increase(it == earlier.end() ? 0 : it->second, s.value);
      d.counters[s.name].push_back({&s, inc, inc / window});
    }
  }
}

using Pred = std::function<bool(const ex::Sample&)>;

struct Sum {
  double increase = 0, rate = 0;
  bool any = false;  // at least one series
};

Sum sum(const Deltas& d, const std::string& name, const Pred& pred) {
  Sum out;
  auto it = d.counters.find(name);
  if (it == d.counters.end()) return out;
  for (const auto& e : it->second)
    if (pred(*e.sample)) {
      out.any = true;
      out.increase += e.increase;
      out.rate += e.rate;
    }
  return out;
}

std::optional<double> gauge_sum(const Deltas& d, const std::string& name, const Pred& pred) {
  auto it = d.gauges.find(name);
  if (it == d.gauges.end()) return std::nullopt;
  std::optional<double> out;
  for (const auto* s : it->second)
    if (pred(*s)) out = out.value_or(0) + s->value;
  return out;
}

double parse_le(std::string_view text) {
  if (text == "+Inf" || text == "Inf") return INFINITY;
  try {
    return std::stod(std::string{text});
  } catch (...) {
    return NAN;
  }
}

// The q-quantile of a histogram over the window (bucket increases summed over the matching series).
std::optional<double> quantile(const Deltas& d, Metric histogram, const Pred& pred, double q, double scale = 1) {
  auto it = d.counters.find(name_of(histogram, "_bucket"));
  if (it == d.counters.end()) return std::nullopt;
  std::map<double, double> buckets;
  for (const auto& e : it->second)
    if (pred(*e.sample)) {
      double le = parse_le(e.sample->label("le"));
      if (!std::isnan(le)) buckets[le] += e.increase;
    }
  std::vector<telemetry::prom_math::Bucket> list;
  for (const auto& [le, count] : buckets) list.push_back({le, count});
  double v = telemetry::prom_math::histogram_quantile(q, std::move(list));
  if (std::isnan(v)) return std::nullopt;
  return v * scale;
}

std::optional<double> percent(double part, double whole) {
  if (!(whole > 0)) return std::nullopt;
  return 100.0 * part / whole;
}

std::string_view key_label(By by) {
  switch (by) {
    case By::provider: return label::provider;
    case By::model: return label::model;
    case By::tool: return label::tool_name;
  }
  return label::provider;
}

bool is_5xx(const ex::Sample& s) {
  auto code = s.label(label::status_code);
  return code.size() == 3 && code[0] == '5';
}

void mark_alerts(Row& row, By by) {
  using telemetry::Alert;
  auto breach = [&](Alert id, std::optional<double> value, double scale) {
    const auto& a = telemetry::alert(id);
    if (a.status == telemetry::Status::implemented && value && *value / scale > a.threshold)
      row.alerts.emplace_back(a.name);
  };
  if (by == By::provider) {
    breach(Alert::high_error_rate, row.error_pct, 100);
    breach(Alert::p95_latency_high, row.p95_ms, 1);
  }
  if (by == By::tool && row.tool_success_pct) breach(Alert::tool_call_failures, 100 - *row.tool_success_pct, 100);
}

Row make_row(const Deltas& d, By by, std::string key, const Pred& match) {
  Row r;
  r.key = std::move(key);
  const double minutes = 60;
  if (by == By::tool) {
    auto calls = sum(d, name_of(Metric::tool_calls_total), match);
    auto ok = sum(d, name_of(Metric::tool_calls_success_total), match);
    if (calls.any) r.rps = calls.rate;
    r.tool_success_pct = percent(ok.increase, calls.increase);
    r.p50_ms = quantile(d, Metric::tool_call_duration, match, 0.5);
    r.p95_ms = quantile(d, Metric::tool_call_duration, match, 0.95);
    r.p99_ms = quantile(d, Metric::tool_call_duration, match, 0.99);
    mark_alerts(r, by);
    return r;
  }
  if (by == By::provider) {
    auto requests = sum(d, name_of(Metric::requests_total), match);
    if (requests.any) r.rps = requests.rate;
    auto responses = sum(d, name_of(Metric::responses_total), match);
    auto errors = sum(d, name_of(Metric::responses_total), [&](const ex::Sample& s) { return match(s) && is_5xx(s); });
    r.error_pct = percent(errors.increase, responses.increase);
    r.p50_ms = quantile(d, Metric::request_duration, match, 0.5);
    r.p95_ms = quantile(d, Metric::request_duration, match, 0.95);
    r.p99_ms = quantile(d, Metric::request_duration, match, 0.99);
    r.in_flight = gauge_sum(d, name_of(Metric::requests_in_flight), match);
  }
  auto tokens = sum(d, name_of(Metric::usage_total_tokens), match);
  if (tokens.any) r.tokens_per_min = tokens.rate * minutes;
  auto calls = sum(d, name_of(Metric::tool_calls_total), match);
  auto ok = sum(d, name_of(Metric::tool_calls_success_total), match);
  r.tool_success_pct = percent(ok.increase, calls.increase);
  r.ttft_p95_ms = quantile(d, Metric::time_to_first_token, match, 0.95, 1000);
  mark_alerts(r, by);
  return r;
}

// The keys of a view: every value of its label on the metrics the view reads.
std::set<std::string> keys_of(const Deltas& d, By by) {
  std::vector<Metric> sources;
  if (by == By::provider) sources = {Metric::requests_total, Metric::responses_total, Metric::usage_total_tokens};
  if (by == By::model) sources = {Metric::usage_total_tokens, Metric::tool_calls_total};
  if (by == By::tool) sources = {Metric::tool_calls_total};
  std::set<std::string> keys;
  const auto lbl = key_label(by);
  for (auto m : sources) {
    auto it = d.counters.find(name_of(m));
    if (it == d.counters.end()) continue;
    for (const auto& e : it->second)
      if (auto v = e.sample->label(lbl); !v.empty()) keys.emplace(v);
  }
  if (by == By::provider)
    if (auto it = d.gauges.find(name_of(Metric::requests_in_flight)); it != d.gauges.end())
      for (const auto* s : it->second)
        if (auto v = s->label(lbl); !v.empty()) keys.emplace(v);
  return keys;
}

}  // namespace

std::string_view to_string(By by) {
  switch (by) {
    case By::provider: return "provider";
    case By::model: return "model";
    case By::tool: return "tool";
  }
  return "provider";
}

View compute(const std::vector<Scrape>& before, const std::vector<Scrape>& after, By by) {
  Deltas d;
  for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) add_target(d, before[i], after[i]);
  View v;
  v.by = by;
  v.window_s = d.window_s;
  const auto lbl = key_label(by);
  for (const auto& key : keys_of(d, by))
    v.rows.push_back(make_row(d, by, key, [&](const ex::Sample& s) { return s.label(lbl) == key; }));
  v.totals = make_row(d, by, "total", [](const ex::Sample&) { return true; });
  return v;
}

namespace {

std::optional<double> column(const Row& r, std::string_view c) {
  if (c == "rps") return r.rps;
  if (c == "error_pct") return r.error_pct;
  if (c == "p50_ms") return r.p50_ms;
  if (c == "p95_ms") return r.p95_ms;
  if (c == "p99_ms") return r.p99_ms;
  if (c == "tokens_per_min") return r.tokens_per_min;
  if (c == "tool_success_pct") return r.tool_success_pct;
  if (c == "in_flight") return r.in_flight;
  if (c == "ttft_p95_ms") return r.ttft_p95_ms;
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void sort_rows(std::vector<Row>& rows, std::string_view c, bool reverse) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (c == "key" || std::find(kColumns.begin(), kColumns.end(), c) == kColumns.end())
      return reverse ? a.key > b.key : a.key < b.key;
    auto x = column(a, c), y = column(b, c);
    if (x.has_value() != y.has_value()) return x.has_value();  // rows without a value last
    if (!x) return a.key < b.key;
    if (*x == *y) return a.key < b.key;
    return reverse ? *x < *y : *x > *y;
  });
}

std::vector<Row> filter_rows(const std::vector<Row>& rows, std::string_view filter) {
  if (filter.empty()) return rows;
  const auto needle = lower(filter);
  std::vector<Row> out;
  for (const auto& r : rows)
    if (lower(r.key).find(needle) != std::string::npos) out.push_back(r);
  return out;
}

namespace {

nlohmann::ordered_json row_json(const Row& r) {
  nlohmann::ordered_json j;
  j["key"] = r.key;
  for (auto c : kColumns) {
    if (c == "key") continue;
    auto v = column(r, c);
    if (v && std::isfinite(*v))
      j[std::string{c}] = *v;
    else
      j[std::string{c}] = nullptr;
  }
  j["alerts"] = r.alerts;
  return j;
}

std::string cell(std::optional<double> v, int precision) {
  if (!v || !std::isfinite(*v)) return "-";
  return fmt::format("{:.{}f}", *v, precision);
}

}  // namespace

std::string to_json(const View& view) {
  nlohmann::ordered_json j;
  j["source"] = view.source;
  j["window_s"] = view.window_s;
  j["by"] = to_string(view.by);
  j["rows"] = nlohmann::ordered_json::array();
  for (const auto& r : view.rows) j["rows"].push_back(row_json(r));
  j["totals"] = row_json(view.totals);
  return j.dump();
}

std::string to_table(const View& view, bool color, std::string_view sort_column, std::size_t width) {
  struct Col {
    std::string_view id, head;
    int precision;
  };
  static const std::vector<Col> cols{{"rps", "REQ/S", 2},        {"error_pct", "ERR%", 1},   {"p50_ms", "P50ms", 0},
                                     {"p95_ms", "P95ms", 0},     {"p99_ms", "P99ms", 0},     {"tokens_per_min", "TOK/MIN", 0},
                                     {"tool_success_pct", "TOOL%", 1}, {"in_flight", "INFL", 0}, {"ttft_p95_ms", "TTFT95", 0}};
  std::size_t key_width = std::max<std::size_t>(8, to_string(view.by).size());
  for (const auto& r : view.rows) key_width = std::max(key_width, r.key.size());
  key_width = std::min<std::size_t>(key_width, 40);
  auto head = [&](std::string_view id, std::string_view text) {
    std::string h{text};
    if (id == sort_column) h += '*';
    return h;
  };
  std::string out;
  out += fmt::format("source {}  window {:.1f}s  view {}  total {} req/s, {}% 5xx\n", view.source, view.window_s,
                     to_string(view.by), cell(view.totals.rps, 2), cell(view.totals.error_pct, 1));
  std::string line = fmt::format("  {:<{}}", head("key", to_string(view.by)), key_width);
  for (const auto& c : cols) line += fmt::format(" {:>8}", head(c.id, c.head));
  out += line + "\n";
  for (const auto& r : view.rows) {
    std::string key = r.key.size() > key_width ? r.key.substr(0, key_width - 1) + "~" : r.key;
    std::string l = fmt::format("{} {:<{}}", r.alerts.empty() ? ' ' : '!', key, key_width);
    for (const auto& c : cols) l += fmt::format(" {:>8}", cell(column(r, c.id), c.precision));
    if (!r.alerts.empty()) {
      l += "  " + r.alerts.front();
      for (std::size_t i = 1; i < r.alerts.size(); ++i) l += "," + r.alerts[i];
    }
    if (width > 0 && l.size() > width) l.resize(width);
    if (color && !r.alerts.empty()) l = "\x1b[31m" + l + "\x1b[0m";
    out += l + "\n";
  }
  if (view.rows.empty()) out += "  (no traffic recorded yet)\n";
  return out;
}

// ---- Prometheus -------------------------------------------------------------------------------------------

namespace {

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

// `name{<selector>,<extra>}`.
std::string sel(std::string_view name, std::string_view selector, std::string_view extra = {}) {
  std::string s{selector};
  if (!s.empty() && s.front() == '{') s = s.substr(1, s.size() - 2);
  std::string inner = s;
  if (!extra.empty()) inner += (inner.empty() ? "" : ",") + std::string{extra};
  return std::string{name} + "{" + inner + "}";
}

// The instant vector of `expr`, by the value of label `lbl`. Error: one line.
std::expected<std::map<std::string, double>, std::string> instant(const PrometheusQuery& q, const std::string& expr,
                                                                  std::string_view lbl) {
  auto res = http_get(q.url + "/api/v1/query?query=" + url_encode(expr), q.timeout);
  if (!res) return std::unexpected(res.error());
  if (res->status != 200) return std::unexpected(fmt::format("{}: status {} for {}", q.url, res->status, expr));
  auto doc = nlohmann::json::parse(res->body, nullptr, false);
  if (doc.is_discarded() || doc.value("status", "") != "success")
    return std::unexpected(fmt::format("{}: not a successful query answer for {}", q.url, expr));
  std::map<std::string, double> out;
  for (const auto& r : doc["data"]["result"]) {
    std::string key = lbl.empty() ? std::string{"total"} : r["metric"].value(std::string{lbl}, std::string{});
    if (key.empty()) continue;
    try {
      double v = std::stod(r["value"][1].get<std::string>());
      if (std::isfinite(v)) out[key] = v;
    } catch (...) {
    }
  }
  return out;
}

}  // namespace

std::expected<View, std::string> query_prometheus(const PrometheusQuery& q) {
  View v;
  v.by = q.by;
  v.source = q.url;
  v.window_s = 0;
  const std::string lbl{key_label(q.by)};
  const std::string w = "[" + q.window + "]";
  auto rate_by = [&](Metric m, std::string_view suffix, std::string_view by_label, std::string_view extra = {}) {
    std::string by = by_label.empty() ? std::string{} : " by (" + std::string{by_label} + ")";
    return "sum" + by + " (rate(" + sel(name_of(m, suffix), q.selector, extra) + w + "))";
  };
  auto quantile_by = [&](Metric m, double quant, std::string_view by_label) {
    std::string by = by_label.empty() ? "le" : "le, " + std::string{by_label};
    return fmt::format("histogram_quantile({}, sum by ({}) (rate({}{})))", quant, by, sel(name_of(m, "_bucket"), q.selector), w);
  };
  struct Want {
    std::string column;
    std::string expr;
  };
  auto collect = [&](std::string_view by_label) -> std::expected<std::map<std::string, Row>, std::string> {
    std::vector<Want> wants;
    if (q.by == By::tool) {
      wants = {{"rps", rate_by(Metric::tool_calls_total, "", by_label)},
               {"tool_ok", rate_by(Metric::tool_calls_success_total, "", by_label)},
               {"p50_ms", quantile_by(Metric::tool_call_duration, 0.5, by_label)},
               {"p95_ms", quantile_by(Metric::tool_call_duration, 0.95, by_label)},
               {"p99_ms", quantile_by(Metric::tool_call_duration, 0.99, by_label)}};
    } else {
      if (q.by == By::provider) {
        wants = {{"rps", rate_by(Metric::requests_total, "", by_label)},
                 {"responses", rate_by(Metric::responses_total, "", by_label)},
                 {"errors", rate_by(Metric::responses_total, "", by_label, R"(status_code=~"5..")")},
                 {"p50_ms", quantile_by(Metric::request_duration, 0.5, by_label)},
                 {"p95_ms", quantile_by(Metric::request_duration, 0.95, by_label)},
                 {"p99_ms", quantile_by(Metric::request_duration, 0.99, by_label)},
                 {"in_flight", "sum" + (by_label.empty() ? std::string{} : " by (" + std::string{by_label} + ")") + " (" +
                                   sel(name_of(Metric::requests_in_flight), q.selector) + ")"}};
      }
      wants.push_back({"tokens", rate_by(Metric::usage_total_tokens, "", by_label)});
      wants.push_back({"calls", rate_by(Metric::tool_calls_total, "", by_label)});
      wants.push_back({"tool_ok", rate_by(Metric::tool_calls_success_total, "", by_label)});
      wants.push_back({"ttft", quantile_by(Metric::time_to_first_token, 0.95, by_label)});
    }
    std::map<std::string, std::map<std::string, double>> values;  // column -> key -> value
    for (const auto& want : wants) {
      auto r = instant(q, want.expr, by_label);
      if (!r) return std::unexpected(r.error());
      values[want.column] = std::move(*r);
    }
    std::map<std::string, Row> rows;
    for (const auto& [col, by_key] : values)
      for (const auto& [key, value] : by_key) {
        Row& row = rows[key];
        row.key = key;
        if (col == "rps") row.rps = value;
        if (col == "p50_ms") row.p50_ms = value;
        if (col == "p95_ms") row.p95_ms = value;
        if (col == "p99_ms") row.p99_ms = value;
        if (col == "in_flight") row.in_flight = value;
        if (col == "tokens") row.tokens_per_min = value * 60;
        if (col == "ttft") row.ttft_p95_ms = value * 1000;
      }
    for (auto& [key, row] : rows) {
      auto get = [&](const char* col) -> std::optional<double> {
        auto c = values.find(col);
        if (c == values.end()) return std::nullopt;
        auto k = c->second.find(key);
        if (k == c->second.end()) return std::nullopt;
        return k->second;
      };
      if (auto resp = get("responses")) row.error_pct = percent(get("errors").value_or(0), *resp);
      auto total_calls = q.by == By::tool ? get("rps") : get("calls");
      if (total_calls) row.tool_success_pct = percent(get("tool_ok").value_or(0), *total_calls);
      mark_alerts(row, q.by);
    }
    return rows;
  };
  auto rows = collect(lbl);
  if (!rows) return std::unexpected(rows.error());
  for (auto& [key, row] : *rows) v.rows.push_back(std::move(row));
  auto totals = collect("");
  if (!totals) return std::unexpected(totals.error());
  if (auto it = totals->find("total"); it != totals->end()) v.totals = it->second;
  v.totals.key = "total";
  // The window is the query's range.
  try {
    std::size_t used = 0;
    double n = std::stod(q.window, &used);
    std::string unit = q.window.substr(used);
    v.window_s = unit == "s" ? n : unit == "m" ? n * 60 : unit == "h" ? n * 3600 : n;
  } catch (...) {
  }
  return v;
}

}  // namespace igw::ops::top
