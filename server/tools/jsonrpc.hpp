// JSON-RPC 2.0 as MCP's Streamable HTTP transport and A2A carry it: requests and notifications out, and
// the response to one request picked out of an answer that is either a JSON body (one message or a batch)
// or an SSE stream of messages (notifications and other requests may come first).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace igw::server::tools {

// {"jsonrpc":"2.0","id":id,"method":method,"params":params}; params is JSON text (omitted when empty).
std::string rpc_request(std::int64_t id, std::string_view method, std::string_view params);
// {"jsonrpc":"2.0","method":method} (+ params when not empty).
std::string rpc_notification(std::string_view method, std::string_view params = {});

struct RpcProblem {
  bool is_rpc_error = false;  // the server answered with a JSON-RPC error (else: not a valid answer)
  std::int64_t code = 0;
  std::string message;
};

// The `result` (JSON text) of the response with `id` in an answer of `content_type`.
std::expected<std::string, RpcProblem> rpc_result(std::string_view content_type, std::string_view body, std::int64_t id);

// JSON-RPC error codes used to classify failures.
inline constexpr std::int64_t kMethodNotFound = -32601;
inline constexpr std::int64_t kInvalidParams = -32602;

}  // namespace igw::server::tools
