// `igw doctor`: the observability page's troubleshooting list, run as checks against a live gateway. Each
// check is one line: ok, warn, fail (with what to do) or skip. The probes go through ops/http (and a plain
// TCP connect for the OTLP collector); what an answer means is decided by the pure evaluate_* functions, so
// every verdict is tested without a network.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/loader.hpp"
#include "config/providers.hpp"
#include "ops/http.hpp"

namespace igw::ops::doctor {

enum class Status { ok, warn, fail, skip };
std::string_view to_string(Status status);

struct Check {
  std::string name;  // "api", "metrics", "provider openai", ...
  Status status = Status::ok;
  std::string detail;
  std::string fix;  // what to do (fail and warn)
};

// Where the gateway is probed, and how long each probe may take.
struct Targets {
  std::string api;                  // the API's base URL: http(s)://host:port
  std::string metrics;              // the full /metrics URL
  std::string servicemonitor_file;  // empty: the servicemonitor check is skipped
  std::chrono::milliseconds timeout{3000};
};

// The URLs `igw serve` listens on with this config: http(s)://SERVER_HOST:SERVER_PORT and
// http://(TELEMETRY_METRICS_HOST or SERVER_HOST):TELEMETRY_METRICS_PORT/metrics; a wildcard host
// (0.0.0.0, ::) becomes loopback.
std::string default_api_url(const config::Config& cfg);
std::string default_metrics_url(const config::Config& cfg);

// The parts of an http(s) URL that the checks compare. The port is the scheme's default when not written.
struct Endpoint {
  std::string scheme;
  std::string host;  // without IPv6 brackets
  std::uint16_t port = 0;
  std::string path;  // "" when none
};
std::optional<Endpoint> parse_endpoint(std::string_view url);

// What a probe got: the answer (any status) or one line saying why there is none.
using Probe = std::expected<HttpResult, std::string>;

// --- The verdicts (pure) ---

// api: GET <api>/health.
Check evaluate_api(const std::string& api_url, const Probe& health);

// telemetry, metrics and catalog, from TELEMETRY_ENABLE in this environment and a scrape of the metrics URL.
std::vector<Check> evaluate_metrics(bool telemetry_enabled, const std::string& api_url,
                                    const std::string& metrics_url, const Probe& scrape);

// The OTLP port convention: grpc on 4317, the HTTP protocols on 4318. A problem when the protocol is sent
// to the other one's port; nothing to say about any other port.
struct Problem {
  std::string detail;
  std::string fix;
};
std::optional<Problem> otlp_port_mismatch(std::string_view protocol, std::uint16_t port);

// otlp (the collector accepts connections) and otlp-protocol (the port convention). `variable` names the
// setting the endpoint came from.
std::vector<Check> evaluate_otlp(std::string_view variable, const std::string& endpoint,
                                 std::string_view protocol, const std::expected<void, std::string>& connect);

// A provider's models call: its URL (the base URL plus the table's models path) and headers (its auth style
// with the key, and the table's extra headers).
std::string models_url(std::string_view base_url, std::string_view models_path);
std::vector<std::pair<std::string, std::string>> provider_headers(const config::ProviderDef& provider,
                                                                  std::string_view key);
// "provider <id>": 200 ok; 401/403 key refused; anything else or no answer: the URL is wrong. The key is
// never printed, not even when an upstream message echoes it.
Check evaluate_provider(const config::ProviderDef& provider, const std::string& url, std::string_view key,
                        const Probe& models);

// "mcp <url>": the answer to an MCP initialize request (JSON, or SSE carrying the JSON-RPC response).
Check evaluate_mcp(const std::string& url, const Probe& initialize);
// "a2a <url>": the answer to GET <agent>/.well-known/agent-card.json.
std::string agent_card_url(std::string_view base);
Check evaluate_a2a(const std::string& base, const Probe& card);

// servicemonitor: every ServiceMonitor in the YAML (several documents, a List, or a JSON array are fine)
// carries a non-empty metadata.labels.release. `file` names the file in the detail.
Check check_servicemonitor(const std::string& file, std::string_view yaml_text);

// --- The probes ---

// Opens (and closes) a TCP connection to host:port. Error: one line (resolve failure, refused, timeout).
std::expected<void, std::string> tcp_connect(const std::string& host, std::uint16_t port,
                                             std::chrono::milliseconds timeout);

// The API health check alone (`igw doctor --quick`).
Check run_api(const Targets& targets);
// Every check, in the page's order: api, telemetry, metrics, catalog, otlp, otlp-protocol, providers, mcp,
// a2a, servicemonitor. Probes of providers, MCP servers and agents run concurrently.
std::vector<Check> run(const config::Config& cfg, const Targets& targets);

// --- Output ---

bool any_failed(const std::vector<Check>& checks);
// One line per check: `ok   api: ...`, `fail metrics: ... -> fix: ...`. ANSI colors when `color`.
std::string render_text(const std::vector<Check>& checks, bool color);
// {"checks":[{"name","status","detail","fix"}],"ok":bool}
std::string render_json(const std::vector<Check>& checks);

}  // namespace igw::ops::doctor
