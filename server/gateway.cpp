// run_gateway: state, TLS contexts and recorder built once; one worker (io_context + thread) per core,
// each with its own SO_REUSEPORT acceptor; start-up lines; then wait for a stop and drain.
#include "server/gateway.hpp"

#include <thread>

#include "server/auth/authenticator.hpp"
#include "server/listener.hpp"
#include "server/tls.hpp"
#include "server/tools/registry.hpp"
#include "server/worker.hpp"
#include "telemetry/build_info.hpp"
#include "telemetry/tracer.hpp"
#include "telemetry/resource.hpp"
#include "telemetry/log.hpp"

namespace igw::server {
namespace {

namespace lg = telemetry::log;
using config::Key;

// Fields of the start-up lines that tests and operators read.
constexpr std::string_view kPortField = "port";
constexpr std::string_view kMetricsPortField = "metrics_port";
constexpr std::string_view kWorkersField = "workers";
constexpr std::string_view kTlsField = "tls";
// Longest wait at exit for the last spans to reach the collector.
constexpr std::chrono::milliseconds kTraceFlushLimit{5000};

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "[::1]";
}

void log_startup(const config::Config& cfg, const GatewayState& state) {
  for (const auto& p : state.providers) {
    if (p.enabled)
      lg::info(lg::logger::server, "provider enabled",
               {{lg::field::provider, p.def->id}, {lg::field::url, p.url_text}});
    else
      lg::info(lg::logger::server, "provider not configured", {{lg::field::provider, p.def->id}});
  }
  const auto& host = cfg.text(Key::server_host);
  if (!state.auth && !is_loopback(host)) {
    lg::warn(lg::logger::server,
             "authentication is off (" + config::env_name(Key::auth_enable) +
                 "=false) and the API listens on a non-loopback address",
             {{lg::field::address, host}});
  }
}

telemetry::ServiceInputs service_inputs(const config::Config& cfg) {
  telemetry::ServiceInputs service;
  const auto& name = cfg.value(Key::otel_service_name);
  if (name.origin != config::Origin::default_value) service.service_name = name.text;
  service.default_service_name = config::setting(Key::otel_service_name).default_value;
  service.resource_attributes = cfg.text(Key::otel_resource_attributes);
  service.environment = cfg.text(Key::environment);
  service.version = std::string{telemetry::build_info().version};
  return service;
}

std::unique_ptr<telemetry::Recorder> make_recorder(const config::Config& cfg) {
  if (!cfg.boolean(Key::telemetry_enable)) return nullptr;
  telemetry::RecorderOptions options;
  options.service = telemetry::resolve_service(service_inputs(cfg));
  options.max_models_per_provider = static_cast<std::size_t>(cfg.integer(Key::telemetry_max_models));
  return telemetry::make_prometheus_recorder(options);
}

telemetry::otlp::Protocol otlp_protocol(std::string_view name) {
  if (name == config::kOtlpGrpc) return telemetry::otlp::Protocol::grpc;
  if (name == config::kOtlpHttpJson) return telemetry::otlp::Protocol::http_json;
  return telemetry::otlp::Protocol::http_protobuf;
}

std::chrono::milliseconds millis(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

// The tracer when telemetry is on and an OTLP endpoint is set; null otherwise. Error: one line.
std::expected<std::unique_ptr<telemetry::Tracer>, std::string> make_tracer(const config::Config& cfg,
                                                                          telemetry::Recorder* recorder) {
  namespace otlp = telemetry::otlp;
  if (!cfg.boolean(Key::telemetry_enable)) return nullptr;
  telemetry::TracerOptions o;
  o.protocol = otlp_protocol(cfg.text(Key::otel_exporter_otlp_protocol));
  o.endpoint.url = cfg.text(Key::otel_exporter_otlp_traces_endpoint);
  if (o.endpoint.url.empty()) {
    const auto& base = cfg.text(Key::otel_exporter_otlp_endpoint);
    if (base.empty()) return nullptr;
    o.endpoint.url = telemetry::traces_url(base, o.protocol);
  }
  auto sampler = telemetry::trace::make_sampler(cfg.text(Key::otel_traces_sampler), cfg.text(Key::otel_traces_sampler_arg));
  if (!sampler)
    return std::unexpected(config::env_name(Key::otel_traces_sampler) + " / " +
                           config::env_name(Key::otel_traces_sampler_arg) + ": " + sampler.error());
  o.sampler = *sampler;
  o.endpoint.headers = telemetry::parse_key_values(cfg.text(Key::otel_exporter_otlp_headers));
  o.endpoint.timeout = millis(cfg.duration(Key::otel_exporter_otlp_timeout));
  o.endpoint.gzip = cfg.text(Key::otel_exporter_otlp_compression) == config::kCompressionGzip;
  o.endpoint.insecure = cfg.boolean(Key::otel_exporter_otlp_insecure);
  o.endpoint.ca_file = cfg.text(Key::otel_exporter_otlp_certificate);
  o.batch.max_queue_size = static_cast<std::size_t>(cfg.integer(Key::otel_bsp_max_queue_size));
  o.batch.max_export_batch_size = static_cast<std::size_t>(cfg.integer(Key::otel_bsp_max_export_batch_size));
  o.batch.schedule_delay = millis(cfg.duration(Key::otel_bsp_schedule_delay));
  o.batch.export_timeout = millis(cfg.duration(Key::otel_bsp_export_timeout));
  // The same service attributes as target_info, plus the other OTEL_RESOURCE_ATTRIBUTES members.
  o.resource.attributes = telemetry::resource_attributes(service_inputs(cfg));
  lg::info(lg::logger::telemetry, "tracing on",
           {{lg::field::url, o.endpoint.url},
            {"protocol", cfg.text(Key::otel_exporter_otlp_protocol)},
            {"sampler", cfg.text(Key::otel_traces_sampler)}});
  return std::make_unique<telemetry::Tracer>(o, recorder);
}

// The registry of MCP servers and A2A agents when MCP_ENABLE or A2A_ENABLE is on; null otherwise. Error: a
// URL that cannot be used, named with its setting.
std::expected<std::unique_ptr<tools::ToolRegistry>, std::string> make_tools(const config::Config& cfg,
                                                                           const GatewayState& state) {
  const bool mcp = cfg.boolean(Key::mcp_enable);
  const bool a2a = cfg.boolean(Key::a2a_enable);
  if (!mcp && !a2a) return nullptr;
  if (cfg.integer(Key::mcp_max_iterations) < 1)
    return std::unexpected("invalid " + config::env_name(Key::mcp_max_iterations) + "=\"" +
                           cfg.text(Key::mcp_max_iterations) + "\": expected at least 1 model call");
  tools::RegistryOptions o;
  auto take = [&](Key key, const std::vector<std::string>& urls,
                  std::vector<std::string>& into) -> std::expected<void, std::string> {
    for (const auto& url : urls) {
      if (auto parsed = parse_upstream_url(url); !parsed) return std::unexpected(config::env_name(key) + ": " + parsed.error());
      into.push_back(url);
    }
    if (into.empty())
      lg::warn(key == Key::mcp_servers ? lg::logger::mcp_client : lg::logger::a2a_client,
               config::env_name(key) + " is empty: no tools from it");
    return {};
  };
  if (mcp)
    if (auto r = take(Key::mcp_servers, cfg.list(Key::mcp_servers), o.mcp_servers); !r) return std::unexpected(r.error());
  if (a2a)
    if (auto r = take(Key::a2a_agents, cfg.list(Key::a2a_agents), o.a2a_agents); !r) return std::unexpected(r.error());
  o.include_tools = cfg.list(Key::mcp_include_tools);
  o.exclude_tools = cfg.list(Key::mcp_exclude_tools);
  auto d = [](std::chrono::nanoseconds value) { return std::chrono::duration_cast<tools::Duration>(value); };
  o.client_timeout = d(cfg.duration(Key::mcp_client_timeout));
  o.dial_timeout = d(cfg.duration(Key::mcp_dial_timeout));
  o.request_timeout = d(cfg.duration(Key::mcp_request_timeout));
  o.a2a_timeout = d(cfg.duration(Key::a2a_client_timeout));
  o.retry_interval = d(cfg.duration(Key::mcp_retry_interval));
  o.polling_interval = d(cfg.duration(Key::mcp_polling_interval));
  o.max_retries = static_cast<int>(cfg.integer(Key::mcp_max_retries));
  o.tls = state.client_tls;
  o.recorder = state.recorder;
  return std::make_unique<tools::ToolRegistry>(std::move(o));
}

std::size_t worker_count(const config::Config& cfg) {
  auto n = cfg.integer(Key::server_workers);
  if (n > 0) return static_cast<std::size_t>(n);
  return std::max(1u, std::thread::hardware_concurrency());
}

// Binds every worker's API acceptor on one port (the first picks it when the port is 0) and the metrics one.
std::expected<Endpoints, std::string> bind_all(const config::Config& cfg,
                                               std::vector<std::unique_ptr<Worker>>& workers) {
  Endpoints ep;
  ep.address = cfg.text(Key::server_host);
  std::uint16_t port = cfg.port(Key::server_port);
  if (port != 0) {
    // SO_REUSEPORT would let a second gateway share a busy port without a word: check it is free first.
    auto probe = open_acceptor(workers.front()->ioc, ep.address, port, false);
    if (!probe) return std::unexpected(probe.error());
  }
  for (auto& w : workers) {
    auto a = open_acceptor(w->ioc, ep.address, port, true);
    if (!a) return std::unexpected(a.error());
    port = a->local_endpoint().port();
    w->acceptor.emplace(std::move(*a));
  }
  ep.port = port;
  ep.tls = workers.front()->server_tls != nullptr;
  if (workers.front()->state.recorder) {
    ep.metrics_address =
        cfg.text(Key::telemetry_metrics_host).empty() ? ep.address : cfg.text(Key::telemetry_metrics_host);
    auto m =
        open_acceptor(workers.front()->ioc, ep.metrics_address, cfg.port(Key::telemetry_metrics_port), false);
    if (!m) return std::unexpected(m.error());
    ep.metrics_port = m->local_endpoint().port();
    workers.front()->metrics_acceptor.emplace(std::move(*m));
  }
  return ep;
}

// Blocks until SIGTERM/SIGINT (when asked) or the stop token.
void wait_for_stop(const RunOptions& options) {
  asio::io_context waiter{1};
  asio::signal_set signals{waiter};
  if (options.handle_signals) {
    signals.add(SIGTERM);
    signals.add(SIGINT);
    signals.async_wait([&](const error_code& ec, int sig) {
      if (!ec) lg::info(lg::logger::server, "signal received; draining", {{"signal", sig}});
      waiter.stop();
    });
  }
  auto guard = asio::make_work_guard(waiter);
  std::stop_callback on_stop{options.stop, [&] { asio::post(waiter, [&] { waiter.stop(); }); }};
  waiter.run();
}

void drain(GatewayState& state, std::vector<std::unique_ptr<Worker>>& workers) {
  state.draining.store(true);
  for (auto& w : workers) asio::post(w->ioc, [worker = w.get()] { worker->begin_drain(); });
  auto deadline = std::chrono::steady_clock::now() + state.limits.drain_timeout;
  while (state.open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto left = state.open_connections.load();
  if (left > 0)
    lg::warn(lg::logger::server, "drain timeout reached; closing remaining connections",
             {{"connections", left}});
  else
    lg::info(lg::logger::server, "drained");
}

}  // namespace

std::expected<void, std::string> run_gateway(const config::Config& cfg, const RunOptions& options) {
  GatewayState state;
  if (auto r = load_state(cfg, state); !r) return std::unexpected(r.error());
  auto client_tls = make_client_tls(cfg);
  if (!client_tls) return std::unexpected(client_tls.error());
  auto server_tls = make_server_tls(cfg);
  if (!server_tls) return std::unexpected(server_tls.error());
  state.client_tls = client_tls->get();
  auto recorder = make_recorder(cfg);
  state.recorder = recorder.get();
  auto tracer = make_tracer(cfg, state.recorder);
  if (!tracer) return std::unexpected(tracer.error());
  state.tracer = tracer->get();
  std::unique_ptr<auth::Authenticator> authenticator;
  if (cfg.boolean(Key::auth_enable)) {
    authenticator = std::make_unique<auth::Authenticator>(auth::AuthenticatorOptions{
        cfg.text(Key::auth_oidc_issuer), cfg.text(Key::auth_oidc_client_id), state.client_tls, state.recorder});
    state.auth = authenticator.get();
  }

  auto tool_registry = make_tools(cfg, state);
  if (!tool_registry) return std::unexpected(tool_registry.error());
  state.tools = tool_registry->get();

  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t i = 0, n = worker_count(cfg); i < n; ++i)
    workers.push_back(std::make_unique<Worker>(state, server_tls->get()));
  auto endpoints = bind_all(cfg, workers);
  if (!endpoints) return std::unexpected(endpoints.error());

  log_startup(cfg, state);
  if (authenticator) asio::co_spawn(workers.front()->ioc, authenticator->keep_keys_fresh(), asio::detached);
  if (state.tools) asio::co_spawn(workers.front()->ioc, state.tools->start(), asio::detached);
  for (auto& w : workers) {
    asio::co_spawn(w->ioc, accept_loop(*w), asio::detached);
    asio::co_spawn(w->ioc, pool_sweeper(*w), asio::detached);
    if (w->metrics_acceptor) asio::co_spawn(w->ioc, metrics_accept_loop(*w), asio::detached);
  }
  std::vector<std::jthread> threads;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& w : workers) {
    guards.push_back(asio::make_work_guard(w->ioc));
    threads.emplace_back([worker = w.get()] { worker->ioc.run(); });
  }
  lg::info(lg::logger::server, "listening",
           {{lg::field::address, endpoints->address},
            {kPortField, endpoints->port},
            {kMetricsPortField, endpoints->metrics_port},
            {kWorkersField, workers.size()},
            {kTlsField, endpoints->tls}});
  if (options.on_ready) options.on_ready(*endpoints);

  wait_for_stop(options);
  drain(state, workers);
  for (auto& w : workers) w->ioc.stop();
  threads.clear();  // joins
  workers.clear();
  // The spans of the last requests go out before exit (a dead collector costs at most the export timeout).
  if (*tracer) (*tracer)->shutdown(std::min(millis(cfg.duration(Key::otel_bsp_export_timeout)), kTraceFlushLimit));
  lg::info(lg::logger::server, "stopped");
  return {};
}

}  // namespace igw::server
