// A client for MCP's Streamable HTTP transport: every message is a POST to the server's one endpoint with
// `Accept: application/json, text/event-stream`; the answer is JSON or an SSE stream. `initialize` opens a
// session (its Mcp-Session-Id goes on every later request, with MCP-Protocol-Version), followed by the
// `notifications/initialized` notification. Only what the gateway needs: tools/list (all pages) and
// tools/call. The caller's credentials are never part of these requests.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "server/asio.hpp"
#include "server/fetch.hpp"
#include "server/tools/catalog.hpp"

namespace igw::server::tools {

// The protocol revision igw asks for; the server may answer with another one it supports.
inline constexpr std::string_view kMcpProtocolVersion = "2025-06-18";

struct McpSession {
  std::string url;
  std::string session_id;        // empty: the server keeps no sessions
  std::string protocol_version;  // as the server answered initialize
  std::string server_name;       // serverInfo.name
};

// A failed MCP (or A2A) exchange: a telemetry::tool_error value and one line for logs and tool messages.
struct ToolFailure {
  std::string_view error_type;
  std::string message;
  unsigned http_status = 0;  // when the server answered with an HTTP error status
};

// Maps a transport failure to its error type (timeout, connect, protocol).
ToolFailure transport_failure(const FetchError& error);

// What a tools/call result says: the text for the model and whether the tool reported an error.
struct CallResult {
  std::string text;
  bool is_error = false;
};

// tools/list result -> tools and the next cursor (empty on the last page). Error: what was wrong.
struct ToolPage {
  std::vector<ListedTool> tools;
  std::string next_cursor;
};
std::expected<ToolPage, std::string> parse_tool_page(std::string_view result);
// tools/call result -> the text of its content (text parts joined by newlines; other parts named, embedded
// text resources included; structuredContent when there is no content). Error: what was wrong.
std::expected<CallResult, std::string> parse_call_result(std::string_view result);

awaitable<std::expected<McpSession, ToolFailure>> mcp_initialize(std::string_view url, ssl::context* tls,
                                                                 const FetchLimits& limits);
// Every page of the server's tools (at most kMaxToolPages pages).
inline constexpr int kMaxToolPages = 100;
awaitable<std::expected<std::vector<ListedTool>, ToolFailure>> mcp_list_tools(const McpSession& session,
                                                                              ssl::context* tls,
                                                                              const FetchLimits& limits);
// Calls a tool; `arguments` is a JSON object's text; `traceparent` is sent when not empty. A result with
// isError is a CallResult with is_error set, not a failure.
awaitable<std::expected<CallResult, ToolFailure>> mcp_call_tool(const McpSession& session, std::string_view name,
                                                                std::string_view arguments,
                                                                std::string_view traceparent, ssl::context* tls,
                                                                const FetchLimits& limits);

// The next JSON-RPC request id (process-wide, so ids never repeat within a session).
std::int64_t next_rpc_id();

// A JSON-RPC exchange over HTTP POST: the request sent with `headers`, the result of the response with
// the same id. Shared by the MCP and A2A clients.
awaitable<std::expected<std::string, ToolFailure>> rpc_call(std::string_view url, std::string_view method,
                                                            std::string_view params,
                                                            std::vector<std::pair<std::string, std::string>> headers,
                                                            ssl::context* tls, const FetchLimits& limits,
                                                            HttpAnswer* answer_out = nullptr);

}  // namespace igw::server::tools
