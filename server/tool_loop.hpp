// Chat completions with the gateway's own tools (MCP servers, A2A agents): their tools are added to the
// request's, and when the model calls them igw runs the calls, appends the assistant message and one tool
// message per call, and calls the model again, up to MCP_MAX_ITERATIONS model calls. A round whose calls
// include one of the client's own functions (or that calls no tool) is the last: its answer goes to the
// client as it is. Streams relay every round's content as it comes and end with one [DONE]; the tool-call
// deltas, finish events and usage of rounds the gateway handles itself are held back.
#pragma once

#include <memory>

#include "server/exchange.hpp"
#include "server/upstream_request.hpp"

namespace igw::server {

namespace tools {
struct ToolCatalog;
}

// `req` is the request as it would go upstream (body rewritten, headers set); `stream` whether the client
// asked for a stream. Writes the one response.
awaitable<void> run_tool_loop(Exchange& ex, const ProviderRuntime& provider, UpstreamRequest& req, bool stream,
                              std::shared_ptr<const tools::ToolCatalog> catalog);

// The X-MCP-Bypass header: a request carrying it with any value but "false" or "0" gets no tools added.
inline constexpr std::string_view kMcpBypassHeader = "X-MCP-Bypass";
bool bypasses_tools(std::string_view header_value);

}  // namespace igw::server
