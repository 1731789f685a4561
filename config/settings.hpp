// The config catalog: every setting igw reads, as data. `igw serve` loads it (env, then flags),
// `igw config list|show|check` prints it, `igw gen` builds Deployment env from it, and the README's
// configuration table is generated from it. An env name or default is written nowhere else.
// A setting is implemented (something reads it) or planned (declared so the name is reserved and
// documented as coming; setting it to anything but its default stops start-up).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace igw::config {

// milliseconds: an integer count of milliseconds (OpenTelemetry's convention) or a duration like 10s.
// ratio: a number from 0 to 1. pairs: key=value,key2=value2 with percent-encoded values.
enum class ValueType { string, boolean, integer, port, duration, milliseconds, size, url, choice, list, path, ratio, pairs };
std::string_view to_string(ValueType type);

enum class Status { implemented, planned };
std::string_view to_string(Status status);

// The fixed settings. Provider settings (<ID>_API_URL, <ID>_API_KEY) follow them, one pair per row
// of the provider table.
enum class Key : std::size_t {
  environment,
  server_host,
  server_port,
  server_read_timeout,
  server_write_timeout,
  server_idle_timeout,
  server_max_request_body_size,
  server_tls_cert_path,
  server_tls_key_path,
  server_workers,
  server_drain_timeout,
  client_timeout,
  client_connect_timeout,
  client_response_header_timeout,
  client_stream_idle_timeout,
  client_idle_conn_timeout,
  client_max_idle_conns,
  client_max_idle_conns_per_host,
  client_tls_min_version,
  client_ca_file,
  telemetry_enable,
  telemetry_metrics_host,
  telemetry_metrics_port,
  telemetry_max_models,
  otel_exporter_otlp_endpoint,
  otel_exporter_otlp_protocol,
  otel_exporter_otlp_headers,
  otel_exporter_otlp_traces_endpoint,
  otel_exporter_otlp_timeout,
  otel_exporter_otlp_compression,
  otel_exporter_otlp_insecure,
  otel_exporter_otlp_certificate,
  otel_traces_sampler,
  otel_traces_sampler_arg,
  otel_bsp_schedule_delay,
  otel_bsp_export_timeout,
  otel_bsp_max_queue_size,
  otel_bsp_max_export_batch_size,
  otel_service_name,
  otel_resource_attributes,
  mcp_enable,
  mcp_expose,
  mcp_servers,
  mcp_client_timeout,
  mcp_dial_timeout,
  mcp_request_timeout,
  mcp_max_retries,
  mcp_retry_interval,
  mcp_polling_interval,
  mcp_max_iterations,
  mcp_include_tools,
  mcp_exclude_tools,
  a2a_enable,
  a2a_agents,
  a2a_client_timeout,
  auth_enable,
  auth_oidc_issuer,
  auth_oidc_client_id,
  auth_oidc_client_secret,
  allowed_models,
  disallowed_models,
  count_
};
inline constexpr std::size_t kFixedSettingCount = static_cast<std::size_t>(Key::count_);

struct Setting {
  std::string env;
  std::vector<std::string> aliases;
  std::string flag;  // "--server-port"; empty for secrets, which never go on a command line
  ValueType type;
  std::string default_value;
  std::string description;
  bool secret;
  std::vector<std::string> choices;  // ValueType::choice only
  std::string group;                 // section of `config list`: server, client, telemetry, ...
  Status status = Status::implemented;
};

// Every setting: the fixed ones indexed by Key, then two per provider.
std::span<const Setting> settings();
std::size_t index_of(Key key);
const Setting& setting(Key key);
const std::string& env_name(Key key);
// The default of a port setting (SERVER_PORT -> 8080), for generators and the demo.
std::uint16_t default_port(Key key);
std::size_t provider_url_index(std::size_t provider);
std::size_t provider_key_index(std::size_t provider);
std::optional<std::size_t> find_setting(std::string_view env_or_alias);

// Values of OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_EXPORTER_OTLP_COMPRESSION.
inline constexpr std::string_view kOtlpGrpc = "grpc";
inline constexpr std::string_view kOtlpHttpProtobuf = "http/protobuf";
inline constexpr std::string_view kOtlpHttpJson = "http/json";
inline constexpr std::string_view kCompressionGzip = "gzip";
inline constexpr std::string_view kCompressionNone = "none";

// Values of the ENVIRONMENT setting.
inline constexpr std::string_view kProduction = "production";
inline constexpr std::string_view kDevelopment = "development";

}  // namespace igw::config
