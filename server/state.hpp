// What every worker reads and nobody writes after start-up: the settings in the units the data plane
// uses, the provider table resolved against the config, the model policy, the TLS contexts, the recorder.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "config/providers.hpp"
#include "server/model_policy.hpp"
#include "server/upstream_url.hpp"
#include "telemetry/recorder.hpp"

namespace boost::asio::ssl {
class context;
}

namespace igw::telemetry {
class Tracer;
}

namespace igw::server {

namespace auth {
class Authenticator;
}
namespace tools {
class ToolRegistry;
}

using Duration = std::chrono::steady_clock::duration;

struct Limits {
  Duration read_timeout{};
  Duration write_timeout{};
  Duration idle_timeout{};
  Duration drain_timeout{};
  std::uint64_t max_body = 0;
  Duration client_timeout{};
  Duration connect_timeout{};
  Duration header_timeout{};
  Duration stream_idle_timeout{};
  Duration pool_idle_timeout{};
  std::size_t pool_max_idle = 0;
  std::size_t pool_max_idle_per_host = 0;
};

struct ProviderRuntime {
  const config::ProviderDef* def = nullptr;
  std::size_t index = 0;
  bool enabled = false;
  std::string key;
  std::string key_env;
  std::string url_text;
  UpstreamUrl url;
};

struct GatewayState {
  Limits limits;
  std::vector<ProviderRuntime> providers;  // indexed like config::providers()
  ModelPolicy policy;
  bool mcp_expose = false;
  std::int64_t tool_max_iterations = 10;  // MCP_MAX_ITERATIONS: model calls per request in a tool loop
  tools::ToolRegistry* tools = nullptr;   // null: MCP_ENABLE and A2A_ENABLE off
  telemetry::Recorder* recorder = nullptr;  // null: telemetry off
  telemetry::Tracer* tracer = nullptr;      // null: tracing off (no OTLP endpoint, or telemetry off)
  auth::Authenticator* auth = nullptr;      // null: AUTH_ENABLE off (every route open)
  boost::asio::ssl::context* client_tls = nullptr;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> open_connections{0};  // client connections of every worker
  // Per provider (indexed like providers): its last /v1/models listing failed. Failures are logged when
  // this turns on, recoveries when it turns off: once per change, not on every call.
  std::unique_ptr<std::atomic<bool>[]> models_failing;
};

// Builds everything but the TLS contexts and the recorder. Error: one line naming the bad provider URL.
std::expected<void, std::string> load_state(const config::Config& config, GatewayState& state);

}  // namespace igw::server
