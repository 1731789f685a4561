// igw demo: the embedded default. Starts the mock provider in-process, the gateway in-process with telemetry
// on (providers openai and groq both pointed at the mock, MCP tools from the mock's MCP server at /mcp), and
// a light synthetic traffic loop, so a new user sees a working gateway, live metrics and logs with no
// provider keys.
#include <atomic>
#include <csignal>
#include <future>
#include <iostream>
#include <stop_token>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>  // the traffic loop's blocking client (its own thread, never an event loop)
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "config/loader.hpp"
#include "config/providers.hpp"
#include "mock/mcp.hpp"
#include "mock/server.hpp"
#include "server/gateway.hpp"
#include "telemetry/log.hpp"

namespace igw::cli {
namespace {

namespace log = telemetry::log;
using config::Key;

constexpr const char* kDemoProviders[] = {"openai", "groq"};
constexpr const char* kDemoKey = "demo-key-not-secret";

struct DemoFlags {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0, metrics_port = 0, mock_port = 0;
  double rate = 2.0;  // synthetic requests per second; 0 turns the traffic off
};

config::Config demo_config(const DemoFlags& f, std::uint16_t mock_port) {
  auto env = config::process_environment();
  // Only the mock: provider settings of the environment (real keys, local servers) stay out of the demo.
  for (std::size_t p = 0; p < config::providers().size(); ++p) {
    env.erase(config::settings()[config::provider_url_index(p)].env);
    env.erase(config::settings()[config::provider_key_index(p)].env);
  }
  env[config::env_name(Key::server_host)] = f.host;
  env[config::env_name(Key::server_port)] = std::to_string(f.port);
  env[config::env_name(Key::telemetry_enable)] = "true";
  env[config::env_name(Key::telemetry_metrics_port)] = std::to_string(f.metrics_port);
  const std::string mock_base = "http://127.0.0.1:" + std::to_string(mock_port);
  for (const char* id : kDemoProviders) {
    auto p = *config::find_provider(id);
    env[config::settings()[config::provider_url_index(p)].env] = mock_base + "/v1";
    env[config::settings()[config::provider_key_index(p)].env] = kDemoKey;
  }
  // The mock's MCP server is the only one, with every tool offered and the catalog served.
  env[config::env_name(Key::mcp_enable)] = "true";
  env[config::env_name(Key::mcp_expose)] = "true";
  env[config::env_name(Key::mcp_servers)] = mock_base + std::string(mock::kMcpPath);
  env.erase(config::env_name(Key::mcp_include_tools));
  env.erase(config::env_name(Key::mcp_exclude_tools));
  auto cfg = config::Config::load(env);
  if (!cfg) {
    std::cerr << "igw demo: " << cfg.error().message() << '\n';
    throw Exit{kExitUsage};
  }
  return *cfg;
}

mock::Options mock_options(const DemoFlags& f) {
  mock::Options o;
  o.port = f.mock_port;
  o.tokens = 24;
  o.ttft = mock::Millis(80);
  o.token_delay = mock::Millis(15);
  o.error_rate = 0.03;  // a few upstream 500s so error panels are not empty
  o.record = 0;
  return o;
}

// One synthetic request of the mix, chosen by the iteration number.
struct Call {
  const char* path;
  std::string body;          // empty: GET
  httplib::Headers headers;  // e.g. x-mock-tool: the tool the mock's model calls
};

// A chat in which the mock's model calls the MCP tool `tool` (offered by the gateway as mcp_<tool>) with
// `arguments`; the gateway runs the call and the answer quotes its result.
httplib::Headers mcp_tool_headers(const std::string& tool, const std::string& arguments) {
  return {{"x-mock-tool", "mcp_" + tool}, {"x-mock-tool-arguments", arguments}};
}

Call pick_call(std::uint64_t i) {
  static const char* kPrompts[] = {"Summarise the release notes", "Translate good morning to French",
                                   "Write a haiku about gateways", "Explain p95 latency briefly"};
  static const char* kTool =
      R"([{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",)"
      R"("properties":{"city":{"type":"string"}}}}}])";
  std::string prompt = kPrompts[i % 4];
  auto chat = [&](const char* model, bool stream, const std::string& extra = "") {
    return Call{"/v1/chat/completions",
                std::string(R"({"model":")") + model + R"(","stream":)" + (stream ? "true" : "false") +
                    extra + R"(,"messages":[{"role":"user","content":")" + prompt + R"("}]})",
                {}};
  };
  static const char* kCities[] = {"Paris", "Lisbon", "Osaka", "Denver", "Nairobi"};
  switch (i % 12) {
    case 0:
    case 1:
      return chat("openai/mock-gpt-4o", false);
    case 2:
    case 3:
      return chat("openai/mock-gpt-4o-mini", true);
    case 4:
      return chat("groq/mock-gpt-4o", true);
    case 5:
      return chat("groq/mock-gpt-4o-mini", false);
    case 6: {
      // The client's own function: returned to the client, not run (the header picks it over the MCP tools).
      prompt = "Use the tool to check the weather";
      Call c = chat("openai/mock-gpt-4o", i % 24 == 6, std::string(R"(,"tools":)") + kTool);
      c.headers = {{"x-mock-tool", "get_weather"}};
      return c;
    }
    case 7:
      return chat("openai/mock-unknown-model", false);  // upstream 404
    case 8:
      return chat("nosuchprovider/model", false);  // gateway 400
    case 10: {
      const char* city = kCities[(i / 12) % 5];
      prompt = fmt::format("What is the weather in {}?", city);
      Call c = chat("openai/mock-gpt-4o", i % 24 == 22);
      c.headers = mcp_tool_headers("get_weather", fmt::format(R"({{"city":"{}"}})", city));
      return c;
    }
    case 11: {
      // One lookup in three fails (an isError result), so the tool failure panels have data.
      const bool fail = (i / 12) % 3 == 0;
      prompt = "Where is my order?";
      Call c = chat("groq/mock-gpt-4o-mini", false);
      c.headers = mcp_tool_headers("lookup_order",
                                   fmt::format(R"({{"order_id":"A-{}","fail":{}}})", 1000 + i / 12, fail));
      return c;
    }
    default:
      return Call{"/v1/models", "", {}};
  }
}

// Sends the mix at `rate` requests per second until stopped. Blocking client on its own thread.
void run_demo_traffic(const std::string& host, std::uint16_t port, double rate, std::stop_token stop) {
  httplib::Client client(host, port);
  client.set_connection_timeout(2);
  client.set_read_timeout(30);
  client.set_tcp_nodelay(true);
  auto gap = std::chrono::microseconds(static_cast<std::int64_t>(1e6 / rate));
  auto next = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; !stop.stop_requested(); ++i) {
    auto call = pick_call(i);
    if (call.body.empty())
      client.Get(call.path);
    else
      client.Post(call.path, call.headers, call.body, "application/json");
    next += gap;
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          next - std::chrono::steady_clock::now(), std::chrono::milliseconds(50)));
  }
}

