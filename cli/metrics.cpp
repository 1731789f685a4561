// igw metrics list | top | check: the metric catalog, the on-call view of live gateways, and the check
// that a live endpoint exposes what the catalog promises.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "config/settings.hpp"
#include "manifests/options.hpp"
#include "ops/top_run.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/promql.hpp"

namespace igw::cli {
namespace {

std::vector<std::string> labels_of(const telemetry::MetricDef& m) { return {m.labels.begin(), m.labels.end()}; }

std::vector<std::string> buckets_of(const telemetry::MetricDef& m) {
  std::vector<std::string> out;
  for (double b : m.buckets) out.push_back(telemetry::promql::number(b));
  return out;
}

void list_metrics(const std::string& format) {
  using telemetry::to_string;
  if (format == "json") {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& m : telemetry::metrics()) {
      arr.push_back({{"name", m.name},
                     {"type", to_string(m.type)},
                     {"help", m.help},
                     {"unit", m.unit},
                     {"labels", labels_of(m)},
                     {"buckets", std::vector<double>(m.buckets.begin(), m.buckets.end())},
                     {"source", to_string(m.source)},
                     {"status", to_string(m.status)}});
    }
    std::cout << arr.dump(2) << '\n';
    return;
  }
  std::vector<Row> rows;
  bool markdown = format == "markdown";
  for (const auto& m : telemetry::metrics()) {
    Row r{std::string{m.name}, std::string{to_string(m.type)}, std::string{m.unit}, join(labels_of(m), ","),
          std::string{to_string(m.source)}, std::string{to_string(m.status)}};
    if (markdown) r.push_back(join(buckets_of(m), ", "));
    r.emplace_back(m.help);
    rows.push_back(std::move(r));
  }
  if (markdown)
    std::cout << render_markdown({"Metric", "Type", "Unit", "Labels", "Source", "Status", "Buckets", "Description"},
                                 rows);
  else
    std::cout << render_table({"NAME", "TYPE", "UNIT", "LABELS", "SOURCE", "STATUS", "HELP"}, rows);
}

bool color_wanted() {
  const char* no_color = std::getenv("NO_COLOR");
  return (no_color == nullptr || *no_color == '\0') && ::isatty(STDOUT_FILENO);
}

std::chrono::milliseconds parse_interval(const std::string& text) {
  // Go-style durations like the config's: 2s, 500ms, 1m.
  try {
    std::size_t used = 0;
    double n = std::stod(text, &used);
    std::string unit = text.substr(used);
    double ms = unit == "ms" ? n : unit == "s" || unit.empty() ? n * 1000 : unit == "m" ? n * 60000 : -1;
    if (ms > 0 && ms <= 3600000) return std::chrono::milliseconds{static_cast<long long>(ms)};
  } catch (...) {
  }
  std::cerr << "igw metrics: invalid duration \"" << text << "\": expected e.g. 2s, 500ms or 1m\n";
  throw Exit{kExitUsage};
}

// A gateway on this machine with the catalog's default metrics port.
std::string default_metrics_url() {
  return "http://127.0.0.1:" + std::to_string(config::default_port(config::Key::telemetry_metrics_port)) +
         std::string{manifests::kMetricsPath};
}

void add_top(CLI::App& group) {
  struct Args {
    std::vector<std::string> urls;
    std::string prometheus, selector, window = "1m", by = "provider", output = "table", sort = "key";
    std::string interval = "2s", timeout = "3s";
    bool once = false, reverse = false;
  };
  auto a = std::make_shared<Args>();
  auto* top = group.add_subcommand(
      "top", "Live view of running gateways: req/s, 5xx %, p50/p95/p99, tokens/min, tool success %, in flight, TTFT "
             "p95 per provider, model or tool; rows breaching a catalog alert are marked. Keys: q quit, s or < > "
             "sort column, r reverse, / filter, p pause, ? help");
  top->add_option("--url", a->urls, "A gateway's metrics URL; repeat for replicas (summed)")
      ->default_str(default_metrics_url());
  top->add_option("--prometheus", a->prometheus, "Query a Prometheus server instead (its base URL)");
  top->add_option("--selector", a->selector, "With --prometheus: label matchers, e.g. '{namespace=\"llm\"}'");
  top->add_option("--window", a->window, "With --prometheus: the rate() window")->default_val("1m");
  top->add_option("--by", a->by, "Rows per provider, model or tool")
      ->check(CLI::IsMember({"provider", "model", "tool"}))
      ->default_val("provider");
  top->add_option("--interval", a->interval, "Time between scrapes (refresh)")->default_val("2s");
  top->add_option("--timeout", a->timeout, "Time limit of one scrape")->default_val("3s");
  top->add_flag("--once", a->once, "Two scrapes --interval apart, one table, exit");
  top->add_option("-o,--output", a->output, "table or json (json implies --once)")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_val("table");
  top->add_option("--sort", a->sort, "Sort column: key, rps, error_pct, p50_ms, p95_ms, p99_ms, tokens_per_min, "
                                     "tool_success_pct, in_flight, ttft_p95_ms")
      ->check(CLI::IsMember(std::vector<std::string>(ops::top::kColumns.begin(), ops::top::kColumns.end())))
      ->default_val("key");
  top->add_flag("-r,--reverse", a->reverse, "Reverse the sort order");
  top->callback([a] {
    ops::TopOptions o;
    o.urls = a->urls.empty() ? std::vector<std::string>{default_metrics_url()} : a->urls;
    o.prometheus = a->prometheus;
    o.selector = a->selector;
    o.window = a->window;
    o.by = a->by == "model" ? ops::top::By::model : a->by == "tool" ? ops::top::By::tool : ops::top::By::provider;
    o.interval = parse_interval(a->interval);
    o.timeout = parse_interval(a->timeout);
    o.once = a->once;
    o.output = a->output;
    o.sort = a->sort;
    o.reverse = a->reverse;
    o.color = color_wanted();
    o.interactive = !a->once && a->output == "table" && ::isatty(STDOUT_FILENO) && ::isatty(STDIN_FILENO);
    int code = ops::run_top(o);
    if (code != 0) throw Exit{code};
  });
}

void add_check(CLI::App& group) {
  auto url = std::make_shared<std::string>(default_metrics_url());
  auto output = std::make_shared<std::string>("table");
  auto timeout = std::make_shared<std::string>("5s");
  auto* check = group.add_subcommand(
      "check", "Check that a live metrics endpoint exposes every catalog metric of the page (and target_info) with "
               "its type, labels and buckets. Exit 0 all good, 3 something missing or wrong, 1 unreachable");
  check->add_option("url", *url, "The metrics URL")->default_str(default_metrics_url());
  check->add_option("-o,--output", *output, "table or json")->check(CLI::IsMember({"table", "json"}));
  check->add_option("--timeout", *timeout, "Time limit of the scrape")->default_val("5s");
  check->callback([url, output, timeout] {
    int code = ops::run_check(*url, *output, parse_interval(*timeout));
    if (code != 0) throw Exit{code};
  });
}

}  // namespace

void add_metrics(CLI::App& app) {
  auto* group = app.add_subcommand("metrics", "The metric catalog and live metrics of a running gateway");
  group->require_subcommand(1);
  auto* list = group->add_subcommand("list", "Print the metric catalog: name, type, unit, labels, source, status (implemented or planned: planned "
                                        "metrics are not exported yet), buckets, help");
  auto format = std::make_shared<std::string>("table");
  list->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json", "markdown"}));
  list->callback([format] { list_metrics(*format); });
  add_top(*group);
  add_check(*group);
}

}  // namespace igw::cli
