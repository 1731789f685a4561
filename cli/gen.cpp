// igw gen k8s|prometheus|grafana|otel-collector|compose|rules-test: monitoring manifests from the catalogs.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <tuple>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "manifests/compose.hpp"
#include "manifests/gateway_env.hpp"
#include "manifests/grafana.hpp"
#include "manifests/k8s.hpp"
#include "manifests/otel_collector.hpp"
#include "manifests/prometheus.hpp"
#include "manifests/rules.hpp"
#include "manifests/rules_test.hpp"

namespace igw::cli {
namespace {

using manifests::File;
using manifests::Options;

struct GenArgs {
  Options options = manifests::default_options();
  std::string output_dir;
};

void fail_usage(std::string_view command, std::string_view message) {
  std::cerr << "igw gen " << command << ": " << message << '\n';
  throw Exit{kExitUsage};
}

void check(std::string_view command, const Options& o) {
  if (auto ok = manifests::validate(o); !ok) fail_usage(command, ok.error());
}

void write_files(std::string_view command, const std::string& dir, const std::vector<File>& files) {
  namespace fs = std::filesystem;
  for (const auto& file : files) {
    fs::path path = fs::path{dir} / file.path;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out{path, std::ios::binary};
    out << file.content;
    out.close();
    if (ec || !out) {
      std::cerr << "igw gen " << command << ": cannot write " << path.string() << ": "
                << (ec ? ec.message() : "write failed") << '\n';
      throw Exit{kExitFailure};
    }
    std::cerr << "wrote " << path.string() << '\n';
  }
}

// Files to --output-dir when given, else their contents to stdout as YAML documents.
void emit(std::string_view command, const std::string& dir, const std::vector<File>& files) {
  if (!dir.empty()) return write_files(command, dir, files);
  for (std::size_t i = 0; i < files.size(); ++i) std::cout << (i ? "---\n" : "") << files[i].content;
}

void add_naming(CLI::App* cmd, GenArgs& a) {
  cmd->add_option("--name", a.options.name,
                  "Name of the gateway's Service/Deployment, its app label and the job")
      ->capture_default_str();
}

void add_scrape(CLI::App* cmd, GenArgs& a) {
  cmd->add_option("--interval", a.options.interval, "Scrape interval")->capture_default_str();
  cmd->add_option("--scrape-timeout", a.options.scrape_timeout, "Scrape timeout")->capture_default_str();
}

void add_alerting(CLI::App* cmd, GenArgs& a) {
  for (const auto& def : telemetry::alerts()) {
    using enum telemetry::Signal;
    std::string what = def.signal == error_ratio          ? "5xx ratio"
                       : def.signal == tool_failure_ratio ? "Tool-call failure ratio"
                                                          : "p95 request duration (ms)";
    cmd->add_option(std::string{manifests::threshold_flag(def.id)},
                    a.options.thresholds[static_cast<std::size_t>(def.id)],
                    what + " above which " + std::string{def.name} + " fires")
        ->capture_default_str();
  }
  cmd->add_option("--alert-for", a.options.alert_for,
                  "Replace every alert's `for` duration (e.g. 30s for tests); default: the page's");
  cmd->add_option("--runbook-base-url", a.options.runbook_base_url,
                  "Give each alert a runbook_url annotation: <URL>/<alert name>");
}

void add_output_dir(CLI::App* cmd, GenArgs& a, std::string_view what) {
  cmd->add_option("--output-dir", a.output_dir, std::string{what});
}

// The gateway Deployment's flags; all but --image need --with-gateway.
void add_gateway(CLI::App* cmd, GenArgs& a, manifests::K8sOptions& k) {
  auto& g = k.gateway;
  auto* with = cmd->add_flag("--with-gateway", k.with_gateway,
                             "Also emit the gateway Deployment (plus its HorizontalPodAutoscaler and "
                             "PodDisruptionBudget when they apply)");
  cmd->add_option("--image", a.options.image, "Gateway image (with --with-gateway)")->capture_default_str();
  cmd->add_option("--replicas", g.replicas, "Gateway pods (without an autoscaler)")
      ->capture_default_str()
      ->needs(with);
  auto* hpa_max = cmd->add_option("--hpa-max", g.hpa_max,
                                  "Add a HorizontalPodAutoscaler (autoscaling/v2) scaling up to N pods")
                      ->needs(with);
  cmd->add_option("--hpa-min", g.hpa_min, "The autoscaler's minimum pods (default: --replicas)")
      ->needs(hpa_max);
  cmd->add_option("--hpa-cpu", g.hpa_cpu, "The autoscaler's target CPU utilization, % of --cpu-request")
      ->capture_default_str()
      ->needs(hpa_max);
  cmd->add_option("--secret", g.secret,
                  "Secret holding the provider keys (OPENAI_API_KEY, ...), loaded with envFrom; default: "
                  "optional per-key references to a Secret named like --name")
      ->needs(with);
  const std::tuple<const char*, std::string*, const char*> resources[] = {
      {"--cpu-request", &g.cpu_request, "CPU the gateway container requests (the autoscaler's 100%)"},
      {"--cpu-limit", &g.cpu_limit, "CPU limit of the gateway container (\"\" for none)"},
      {"--memory-request", &g.memory_request, "Memory the gateway container requests"},
      {"--memory-limit", &g.memory_limit, "Memory limit of the gateway container (\"\" for none)"}};
  for (auto [flag, value, help] : resources)
    cmd->add_option(flag, *value, help)->capture_default_str()->needs(with);
  cmd->add_option("--drain-timeout", a.options.drain_timeout,
                  fmt::format("SERVER_DRAIN_TIMEOUT for the pods (default: the catalog's); the termination "
                              "grace period is it plus {}s",
                              manifests::kShutdownMarginSeconds))
      ->needs(with);
}

void add_gen_k8s(CLI::App* gen) {
  auto* cmd = gen->add_subcommand("k8s", "Kubernetes objects for kube-prometheus-stack");
  auto a = std::make_shared<GenArgs>();
  auto k = std::make_shared<manifests::K8sOptions>();
  auto format = std::make_shared<std::string>("yaml");
  add_naming(cmd, *a);
  cmd->add_option("--namespace", a->options.ns, "Namespace of the gateway")->capture_default_str();
  cmd->add_option("--monitoring-namespace", a->options.monitoring_ns,
                  "Namespace of the ServiceMonitor, PrometheusRule, dashboard and collector")
      ->capture_default_str();
  cmd->add_option("--release", a->options.release,
                  "kube-prometheus-stack release name (the `release:` label)")
      ->capture_default_str();
  add_scrape(cmd, *a);
  add_alerting(cmd, *a);
  cmd->add_option("--jaeger-endpoint", a->options.jaeger_endpoint,
                  "Where the collector exports traces (OTLP gRPC)")
      ->capture_default_str();
  add_gateway(cmd, *a, *k);
  cmd->add_option("--only", k->only,
                  fmt::format("Emit only these kinds: {}", fmt::join(manifests::k8s_kinds(), ",")))
      ->delimiter(',');
  cmd->add_option("-o,--output", *format, "Output format")
      ->check(CLI::IsMember({"yaml", "json"}))
      ->capture_default_str();
  add_output_dir(cmd, *a, "Write one file per object into DIR instead of stdout");
  cmd->footer(
      "Example:\n  igw gen k8s --namespace llm --release prom --runbook-base-url "
      "https://runbooks.example.com \\\n"
      "    --only ServiceMonitor,PrometheusRule | kubectl apply -f -\n"
      "  igw gen k8s --namespace llm --with-gateway --secret llm-keys --hpa-max 10 | kubectl apply -f -");
  cmd->callback([a, k, format] {
    k->format = *format == "json" ? manifests::Format::json : manifests::Format::yaml;
    if (!a->output_dir.empty()) {
      auto files = manifests::k8s_files(a->options, *k);
      if (!files) fail_usage("k8s", files.error());
      return write_files("k8s", a->output_dir, *files);
    }
    auto text = manifests::k8s_manifest(a->options, *k);
    if (!text) fail_usage("k8s", text.error());
    std::cout << *text;
  });
}

void add_gen_prometheus(CLI::App* gen) {
  auto* cmd = gen->add_subcommand("prometheus", "Plain Prometheus: scrape config and alerting rule file");
  auto a = std::make_shared<GenArgs>();
  auto only = std::make_shared<std::string>();
  add_naming(cmd, *a);
  add_scrape(cmd, *a);
  add_alerting(cmd, *a);
  cmd->add_option("--only", *only, "Print only the scrape config or only the rule file")
      ->check(CLI::IsMember({"config", "rules"}));
  add_output_dir(
      cmd, *a, "Write prometheus.yml and the rule file into DIR (promtool check config DIR/prometheus.yml)");
  cmd->footer(
      "Without --output-dir both files go to stdout as two YAML documents.\nExample:\n"
      "  igw gen prometheus --output-dir /etc/prometheus && promtool check config "
      "/etc/prometheus/prometheus.yml\n"
      "  igw gen prometheus --only rules --error-rate-threshold 0.02 > rules.yml");
  cmd->callback([a, only] {
    check("prometheus", a->options);
    auto files = manifests::prometheus_files(a->options);
    if (*only == "config") files.pop_back();
    if (*only == "rules") files.erase(files.begin());
    emit("prometheus", a->output_dir, files);
  });
}

void add_gen_grafana(CLI::App* gen) {
  auto* cmd = gen->add_subcommand("grafana", "Importable Grafana dashboard JSON");
  auto a = std::make_shared<GenArgs>();
  add_naming(cmd, *a);
  add_output_dir(cmd, *a, "Write the dashboard file into DIR instead of stdout");
  cmd->footer(
      "Import it in Grafana (Dashboards -> New -> Import) and pick a Prometheus data source.\nExample:\n"
      "  igw gen grafana > inference-gateway.json");
  cmd->callback([a] {
    check("grafana", a->options);
    emit("grafana", a->output_dir,
         {{std::string{manifests::kDashboardFile}, manifests::dashboard_json(a->options)}});
  });
}

void add_gen_otel_collector(CLI::App* gen) {
  auto* cmd =
      gen->add_subcommand("otel-collector", "OpenTelemetry Collector configuration (OTLP in, Jaeger out)");
  auto a = std::make_shared<GenArgs>();
  cmd->add_option("--jaeger-endpoint", a->options.jaeger_endpoint,
                  "Where the collector exports traces (OTLP gRPC)")
      ->capture_default_str();
  add_output_dir(cmd, *a, "Write config.yaml into DIR instead of stdout");
  cmd->footer(
      "Example:\n  igw gen otel-collector --jaeger-endpoint jaeger.observability:4317 > otelcol.yaml");
  cmd->callback([a] {
    check("otel-collector", a->options);
    emit("otel-collector", a->output_dir,
         {{std::string{manifests::kCollectorConfigFile}, manifests::collector_config_yaml(a->options)}});
  });
}

void add_gen_compose(CLI::App* gen) {
  auto* cmd = gen->add_subcommand("compose", "A runnable docker-compose monitoring stack in a folder");
  auto a = std::make_shared<GenArgs>();
  add_naming(cmd, *a);
  cmd->add_option("--image", a->options.image, "Gateway image")->capture_default_str();
  add_scrape(cmd, *a);
  add_alerting(cmd, *a);
  cmd->add_option("--output-dir", a->output_dir, "Folder to write the stack into")->required();
  cmd->footer("Example:\n  igw gen compose --output-dir monitoring && cd monitoring && docker compose up -d");
  cmd->callback([a] {
    check("compose", a->options);
    write_files("compose", a->output_dir, manifests::compose_files(a->options));
  });
}

void add_gen_rules_test(CLI::App* gen) {
  auto* cmd =
      gen->add_subcommand("rules-test", "promtool unit tests proving each alert fires and stays quiet");
  auto a = std::make_shared<GenArgs>();
  auto rules = std::make_shared<std::string>(manifests::kRulesFile);
  add_naming(cmd, *a);
  add_alerting(cmd, *a);
  cmd->add_option("--rules-file", *rules, "Rule file the tests load, relative to the test file")
      ->capture_default_str();
  add_output_dir(cmd, *a, "Write the test file and the rule file it loads into DIR");
  cmd->footer(
      "Generate the rules with the same threshold flags.\nExample:\n"
      "  igw gen rules-test --output-dir t && promtool test rules t/inference-gateway-rules.test.yml");
  cmd->callback([a, rules] {
    check("rules-test", a->options);
    std::vector<File> files{
        {std::string{manifests::kRulesTestFile}, manifests::rules_test(a->options, *rules)}};
    if (!a->output_dir.empty()) files.push_back({*rules, manifests::rules_file(a->options)});
    emit("rules-test", a->output_dir, files);
  });
}

}  // namespace

void add_gen(CLI::App& app) {
  auto* gen = app.add_subcommand(
      "gen", "Generate monitoring manifests, dashboards and alert tests from the catalogs");
  gen->require_subcommand(1);
  gen->footer(
      "Every output is built from the metric, alert and config catalogs and is byte-for-byte deterministic.");
  add_gen_k8s(gen);
  add_gen_prometheus(gen);
  add_gen_grafana(gen);
  add_gen_otel_collector(gen);
  add_gen_compose(gen);
  add_gen_rules_test(gen);
}

}  // namespace igw::cli
