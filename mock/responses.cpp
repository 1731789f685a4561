#include "mock/responses.hpp"

#include <fmt/format.h>

#include "telemetry/log.hpp"

namespace igw::mock {
namespace {

using telemetry::log::json_quoted;

std::string response_id(const Answer& a) {
  return "resp_" + a.id;
}
std::string message_id(const Answer& a) {
  return "msg_" + a.id;
}

std::string text_part(std::string_view text) {
  return fmt::format(R"({{"type":"output_text","annotations":[],"logprobs":[],"text":{}}})",
                     json_quoted(text));
}

std::string message_item(const Answer& a, std::string_view status, std::string_view content) {
  return fmt::format(R"({{"id":"{}","type":"message","status":"{}","role":"assistant","content":[{}]}})",
                     message_id(a), status, content);
}

std::string usage_json(const ChatRequest& req, const Answer& a) {
  return fmt::format(R"({{"input_tokens":{},"input_tokens_details":{{"cached_tokens":0}},"output_tokens":{},)"
                     R"("output_tokens_details":{{"reasoning_tokens":0}},"total_tokens":{}}})",
                     req.prompt_tokens, a.completion_tokens, req.prompt_tokens + a.completion_tokens);
}

// The response object; `output` and `usage` are JSON text, `status` in_progress, completed or incomplete.
std::string response_object(const ChatRequest& req, const Answer& a, std::string_view status,
                            std::string_view output, std::string_view usage) {
  std::string incomplete = status == "incomplete" ? R"({"reason":"max_output_tokens"})" : std::string{"null"};
  std::string max_output = req.max_tokens ? std::to_string(*req.max_tokens) : std::string{"null"};
  return fmt::format(
      R"({{"id":"{}","object":"response","created_at":{},"status":"{}","error":null,"incomplete_details":{},)"
      R"("instructions":null,"max_output_tokens":{},"model":{},"output":[{}],"parallel_tool_calls":true,)"
      R"("previous_response_id":null,"reasoning":{{"effort":null,"summary":null}},"store":false,)"
      R"("temperature":1.0,"text":{{"format":{{"type":"text"}}}},"tool_choice":"auto","tools":[],"top_p":1.0,)"
      R"("truncation":"disabled","usage":{},"user":null,"metadata":{{}}}})",
      response_id(a), a.created, status, incomplete, max_output, json_quoted(req.model), output, usage);
}

std::string final_status(const Answer& a) {
  return a.truncated ? "incomplete" : "completed";
}

}  // namespace

std::string responses_json(const ChatRequest& req, const Answer& a) {
  std::string text = join_tokens(a.tokens);
  return response_object(req, a, final_status(a), message_item(a, final_status(a), text_part(text)),
                         usage_json(req, a));
}

std::vector<std::string> responses_stream_events(const ChatRequest& req, const Answer& a) {
  std::vector<std::string> events;
  events.reserve(a.tokens.size() + 8);
  int sequence = 0;
  // `fields` are the members after type and sequence_number.
  auto add = [&](std::string_view type, std::string_view fields) {
    events.push_back(fmt::format("event: {}\ndata: {{\"type\":\"{}\",\"sequence_number\":{},{}}}\n\n", type,
                                 type, sequence++, fields));
  };
  const std::string in_progress = response_object(req, a, "in_progress", "", "null");
  add("response.created", "\"response\":" + in_progress);
  add("response.in_progress", "\"response\":" + in_progress);
  add("response.output_item.added",
      fmt::format(R"("output_index":0,"item":{})", message_item(a, "in_progress", "")));
  std::string at = fmt::format(R"("item_id":"{}","output_index":0,"content_index":0)", message_id(a));
  add("response.content_part.added", fmt::format(R"({},"part":{})", at, text_part("")));
  for (const auto& t : a.tokens)
    add("response.output_text.delta", fmt::format(R"({},"delta":{},"logprobs":[])", at, json_quoted(t)));
  std::string text = join_tokens(a.tokens);
  add("response.output_text.done", fmt::format(R"({},"text":{},"logprobs":[])", at, json_quoted(text)));
  add("response.content_part.done", fmt::format(R"({},"part":{})", at, text_part(text)));
  std::string item = message_item(a, final_status(a), text_part(text));
  add("response.output_item.done", fmt::format(R"("output_index":0,"item":{})", item));
  add("response." + final_status(a),
      "\"response\":" + response_object(req, a, final_status(a), item, usage_json(req, a)));
  return events;
}

}  // namespace igw::mock
