#include "server/state.hpp"

namespace igw::server {
namespace {

Duration to_duration(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<Duration>(d);
}

}  // namespace

std::expected<void, std::string> load_state(const config::Config& config, GatewayState& state) {
  using config::Key;
  auto& l = state.limits;
  l.read_timeout = to_duration(config.duration(Key::server_read_timeout));
  l.write_timeout = to_duration(config.duration(Key::server_write_timeout));
  l.idle_timeout = to_duration(config.duration(Key::server_idle_timeout));
  l.drain_timeout = to_duration(config.duration(Key::server_drain_timeout));
  l.max_body = config.size(Key::server_max_request_body_size);
  l.client_timeout = to_duration(config.duration(Key::client_timeout));
  l.connect_timeout = to_duration(config.duration(Key::client_connect_timeout));
  l.header_timeout = to_duration(config.duration(Key::client_response_header_timeout));
  l.stream_idle_timeout = to_duration(config.duration(Key::client_stream_idle_timeout));
  l.pool_idle_timeout = to_duration(config.duration(Key::client_idle_conn_timeout));
  l.pool_max_idle = static_cast<std::size_t>(config.integer(Key::client_max_idle_conns));
  l.pool_max_idle_per_host = static_cast<std::size_t>(config.integer(Key::client_max_idle_conns_per_host));
  state.policy = ModelPolicy{config.list(Key::allowed_models), config.list(Key::disallowed_models)};
  state.mcp_expose = config.boolean(Key::mcp_expose);
  state.tool_max_iterations = config.integer(Key::mcp_max_iterations);
  auto defs = config::providers();
  state.providers.clear();
  state.models_failing = std::make_unique<std::atomic<bool>[]>(defs.size());
  for (std::size_t i = 0; i < defs.size(); ++i) {
    ProviderRuntime p;
    p.def = &defs[i];
    p.index = i;
    p.key = config.provider_key(i);
    p.key_env = config::provider_key_env(defs[i]);
    p.url_text = config.provider_url(i);
    p.enabled = config.provider_enabled(i);
    auto url = parse_upstream_url(p.url_text);
    if (!url) {
      if (p.enabled) return std::unexpected(config::provider_url_env(defs[i]) + ": " + url.error());
      p.enabled = false;
    } else {
      p.url = *url;
    }
    state.providers.push_back(std::move(p));
  }
  return {};
}

}  // namespace igw::server
