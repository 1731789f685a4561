#include "config/settings.hpp"

#include <array>
#include <cctype>
#include <charconv>

#include "config/providers.hpp"

namespace igw::config {
namespace {

using enum ValueType;
using enum Status;
using Names = std::span<const std::string_view>;

struct Def {
  Key key;
  std::string_view env;
  ValueType type;
  std::string_view default_value;
  std::string_view description;
  Status status = implemented;
  Names aliases = {};
  Names choices = {};
  bool secret = false;
};

constexpr std::array<std::string_view, 2> kEnvironments{kProduction, kDevelopment};
constexpr std::array<std::string_view, 2> kTlsVersions{"TLS12", "TLS13"};
constexpr std::array<std::string_view, 3> kOtlpProtocols{kOtlpGrpc, kOtlpHttpProtobuf, kOtlpHttpJson};
constexpr std::array<std::string_view, 2> kCompressions{kCompressionNone, kCompressionGzip};
constexpr std::array<std::string_view, 6> kSamplers{"parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
                                                    "always_on", "always_off", "traceidratio"};
constexpr std::array<std::string_view, 2> kTelemetryAliases{"TELEMETRY_ENABLED", "ENABLE_TELEMETRY"};
constexpr std::array<std::string_view, 1> kMcpAliases{"MCP_ENABLED"};
constexpr std::array<std::string_view, 1> kA2aAliases{"A2A_ENABLED"};
constexpr std::array<std::string_view, 1> kAuthAliases{"AUTH_ENABLED"};

// clang-format off
constexpr std::array<Def, kFixedSettingCount> kDefs{{
  {Key::environment, "ENVIRONMENT", choice, kProduction, "Deployment environment; production logs at info level, development at debug", implemented, {}, kEnvironments},
  {Key::server_host, "SERVER_HOST", string, "127.0.0.1", "Address the API listens on (the container image sets 0.0.0.0)"},
  {Key::server_port, "SERVER_PORT", port, "8080", "Port the API listens on"},
  {Key::server_read_timeout, "SERVER_READ_TIMEOUT", duration, "30s", "Longest time to read a request, headers and body"},
  {Key::server_write_timeout, "SERVER_WRITE_TIMEOUT", duration, "30s", "Longest time a single write to a client may take (streams may last longer)"},
  {Key::server_idle_timeout, "SERVER_IDLE_TIMEOUT", duration, "120s", "How long an idle keep-alive client connection is kept open"},
  {Key::server_max_request_body_size, "SERVER_MAX_REQUEST_BODY_SIZE", size, "10485760", "Largest request body accepted; larger ones get 413"},
  {Key::server_tls_cert_path, "SERVER_TLS_CERT_PATH", path, "", "PEM certificate chain; with SERVER_TLS_KEY_PATH the API serves HTTPS"},
  {Key::server_tls_key_path, "SERVER_TLS_KEY_PATH", path, "", "PEM private key for SERVER_TLS_CERT_PATH"},
  {Key::server_workers, "SERVER_WORKERS", integer, "0", "Event loops (threads) serving requests; 0 means one per CPU core"},
  {Key::server_drain_timeout, "SERVER_DRAIN_TIMEOUT", duration, "30s", "On SIGTERM/SIGINT, how long in-flight requests may finish before exit"},
  {Key::client_timeout, "CLIENT_TIMEOUT", duration, "300s", "Total time limit of a non-streaming upstream call (its headers come with the whole answer)"},
  {Key::client_connect_timeout, "CLIENT_CONNECT_TIMEOUT", duration, "5s", "Time limit to connect (and TLS handshake) to an upstream"},
  {Key::client_response_header_timeout, "CLIENT_RESPONSE_HEADER_TIMEOUT", duration, "120s", "Time limit for an upstream stream to send its response headers (the wait for the first token)"},
  {Key::client_stream_idle_timeout, "CLIENT_STREAM_IDLE_TIMEOUT", duration, "60s", "Longest silence between two events of an upstream stream"},
  {Key::client_idle_conn_timeout, "CLIENT_IDLE_CONN_TIMEOUT", duration, "30s", "How long an idle pooled upstream connection is kept"},
  {Key::client_max_idle_conns, "CLIENT_MAX_IDLE_CONNS", integer, "20", "Idle upstream connections kept per event loop"},
  {Key::client_max_idle_conns_per_host, "CLIENT_MAX_IDLE_CONNS_PER_HOST", integer, "20", "Idle upstream connections kept per event loop and host"},
  {Key::client_tls_min_version, "CLIENT_TLS_MIN_VERSION", choice, "TLS12", "Lowest TLS version accepted from upstreams", implemented, {}, kTlsVersions},
  {Key::client_ca_file, "CLIENT_CA_FILE", path, "", "PEM bundle of CAs trusted for upstream TLS; empty uses the system store"},
  {Key::telemetry_enable, "TELEMETRY_ENABLE", boolean, "false", "Export Prometheus metrics on the metrics port", implemented, kTelemetryAliases},
  {Key::telemetry_metrics_host, "TELEMETRY_METRICS_HOST", string, "", "Address the metrics endpoint listens on; empty means SERVER_HOST"},
  {Key::telemetry_metrics_port, "TELEMETRY_METRICS_PORT", port, "9464", "Port of the Prometheus /metrics endpoint (never the API port)"},
  {Key::telemetry_max_models, "TELEMETRY_MAX_MODELS", integer, "100", "Distinct model label values kept per provider; the rest are recorded as \"other\""},
  {Key::otel_exporter_otlp_endpoint, "OTEL_EXPORTER_OTLP_ENDPOINT", url, "", "OTLP collector to export traces to (with TELEMETRY_ENABLE=true), e.g. http://otel-collector:4317 for grpc or http://otel-collector:4318 for the HTTP protocols (/v1/traces is appended); empty disables tracing"},
  {Key::otel_exporter_otlp_protocol, "OTEL_EXPORTER_OTLP_PROTOCOL", choice, kOtlpHttpProtobuf, "OTLP transport: grpc (port 4317) or http/protobuf, http/json (port 4318, /v1/traces)", implemented, {}, kOtlpProtocols},
  {Key::otel_exporter_otlp_headers, "OTEL_EXPORTER_OTLP_HEADERS", pairs, "", "Headers sent with every export, as key=value,key2=value2 (values percent-encoded)", implemented, {}, {}, true},
  {Key::otel_exporter_otlp_traces_endpoint, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", url, "", "Traces endpoint used as given (no /v1/traces appended); wins over OTEL_EXPORTER_OTLP_ENDPOINT"},
  {Key::otel_exporter_otlp_timeout, "OTEL_EXPORTER_OTLP_TIMEOUT", milliseconds, "10000", "Time limit of one export request, in milliseconds (or a duration like 10s)"},
  {Key::otel_exporter_otlp_compression, "OTEL_EXPORTER_OTLP_COMPRESSION", choice, kCompressionNone, "Compression of export requests: gzip or none", implemented, {}, kCompressions},
  {Key::otel_exporter_otlp_insecure, "OTEL_EXPORTER_OTLP_INSECURE", boolean, "false", "grpc: plaintext HTTP/2 for an endpoint without a scheme; https: skip certificate verification"},
  {Key::otel_exporter_otlp_certificate, "OTEL_EXPORTER_OTLP_CERTIFICATE", path, "", "PEM bundle of CAs trusted for an https collector; empty uses the system store"},
  {Key::otel_traces_sampler, "OTEL_TRACES_SAMPLER", choice, "parentbased_always_on", "Which requests are traced: always_on, always_off, traceidratio, or the parentbased_ forms that follow the caller's sampled flag", implemented, {}, kSamplers},
  {Key::otel_traces_sampler_arg, "OTEL_TRACES_SAMPLER_ARG", ratio, "1.0", "The ratio (0 to 1) of the traceidratio samplers"},
  {Key::otel_bsp_schedule_delay, "OTEL_BSP_SCHEDULE_DELAY", milliseconds, "5000", "Longest wait before queued spans are exported, in milliseconds"},
  {Key::otel_bsp_export_timeout, "OTEL_BSP_EXPORT_TIMEOUT", milliseconds, "30000", "Time limit of one batch export, retries included, in milliseconds"},
  {Key::otel_bsp_max_queue_size, "OTEL_BSP_MAX_QUEUE_SIZE", integer, "2048", "Spans queued for export at most; more are dropped and counted"},
  {Key::otel_bsp_max_export_batch_size, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", integer, "512", "Spans in one export request at most"},
  {Key::otel_service_name, "OTEL_SERVICE_NAME", string, "inference-gateway", "service.name resource attribute (the service_name label of target_info)"},
  {Key::otel_resource_attributes, "OTEL_RESOURCE_ATTRIBUTES", string, "", "Extra resource attributes, as key=value,key2=value2"},
  {Key::mcp_enable, "MCP_ENABLE", boolean, "false", "Offer the tools of MCP_SERVERS to models and run their calls", implemented, kMcpAliases},
  {Key::mcp_expose, "MCP_EXPOSE", boolean, "false", "Serve the tool catalog (MCP servers, A2A agents, their state) at /v1/mcp/tools"},
  {Key::mcp_servers, "MCP_SERVERS", list, "", "Comma-separated Streamable-HTTP URLs of MCP servers"},
  {Key::mcp_client_timeout, "MCP_CLIENT_TIMEOUT", duration, "5s", "Time limit of one MCP exchange of the background client (initialize, tools/list)"},
  {Key::mcp_dial_timeout, "MCP_DIAL_TIMEOUT", duration, "3s", "Time limit to connect to an MCP server or A2A agent (TCP and TLS)"},
  {Key::mcp_request_timeout, "MCP_REQUEST_TIMEOUT", duration, "5s", "Time limit of one tools/call request"},
  {Key::mcp_max_retries, "MCP_MAX_RETRIES", integer, "3", "Failed connection attempts per MCP server retried every MCP_RETRY_INTERVAL before it is retried every MCP_POLLING_INTERVAL"},
  {Key::mcp_retry_interval, "MCP_RETRY_INTERVAL", duration, "5s", "Time between the first retries of an MCP server that is down"},
  {Key::mcp_polling_interval, "MCP_POLLING_INTERVAL", duration, "30s", "How often MCP servers and A2A agents are checked and their tool lists refreshed"},
  {Key::mcp_max_iterations, "MCP_MAX_ITERATIONS", integer, "10", "Model calls per chat request at most while the model keeps calling MCP or A2A tools"},
  {Key::mcp_include_tools, "MCP_INCLUDE_TOOLS", list, "", "Only these MCP tools are offered (tool names as the servers list them); empty: all"},
  {Key::mcp_exclude_tools, "MCP_EXCLUDE_TOOLS", list, "", "MCP tools never offered (tool names as the servers list them)"},
  {Key::a2a_enable, "A2A_ENABLE", boolean, "false", "Offer the agents of A2A_AGENTS to models as tools", implemented, kA2aAliases},
  {Key::a2a_agents, "A2A_AGENTS", list, "", "Comma-separated base URLs of A2A agents (their card at /.well-known/agent-card.json)"},
  {Key::a2a_client_timeout, "A2A_CLIENT_TIMEOUT", duration, "30s", "Time limit of one message to an A2A agent"},
  {Key::auth_enable, "AUTH_ENABLE", boolean, "false", "Require an OIDC bearer token on every route but /health", implemented, kAuthAliases},
  {Key::auth_oidc_issuer, "AUTH_OIDC_ISSUER", url, "http://keycloak:8080/realms/inference-gateway-realm", "OIDC issuer whose JWKS verifies tokens"},
  {Key::auth_oidc_client_id, "AUTH_OIDC_CLIENT_ID", string, "inference-gateway-client", "Expected audience (aud) of tokens"},
  {Key::auth_oidc_client_secret, "AUTH_OIDC_CLIENT_SECRET", string, "", "OIDC client secret", planned, {}, {}, true},
  {Key::allowed_models, "ALLOWED_MODELS", list, "", "Comma list of the only models allowed (full or unprefixed id, case-insensitive); wins over DISALLOWED_MODELS"},
  {Key::disallowed_models, "DISALLOWED_MODELS", list, "", "Comma list of models refused with 403"},
}};
// clang-format on

constexpr bool defs_indexed_by_key() {
  for (std::size_t i = 0; i < kDefs.size(); ++i)
    if (static_cast<std::size_t>(kDefs[i].key) != i) return false;
  return true;
}
static_assert(defs_indexed_by_key(), "kDefs must list settings in the order of enum Key");

std::string flag_for(std::string_view env) {
  std::string flag = "--";
  for (char c : env) flag += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return flag;
}

std::string group_for(std::string_view env) {
  std::string_view prefix = env.substr(0, env.find('_'));
  std::string group;
  for (char c : prefix) group += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (group == "allowed" || group == "disallowed") return "models";
  if (group == "environment") return "general";
  return group;
}

std::vector<Setting> build() {
  std::vector<Setting> out;
  for (const auto& d : kDefs) {
    out.push_back(Setting{std::string{d.env}, {d.aliases.begin(), d.aliases.end()}, d.secret ? "" : flag_for(d.env),
                          d.type, std::string{d.default_value}, std::string{d.description}, d.secret,
                          {d.choices.begin(), d.choices.end()}, group_for(d.env), d.status});
  }
  for (const auto& p : providers()) {
    auto url_env = provider_url_env(p);
    out.push_back(Setting{url_env, {}, flag_for(url_env), url, std::string{p.default_url},
                          std::string{p.display_name} + " API base URL" +
                              (p.needs_key ? "" : "; setting it enables the provider"),
                          false, {}, "providers"});
    std::string key_description = std::string{p.display_name} + " API key" +
                                  (p.needs_key ? "; setting it enables the provider" : " (optional; enables it too)");
    out.push_back(Setting{provider_key_env(p), {}, "", string, "", key_description, true, {}, "providers"});
  }
  return out;
}

}  // namespace

std::string_view to_string(ValueType type) {
  switch (type) {
    case string: return "string";
    case boolean: return "bool";
    case integer: return "int";
    case port: return "port";
    case duration: return "duration";
    case milliseconds: return "ms";
    case ratio: return "ratio";
    case pairs: return "pairs";
    case size: return "size";
    case url: return "url";
    case choice: return "choice";
    case list: return "list";
    case path: return "path";
  }
  return "string";
}

std::string_view to_string(Status status) { return status == Status::planned ? "planned" : "implemented"; }

std::span<const Setting> settings() {
  static const std::vector<Setting> all = build();
  return all;
}

std::size_t index_of(Key key) { return static_cast<std::size_t>(key); }
const Setting& setting(Key key) { return settings()[index_of(key)]; }
const std::string& env_name(Key key) { return setting(key).env; }

std::uint16_t default_port(Key key) {
  const auto& text = setting(key).default_value;
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return static_cast<std::uint16_t>(value);
}
std::size_t provider_url_index(std::size_t provider) { return kFixedSettingCount + 2 * provider; }
std::size_t provider_key_index(std::size_t provider) { return kFixedSettingCount + 2 * provider + 1; }

std::optional<std::size_t> find_setting(std::string_view name) {
  auto all = settings();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].env == name) return i;
    for (const auto& a : all[i].aliases)
      if (a == name) return i;
  }
  return std::nullopt;
}

}  // namespace igw::config
