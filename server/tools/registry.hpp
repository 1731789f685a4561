// The gateway's MCP servers and A2A agents: connected in the background (a server that is down never
// stops start-up; it is retried, first every retry interval, then every polling interval), their tool
// lists refreshed every polling interval, and the result published as an immutable ToolCatalog that any
// worker reads. Calls run on the caller's event loop over a fresh connection.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/asio.hpp"
#include "server/tools/catalog.hpp"
#include "telemetry/recorder.hpp"

namespace igw::server::tools {

using Duration = std::chrono::steady_clock::duration;

struct RegistryOptions {
  std::vector<std::string> mcp_servers;  // MCP_SERVERS (when MCP_ENABLE)
  std::vector<std::string> a2a_agents;   // A2A_AGENTS (when A2A_ENABLE)
  std::vector<std::string> include_tools, exclude_tools;
  Duration client_timeout = std::chrono::seconds(5);   // initialize, tools/list, agent cards
  Duration dial_timeout = std::chrono::seconds(3);
  Duration request_timeout = std::chrono::seconds(5);  // tools/call
  Duration a2a_timeout = std::chrono::seconds(30);     // message/send
  Duration retry_interval = std::chrono::seconds(5);
  Duration polling_interval = std::chrono::seconds(30);
  int max_retries = 3;
  ssl::context* tls = nullptr;
  telemetry::Recorder* recorder = nullptr;  // the server-up gauge (may be null)
};

// The result of one tool call, ready to become a tool message.
struct ToolOutcome {
  bool ok = false;             // the call completed and the tool reported no error
  std::string text;            // what the model is told: the tool's output, or what went wrong
  std::string_view error_type; // telemetry::tool_error value when !ok
};

class ToolRegistry {
 public:
  explicit ToolRegistry(RegistryOptions options);
  ~ToolRegistry();
  ToolRegistry(const ToolRegistry&) = delete;
  ToolRegistry& operator=(const ToolRegistry&) = delete;

  // Starts one background coroutine per server on the loop it is awaited on and returns; they run for
  // the loop's lifetime.
  awaitable<void> start();
  // The current catalog (never null).
  std::shared_ptr<const ToolCatalog> catalog() const { return catalog_.load(); }
  // Runs a call of `tool` (from `catalog`) with `arguments` (the model's JSON text); `traceparent` goes
  // with the request when not empty.
  awaitable<ToolOutcome> call(const ToolCatalog& catalog, const Tool& tool, std::string_view arguments,
                              std::string_view traceparent) const;
  // Catalogs published so far (tests wait on it).
  std::uint64_t generation() const { return generation_.load(); }

 private:
  awaitable<void> keep_mcp(std::size_t index);
  awaitable<void> keep_a2a(std::size_t index);
  void mark_up(std::size_t index, std::vector<ListedTool> tools);
  void mark_down(std::size_t index, std::string error);
  void publish();
  Duration retry_delay(int failures) const;

  RegistryOptions options_;
  std::vector<Source> sources_;                   // touched by the background loop only
  std::vector<std::vector<ListedTool>> listed_;   // per source, what it offers
  std::atomic<std::shared_ptr<const ToolCatalog>> catalog_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace igw::server::tools
