// A client for A2A agents, as far as offering one to a model as a tool needs: the agent card (name,
// description, skills, the JSON-RPC endpoint) read from `<base>/.well-known/agent-card.json`, and
// `message/send` with the model's text, whose reply (a message, or a task's status message and artifacts)
// becomes the tool's result.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "server/asio.hpp"
#include "server/fetch.hpp"
#include "server/tools/catalog.hpp"
#include "server/tools/mcp.hpp"

namespace igw::server::tools {

inline constexpr std::string_view kAgentCardPath = "/.well-known/agent-card.json";

struct AgentCard {
  std::string name;
  std::string description;  // the card's description, with its skills named
  std::string url;          // the JSON-RPC endpoint
};

// The card's URL for a configured agent: a URL ending in .json is the card itself, else the well-known path
// under it.
std::string agent_card_url(std::string_view base);
// Error: what the card lacks.
std::expected<AgentCard, std::string> parse_agent_card(std::string_view json_text);
// The tool an agent is offered as: one string argument, `message`.
ListedTool agent_tool(const AgentCard& card);
// The message/send params carrying `text` as a user message with a fresh messageId.
std::string send_params(std::string_view text);
// A message/send result -> the reply's text; a task that failed or was rejected is an error result.
std::expected<CallResult, std::string> parse_send_result(std::string_view result);
// The `message` argument of an agent tool call. Error: what was wrong with the arguments.
std::expected<std::string, std::string> agent_message(std::string_view arguments);

awaitable<std::expected<AgentCard, ToolFailure>> a2a_fetch_card(std::string_view base, ssl::context* tls,
                                                                const FetchLimits& limits);
awaitable<std::expected<CallResult, ToolFailure>> a2a_send(std::string_view endpoint, std::string_view text,
                                                           std::string_view traceparent, ssl::context* tls,
                                                           const FetchLimits& limits);

}  // namespace igw::server::tools