// A short guided tour: what runs where, and commands that work against it as printed.
void print_banner(const server::Endpoints& ep, std::uint16_t mock_port, double rate) {
  const std::string api = fmt::format("http://{}:{}", ep.address, ep.port);
  const std::string metrics = fmt::format("http://{}:{}/metrics", ep.metrics_address, ep.metrics_port);
  std::cerr << fmt::format(
      R"(igw demo is running (Ctrl-C stops it)
  gateway   {0}/v1, providers `openai` and `groq` served by a mock at http://127.0.0.1:{2}/v1
  tools     MCP tools get_weather and lookup_order from the mock's MCP server http://127.0.0.1:{2}/mcp,
            offered to models as mcp_get_weather and mcp_lookup_order
  metrics   {1}
  logs      JSON lines on stdout
  traffic   {3}

Try:
  curl {0}/v1/models
  curl {0}/v1/chat/completions -H 'content-type: application/json'     -d '{{"model":"openai/mock-gpt-4o","messages":[{{"role":"user","content":"hello"}}]}}'
  curl -N {0}/v1/chat/completions -H 'content-type: application/json'     -d '{{"model":"groq/mock-gpt-4o-mini","stream":true,"messages":[{{"role":"user","content":"stream this"}}]}}'
  curl {0}/v1/mcp/tools
  curl {0}/v1/chat/completions -H 'content-type: application/json' -H 'x-mock-tool: mcp_get_weather'     -H 'x-mock-tool-arguments: {{"city":"Paris"}}'     -d '{{"model":"openai/mock-gpt-4o","messages":[{{"role":"user","content":"weather in Paris?"}}]}}'
  curl -s {1} | grep '^llm_'
  igw demo | igw logs tail --level warn      (the logs, pretty; run the demo this way)
  igw metrics list                           (every metric, as the dashboards and alerts use them)
  igw gen grafana > dashboard.json           (the observability page's dashboard and queries)
)",
      api, metrics, mock_port,
      rate > 0
          ? fmt::format("{:g} synthetic requests/s, MCP and function tool calls among them (some fail on "
                        "purpose: 404, 429, 400, a failing tool)",
                        rate)
          : std::string("off"));
}

