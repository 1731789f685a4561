#include "mock/openai.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "telemetry/log.hpp"

namespace igw::mock {
namespace {

using telemetry::log::json_quoted;

constexpr std::array<std::string_view, 3> kModels{"mock-gpt-4o", "mock-gpt-4o-mini", "mock-claude-sonnet"};
constexpr std::int64_t kModelsCreated = 1700000000;
constexpr std::string_view kOwner = "igw-mock";
constexpr std::string_view kFingerprint = "fp_igw_mock";

std::string usage_json(const ChatRequest& req, const Answer& a) {
  auto completion = a.completion_tokens;
  return fmt::format(R"({{"prompt_tokens":{},"completion_tokens":{},"total_tokens":{}}})", req.prompt_tokens,
                     completion, req.prompt_tokens + completion);
}

std::string tool_calls_json(const ToolCall& call) {
  return fmt::format(R"([{{"id":{},"type":"function","function":{{"name":{},"arguments":{}}}}}])",
                     json_quoted(call.id), json_quoted(call.name), json_quoted(call.arguments));
}

std::string finish_reason(const ChatRequest& req, const Answer& a) {
  if (req.tool_call) return "tool_calls";
  return a.truncated ? "length" : "stop";
}

// One chat.completion.chunk: `choice_delta` is the delta object, `finish` a JSON value.
std::string chunk(const ChatRequest& req, const Answer& a, std::string_view delta, std::string_view finish) {
  return fmt::format(
      "data: {{\"id\":{},\"object\":\"chat.completion.chunk\",\"created\":{},\"model\":{},"
      "\"system_fingerprint\":\"{}\",\"choices\":[{{\"index\":0,\"delta\":{},\"logprobs\":null,"
      "\"finish_reason\":{}}}]{}}}\n\n",
      json_quoted(a.id), a.created, json_quoted(req.model), kFingerprint, delta, finish,
      req.include_usage ? ",\"usage\":null" : "");
}

// Tool-call deltas as OpenAI streams them: id, type and name first, then the arguments in pieces.
void tool_call_events(const ChatRequest& req, const Answer& a, std::vector<std::string>& events) {
  const auto& call = *req.tool_call;
  events.push_back(
      chunk(req, a,
            fmt::format(R"({{"role":"assistant","content":null,"tool_calls":[{{"index":0,"id":{},)"
                        R"("type":"function","function":{{"name":{},"arguments":""}}}}]}})",
                        json_quoted(call.id), json_quoted(call.name)),
            "null"));
  constexpr std::size_t kPiece = 8;
  for (std::size_t i = 0; i < call.arguments.size(); i += kPiece) {
    auto piece = std::string_view(call.arguments).substr(i, kPiece);
    events.push_back(
        chunk(req, a,
              fmt::format(R"({{"tool_calls":[{{"index":0,"function":{{"arguments":{}}}}}]}})", json_quoted(piece)),
              "null"));
  }
}

}  // namespace

std::span<const std::string_view> model_ids() {
  return kModels;
}

bool known_model(std::string_view id) {
  return std::ranges::find(kModels, id) != kModels.end();
}

Answer make_answer(const ChatRequest& req, int tokens, std::uint64_t counter, std::int64_t created) {
  // Prompt words cycle up to the configured count; quoted tool results are said once, in full.
  std::vector<std::string> words = answer_words(req);
  int count = req.tool_results.empty() ? tokens : static_cast<int>(words.size());
  bool truncated = false;
  if (req.max_tokens && *req.max_tokens < count) {
    count = static_cast<int>(std::max<std::int64_t>(*req.max_tokens, 0));
    truncated = true;
  }
  Answer a{mock_id(req.last_user_text, counter), created, {}, truncated, 0};
  if (req.tool_call) {
    a.completion_tokens = 1 + static_cast<std::int64_t>(req.tool_call->arguments.size() / 4);
  } else {
    a.tokens = answer_tokens(words, count);
    a.completion_tokens = static_cast<std::int64_t>(a.tokens.size());
  }
  return a;
}

std::string openai_models_json() {
  std::string out = R"({"object":"list","data":[)";
  for (std::size_t i = 0; i < kModels.size(); ++i) {
    if (i) out += ',';
    out += fmt::format(R"({{"id":"{}","object":"model","created":{},"owned_by":"{}"}})", kModels[i],
                       kModelsCreated, kOwner);
  }
  return out + "]}";
}

std::string openai_completion_json(const ChatRequest& req, const Answer& a) {
  std::string message = req.tool_call ? fmt::format(R"({{"role":"assistant","content":null,"tool_calls":{},)"
                                                    R"("refusal":null}})",
                                                    tool_calls_json(*req.tool_call))
                                      : fmt::format(R"({{"role":"assistant","content":{},"refusal":null}})",
                                                    json_quoted(join_tokens(a.tokens)));
  return fmt::format(
      "{{\"id\":\"chatcmpl-{}\",\"object\":\"chat.completion\",\"created\":{},\"model\":{},"
      "\"choices\":[{{\"index\":0,\"message\":{},\"logprobs\":null,\"finish_reason\":\"{}\"}}],"
      "\"usage\":{},\"system_fingerprint\":\"{}\"}}",
      a.id, a.created, json_quoted(req.model), message, finish_reason(req, a), usage_json(req, a), kFingerprint);
}

std::vector<std::string> openai_stream_events(const ChatRequest& req, const Answer& answer) {
  Answer a = answer;
  a.id = "chatcmpl-" + answer.id;
  std::vector<std::string> events;
  events.reserve(a.tokens.size() + 4);
  if (req.tool_call) {
    tool_call_events(req, a, events);
  } else {
    events.push_back(chunk(req, a, R"({"role":"assistant","content":"","refusal":null})", "null"));
    for (const auto& t : a.tokens)
      events.push_back(chunk(req, a, fmt::format(R"({{"content":{}}})", json_quoted(t)), "null"));
  }
  events.push_back(chunk(req, a, "{}", json_quoted(finish_reason(req, a))));
  if (req.include_usage) {
    events.push_back(
        fmt::format("data: {{\"id\":{},\"object\":\"chat.completion.chunk\",\"created\":{},\"model\":{},"
                    "\"system_fingerprint\":\"{}\",\"choices\":[],\"usage\":{}}}\n\n",
                    json_quoted(a.id), a.created, json_quoted(req.model), kFingerprint, usage_json(req, a)));
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::string openai_error_json(int status, std::string_view message) {
  std::string_view type = status == 429   ? "rate_limit_exceeded"
                          : status >= 500 ? "server_error"
                                          : "invalid_request_error";
  std::string code = status == 429   ? "\"rate_limit_exceeded\""
                     : status == 404 ? "\"model_not_found\""
                                     : "null";
  return fmt::format(R"({{"error":{{"message":{},"type":"{}","param":null,"code":{}}}}})", json_quoted(message),
                     type, code);
}

}  // namespace igw::mock
