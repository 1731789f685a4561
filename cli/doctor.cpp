// igw doctor: the observability page's troubleshooting list, run against a live gateway. Reads the same
// environment (and setting flags) as `igw serve`; one line per check; exit 3 when any check fails.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/setting_flags.hpp"
#include "config/parse.hpp"
#include "ops/doctor.hpp"

namespace igw::cli {
namespace {

namespace doctor = ops::doctor;

struct DoctorArgs {
  std::string api;
  std::string metrics;
  std::string servicemonitor;
  std::string timeout = "3s";
  std::string format = "text";
  bool quick = false;
};

// Like `logs tail --color auto`: a terminal on stdout and no NO_COLOR.
bool use_color() {
  const char* no_color = std::getenv("NO_COLOR");
  return (no_color == nullptr || *no_color == '\0') && ::isatty(STDOUT_FILENO);
}

std::chrono::milliseconds timeout_or_exit(const std::string& text) {
  auto d = config::parse_duration(text);
  auto ms = d ? std::chrono::duration_cast<std::chrono::milliseconds>(*d) : std::chrono::milliseconds{0};
  if (!d || ms.count() <= 0) {
    std::cerr << "igw doctor: --timeout " << text << ": expected "
              << (d ? std::string{"a duration of at least 1ms"} : d.error()) << '\n';
    throw Exit{kExitUsage};
  }
  return ms;
}

void run_doctor(const DoctorArgs& a, const config::FlagValues& flags) {
  auto cfg = load_config_or_exit(flags);
  doctor::Targets targets;
  targets.api = a.api.empty() ? doctor::default_api_url(cfg) : a.api;
  targets.metrics = a.metrics.empty() ? doctor::default_metrics_url(cfg) : a.metrics;
  targets.servicemonitor_file = a.servicemonitor;
  targets.timeout = timeout_or_exit(a.timeout);
  std::vector<doctor::Check> checks =
      a.quick ? std::vector<doctor::Check>{doctor::run_api(targets)} : doctor::run(cfg, targets);
  std::cout << (a.format == "json" ? doctor::render_json(checks) : doctor::render_text(checks, use_color()))
            << std::flush;
  std::size_t failed = 0, warned = 0;
  for (const auto& c : checks) {
    failed += c.status == doctor::Status::fail;
    warned += c.status == doctor::Status::warn;
  }
  if (failed || warned)
    std::cerr << "igw doctor: " << failed << " failed, " << warned << " warning" << (warned == 1 ? "" : "s")
              << " (" << checks.size() << " check" << (checks.size() == 1 ? "" : "s") << ")\n";
  if (failed) throw Exit{kExitCheckFailed};
}

}  // namespace

void add_doctor(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "doctor", "Check a live gateway against the observability troubleshooting list and say what to fix");
  auto a = std::make_shared<DoctorArgs>();
  cmd->add_option("--api", a->api, "The gateway's API base URL (default: from SERVER_HOST, SERVER_PORT)");
  cmd->add_option("--metrics", a->metrics,
                  "The gateway's metrics URL (default: from TELEMETRY_METRICS_HOST, TELEMETRY_METRICS_PORT)");
  cmd->add_option("--servicemonitor", a->servicemonitor,
                  "A ServiceMonitor manifest to check for the release label (e.g. from igw gen k8s)")
      ->type_name("FILE");
  cmd->add_option("--timeout", a->timeout, "Time each probe may take")->capture_default_str();
  cmd->add_flag("--quick", a->quick, "Only the API health check (for container HEALTHCHECKs)");
  cmd->add_option("-o,--output", a->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  auto flags = add_setting_flags(*cmd);
  cmd->footer(
      "Checks: api (GET /health), telemetry, metrics (the metrics port answers, is not the API port, "
      "parses),\n"
      "catalog (every catalog metric exposed), otlp and otlp-protocol (the collector accepts connections; "
      "grpc\n"
      "on 4317, http/protobuf and http/json on 4318), provider <id> (a models call with the key), mcp <url>\n"
      "(initialize), a2a <url> (agent card), servicemonitor (--servicemonitor FILE has a release label).\n"
      "Reads the same environment as `igw serve`; run it where the gateway's environment is, e.g.\n"
      "  kubectl exec deploy/inference-gateway -- igw doctor\n"
      "Exit codes: 0 no check failed (warnings allowed), 2 bad setting or flag, 3 a check failed.");
  cmd->callback([a, flags] { run_doctor(*a, *flags); });
}

}  // namespace igw::cli