void run_demo(const DemoFlags& f) {
  // Blocked before any thread starts (the log sink's included), so every thread inherits the mask and
  // SIGINT/SIGTERM only reach sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  log::init(log::Level::info, log::Sink::stdout_async);

  auto mock = mock::Server::start(mock_options(f));
  if (!mock) {
    std::cerr << "igw demo: " << mock.error() << '\n';
    throw Exit{kExitFailure};
  }
  auto cfg = demo_config(f, (*mock)->port());
  std::promise<server::Endpoints> ready;
  auto ready_future = ready.get_future();
  std::stop_source stop;
  std::promise<std::expected<void, std::string>> finished;
  auto finished_future = finished.get_future();
  std::jthread gateway([&] {
    server::RunOptions opts{[&](const server::Endpoints& ep) { ready.set_value(ep); }, stop.get_token(),
                            false};
    finished.set_value(server::run_gateway(cfg, opts));
  });
  while (ready_future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (finished_future.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      auto result = finished_future.get();
      std::cerr << "igw demo: " << (result ? std::string("gateway stopped at start-up") : result.error())
                << '\n';
      throw Exit{kExitFailure};
    }
  }
  auto ep = ready_future.get();
  print_banner(ep, (*mock)->port(), f.rate);
  std::jthread traffic;
  if (f.rate > 0)
    traffic = std::jthread([&](std::stop_token st) { run_demo_traffic(ep.address, ep.port, f.rate, st); });

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "igw demo: stopping\n";
  traffic.request_stop();
  if (traffic.joinable()) traffic.join();
  stop.request_stop();
  gateway.join();
  (*mock)->stop();
  log::shutdown();
}

}  // namespace

void add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Run a self-contained demo: mock provider + gateway with metrics + synthetic traffic (no keys needed)");
  auto f = std::make_shared<DemoFlags>();
  f->port = default_port(Key::server_port);
  f->metrics_port = default_port(Key::telemetry_metrics_port);
  cmd->add_option("--host", f->host, "Address of the API and metrics listeners")->capture_default_str();
  cmd->add_option("--port", f->port, "API port (0 picks a free one)")->capture_default_str();
  cmd->add_option("--metrics-port", f->metrics_port, "Metrics port (0 picks a free one)")
      ->capture_default_str();
  cmd->add_option("--mock-port", f->mock_port, "Mock provider port (0 picks a free one)")
      ->capture_default_str();
  cmd->add_option("--rate", f->rate, "Synthetic requests per second (0: no traffic)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  cmd->callback([f] { run_demo(*f); });
}

}  // namespace igw::cli
