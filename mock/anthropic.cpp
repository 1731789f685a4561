#include "mock/anthropic.hpp"

#include <fmt/format.h>

#include "telemetry/log.hpp"

namespace igw::mock {
namespace {

using telemetry::log::json_quoted;

std::string stop_reason(const ChatRequest& req, const Answer& a) {
  if (req.tool_call) return "tool_use";
  return a.truncated ? "max_tokens" : "end_turn";
}

std::string content_json(const ChatRequest& req, const Answer& a) {
  if (req.tool_call)
    return fmt::format(R"([{{"type":"tool_use","id":{},"name":{},"input":{}}}])", json_quoted(req.tool_call->id),
                       json_quoted(req.tool_call->name), req.tool_call->arguments);
  return fmt::format(R"([{{"type":"text","text":{}}}])", json_quoted(join_tokens(a.tokens)));
}

std::string event(std::string_view type, std::string_view data) {
  return fmt::format("event: {}\ndata: {}\n\n", type, data);
}

}  // namespace

std::string anthropic_message_json(const ChatRequest& req, const Answer& a) {
  return fmt::format(
      R"({{"id":"msg_{}","type":"message","role":"assistant","model":{},"content":{},"stop_reason":"{}",)"
      R"("stop_sequence":null,"usage":{{"input_tokens":{},"output_tokens":{}}}}})",
      a.id, json_quoted(req.model), content_json(req, a), stop_reason(req, a), req.prompt_tokens,
      a.completion_tokens);
}

std::vector<std::string> anthropic_stream_events(const ChatRequest& req, const Answer& a) {
  std::vector<std::string> events;
  events.push_back(event(
      "message_start",
      fmt::format(R"({{"type":"message_start","message":{{"id":"msg_{}","type":"message","role":"assistant",)"
                  R"("model":{},"content":[],"stop_reason":null,"stop_sequence":null,)"
                  R"("usage":{{"input_tokens":{},"output_tokens":1}}}}}})",
                  a.id, json_quoted(req.model), req.prompt_tokens)));
  if (req.tool_call) {
    events.push_back(event("content_block_start",
                           fmt::format(R"({{"type":"content_block_start","index":0,"content_block":)"
                                       R"({{"type":"tool_use","id":{},"name":{},"input":{{}}}}}})",
                                       json_quoted(req.tool_call->id), json_quoted(req.tool_call->name))));
    events.push_back(event("ping", R"({"type":"ping"})"));
    events.push_back(
        event("content_block_delta", fmt::format(R"({{"type":"content_block_delta","index":0,"delta":)"
                                                 R"({{"type":"input_json_delta","partial_json":{}}}}})",
                                                 json_quoted(req.tool_call->arguments))));
  } else {
    events.push_back(
        event("content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"));
    events.push_back(event("ping", R"({"type":"ping"})"));
    for (const auto& t : a.tokens)
      events.push_back(
          event("content_block_delta", fmt::format(R"({{"type":"content_block_delta","index":0,)"
                                                   R"("delta":{{"type":"text_delta","text":{}}}}})",
                                                   json_quoted(t))));
  }
  events.push_back(event("content_block_stop", R"({"type":"content_block_stop","index":0})"));
  events.push_back(
      event("message_delta", fmt::format(R"({{"type":"message_delta","delta":{{"stop_reason":"{}",)"
                                         R"("stop_sequence":null}},"usage":{{"output_tokens":{}}}}})",
                                         stop_reason(req, a), a.completion_tokens)));
  events.push_back(event("message_stop", R"({"type":"message_stop"})"));
  return events;
}

std::string anthropic_error_json(int status, std::string_view message) {
  std::string_view type = status == 429   ? "rate_limit_error"
                          : status == 404 ? "not_found_error"
                          : status == 529 ? "overloaded_error"
                          : status >= 500 ? "api_error"
                          : status == 401 ? "authentication_error"
                                          : "invalid_request_error";
  return fmt::format(R"({{"type":"error","error":{{"type":"{}","message":{}}}}})", type, json_quoted(message));
}

}  // namespace igw::mock
