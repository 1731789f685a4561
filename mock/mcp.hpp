// The mock's MCP server at /mcp: the server side of MCP's Streamable HTTP transport in JSON response mode
// (each POST is answered with one JSON body, never an SSE stream), with two demo tools, get_weather and
// lookup_order. Sessions live in State, so every worker thread sees them.
#pragma once

#include <array>
#include <string_view>

#include "mock/router.hpp"
#include "mock/state.hpp"

namespace igw::mock {

inline constexpr std::string_view kMcpPath = "/mcp";

// The protocol versions spoken, newest first: initialize answers with the client's if listed, else the first.
inline constexpr std::array<std::string_view, 3> kMcpProtocolVersions{"2025-06-18", "2025-03-26",
                                                                      "2024-11-05"};

// JSON-RPC error codes of the answers (the -320xx ones as the MCP SDK servers use them).
namespace mcp_error {
inline constexpr int parse_error = -32700;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;
inline constexpr int bad_request = -32000;  // transport-level: session header, Accept, protocol version
inline constexpr int session_not_found = -32001;
}  // namespace mcp_error

// Answers one HTTP request to /mcp. POST carries JSON-RPC: initialize opens a session (its id in the
// Mcp-Session-Id reply header), anything else needs that header; notifications and responses alone get 202.
// DELETE ends a session; other methods get 405 (no SSE stream is offered).
Reply mcp_reply(const Request& request, State& state);

}  // namespace igw::mock
