// igw mock: an OpenAI-compatible mock provider (OpenAI chat completions, responses and models, Anthropic
// messages) with deterministic answers and fault injection, and a small MCP server at /mcp, for trying igw
// without provider keys, tests and benchmarks.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "config/parse.hpp"
#include "mock/server.hpp"
#include "telemetry/log.hpp"

namespace igw::cli {
namespace {

namespace log = telemetry::log;
constexpr std::string_view kPortField = "port";

struct MockFlags {
  mock::Options options;
  std::string token_delay = "0", ttft = "0", latency = "0", keepalive_timeout = "0";
};

mock::Millis duration_or_exit(const std::string& flag, const std::string& text) {
  auto d = config::parse_duration(text);
  if (!d) {
    std::cerr << "igw mock: " << flag << " " << text << ": expected " << d.error() << '\n';
    throw Exit{kExitUsage};
  }
  return std::chrono::duration_cast<mock::Millis>(*d);
}

void add_flags(CLI::App& cmd, MockFlags& f) {
  auto& o = f.options;
  cmd.add_option("--host", o.host, "Address to listen on")->capture_default_str();
  cmd.add_option("--port", o.port, "Port to listen on (0 picks a free one; the real port is logged)")
      ->capture_default_str();
  cmd.add_option("--workers", o.workers, "Event loops (threads)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd.add_option("--tokens", o.tokens, "Completion tokens per answer")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd.add_option("--tool-rounds", o.tool_rounds,
                 "Tool calls an agent loop gets (after the last user message) before a text answer")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd.add_option("--token-delay", f.token_delay, "Delay between streamed tokens (e.g. 20ms)")
      ->capture_default_str();
  cmd.add_option("--ttft", f.ttft, "Delay before the first token (e.g. 100ms)")->capture_default_str();
  cmd.add_option("--latency", f.latency, "Delay before the response headers (e.g. 50ms)")
      ->capture_default_str();
  cmd.add_option("--error-rate", o.error_rate, "Share of chat requests answered with --error-status")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd.add_option("--error-status", o.error_status, "HTTP status of injected errors")
      ->capture_default_str()
      ->check(CLI::Range(400, 599));
  cmd.add_option("--fail-after-chunks", o.fail_after_chunks,
                 "Drop the connection after this many stream events (-1: never)")
      ->capture_default_str();
  cmd.add_option("--keepalive-timeout", f.keepalive_timeout,
                 "Close a kept-alive connection idle this long (e.g. 200ms; 0: never)")
      ->capture_default_str();
  cmd.add_option("--tls-cert", o.tls_cert, "PEM certificate chain: serve HTTPS")->check(CLI::ExistingFile);
  cmd.add_option("--tls-key", o.tls_key, "PEM private key for --tls-cert")->check(CLI::ExistingFile);
  cmd.add_option("--record", o.record, "Requests kept for GET /mock/requests (0: none, for benchmarks)")
      ->capture_default_str();
  cmd.add_option("--seed", o.seed, "Seed of the error-rate dice")->capture_default_str();
  cmd.add_option("--api-key", o.api_key,
                 "Require this key (Authorization: Bearer KEY or x-api-key: KEY) on the provider routes; "
                 "others get 401 invalid_api_key (default: any key)");
}

// Blocks SIGINT/SIGTERM in every thread (the workers inherit the mask) and waits for one here.
int wait_for_signal(const sigset_t& signals) {
  int sig = 0;
  sigwait(&signals, &sig);
  return sig;
}

void run_mock(MockFlags& f) {
  f.options.token_delay = duration_or_exit("--token-delay", f.token_delay);
  f.options.ttft = duration_or_exit("--ttft", f.ttft);
  f.options.latency = duration_or_exit("--latency", f.latency);
  f.options.keepalive_timeout = duration_or_exit("--keepalive-timeout", f.keepalive_timeout);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: all inherit it
  log::init(log::Level::info, log::Sink::stdout_sync);
  auto server = mock::Server::start(f.options);
  if (!server) {
    log::error(log::logger::mock, server.error());
    std::cerr << "igw " << server.error() << '\n';
    throw Exit{kExitFailure};
  }
  auto& s = **server;
  log::info(log::logger::mock, "mock provider listening",
            {{log::field::address, s.host()},
             {kPortField, static_cast<unsigned>(s.port())},
             {log::field::url, std::string(s.tls() ? "https://" : "http://") + s.host() + ":" +
                                   std::to_string(s.port()) + "/v1"}});
  int sig = wait_for_signal(signals);
  s.stop();
  log::info(log::logger::mock, "mock provider stopped", {{"signal", sig}});
  log::shutdown();
}

}  // namespace

void add_mock(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("mock", "Run an OpenAI-compatible mock provider (deterministic answers, faults)");
  cmd->footer(
      "Routes: GET /v1/models, POST /v1/chat/completions, POST /v1/responses, POST /v1/messages "
      "(Anthropic), POST /mcp,\n"
      "GET /mock/requests, "
      "DELETE /mock/requests, GET /mock/stats. Per-request overrides: headers x-mock-status, x-mock-tokens,\n"
      "x-mock-fail-after-chunks, x-mock-token-delay-ms, x-mock-ttft-ms, x-mock-latency-ms,\n"
      "x-mock-tool (a tool to call), x-mock-tool-arguments (its JSON arguments), x-mock-tool-rounds.\n"
      "Tools are called when offered and the last user message says \"call <tool>\" or \"use the tool\";\n"
      "after --tool-rounds rounds the answer quotes the tool results.\n"
      "MCP server: POST /mcp (Streamable HTTP, JSON answers; DELETE ends a session, GET is 405), tools\n"
      "get_weather {city} and lookup_order {order_id, fail} (fail=true: an isError result), e.g.\n"
      "MCP_ENABLE=true MCP_SERVERS=http://127.0.0.1:<port>/mcp igw serve.");
  auto flags = std::make_shared<MockFlags>();
  add_flags(*cmd, *flags);
  cmd->callback([flags] { run_mock(*flags); });
}

}  // namespace igw::cli
