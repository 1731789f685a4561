// igw metrics list: the metric catalog.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
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

}  // namespace

void add_metrics(CLI::App& app) {
  auto* group = app.add_subcommand("metrics", "The metric catalog and live metrics of a running gateway");
  group->require_subcommand(1);
  auto* list = group->add_subcommand("list", "Print the metric catalog: name, type, unit, labels, source, status (implemented or planned: planned "
                                        "metrics are not exported yet), buckets, help");
  auto format = std::make_shared<std::string>("table");
  list->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json", "markdown"}));
  list->callback([format] { list_metrics(*format); });
}

}  // namespace igw::cli
