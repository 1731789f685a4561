#include "mock/router.hpp"

#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "mock/anthropic.hpp"
#include "mock/chat.hpp"
#include "mock/mcp.hpp"
#include "mock/openai.hpp"
#include "mock/responses.hpp"

namespace igw::mock {
namespace {

std::optional<int> to_int(const std::string* text) {
  if (!text) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || ptr != text->data() + text->size()) return std::nullopt;
  return value;
}

Reply json_reply(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Reply error_reply(int status, std::string_view message, bool anthropic) {
  return json_reply(status,
                    anthropic ? anthropic_error_json(status, message) : openai_error_json(status, message));
}

// The agent script of one request: the configured rounds, and what the x-mock-tool* headers ask for.
ToolScript tool_script(const Request& request, const Options& options) {
  ToolScript script;
  script.rounds = options.tool_rounds;
  if (auto v = to_int(request.header(header::tool_rounds)); v && *v >= 0) script.rounds = *v;
  if (const auto* v = request.header(header::tool)) script.tool = *v;
  if (const auto* v = request.header(header::tool_arguments)) script.arguments = *v;
  return script;
}

// OpenAI's answer to a wrong key, which the SDKs raise as AuthenticationError.
constexpr std::string_view kInvalidApiKey =
    R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}})";

// The key in OpenAI's style (Authorization: Bearer) or Anthropic's (x-api-key).
bool key_accepted(const Request& request, const std::string& key) {
  if (key.empty()) return true;
  if (const auto* v = request.header("authorization"); v && *v == "Bearer " + key) return true;
  const auto* v = request.header("x-api-key");
  return v && *v == key;
}

std::int64_t unix_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

const std::string* Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return &v;
  return nullptr;
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

Reply Router::handle(const Request& request, std::mt19937_64& rng) {
  std::string_view path = request.path();
  if (path.starts_with("/mock/")) return mock_admin(request);
  state_.request_served();
  if (path == "/health") return json_reply(200, R"({"message":"OK"})");
  state_.record({static_cast<std::int64_t>(unix_ms_now()), request.method, request.target, request.headers,
                 request.body, request.body.size()});
  if (path == kMcpPath) return mcp_reply(request, state_);
  if (!key_accepted(request, options_.api_key)) return json_reply(401, std::string{kInvalidApiKey});
  bool post = request.method == "POST";
  if (path.ends_with("/chat/completions") && post) return chat(request, rng, Dialect::openai);
  if (path.ends_with("/messages") && post) return chat(request, rng, Dialect::anthropic);
  if (path.ends_with("/responses") && post) return chat(request, rng, Dialect::responses);
  if (path.ends_with("/models") && request.method == "GET") return json_reply(200, openai_models_json());
  if (path.ends_with("/chat/completions") || path.ends_with("/messages") || path.ends_with("/responses") ||
      path.ends_with("/models"))
    return error_reply(405, fmt::format("method {} is not allowed on {}", request.method, path), false);
  return error_reply(404, fmt::format("unknown route {} {}", request.method, path), false);
}

Reply Router::mock_admin(const Request& request) {
  std::string_view path = request.path();
  if (path == "/mock/requests" && request.method == "GET") return json_reply(200, state_.requests_json());
  if (path == "/mock/requests" && request.method == "DELETE") {
    state_.clear_requests();
    return json_reply(200, R"({"cleared":true})");
  }
  if (path == "/mock/stats" && request.method == "GET") return json_reply(200, state_.stats_json());
  return error_reply(404,
                     fmt::format("unknown route {} {} (mock admin routes: GET|DELETE /mock/requests, "
                                 "GET /mock/stats)",
                                 request.method, path),
                     false);
}

void Router::apply_overrides(const Request& request, Reply& reply, int& tokens) const {
  reply.latency = options_.latency;
  reply.ttft = options_.ttft;
  reply.token_delay = options_.token_delay;
  reply.fail_after_chunks = options_.fail_after_chunks;
  if (auto v = to_int(request.header(header::tokens)); v && *v >= 0) tokens = *v;
  if (auto v = to_int(request.header(header::fail_after_chunks))) reply.fail_after_chunks = *v;
  if (auto v = to_int(request.header(header::token_delay_ms)); v && *v >= 0) reply.token_delay = Millis(*v);
  if (auto v = to_int(request.header(header::ttft_ms)); v && *v >= 0) reply.ttft = Millis(*v);
  if (auto v = to_int(request.header(header::latency_ms)); v && *v >= 0) reply.latency = Millis(*v);
}

Reply Router::chat(const Request& request, std::mt19937_64& rng, Dialect dialect) {
  const bool anthropic = dialect == Dialect::anthropic;
  Reply reply;
  int tokens = options_.tokens;
  apply_overrides(request, reply, tokens);
  auto forced = to_int(request.header(header::status));
  bool inject = forced ? *forced >= 400
                       : options_.error_rate > 0 &&
                             std::uniform_real_distribution<double>(0, 1)(rng) < options_.error_rate;
  int status = forced && *forced >= 400 && *forced <= 599 ? *forced : options_.error_status;
  auto finish = [&](Reply r) {
    r.latency = reply.latency;
    return r;
  };
  if (inject) {
    state_.error_injected();
    return finish(error_reply(status, fmt::format("mock: injected error with status {}", status), anthropic));
  }
  auto parsed = parse_chat(request.body, dialect, tool_script(request, options_));
  if (!parsed) return finish(error_reply(400, parsed.error(), anthropic));
  const ChatRequest& req = *parsed;
  if (!known_model(req.model))
    return finish(error_reply(
        404, fmt::format("The model `{}` does not exist or you do not have access to it.", req.model),
        anthropic));
  Answer answer = make_answer(req, tokens, counter_++, unix_seconds());
  if (!req.stream) {
    switch (dialect) {
      case Dialect::openai:
        reply.body = openai_completion_json(req, answer);
        break;
      case Dialect::anthropic:
        reply.body = anthropic_message_json(req, answer);
        break;
      case Dialect::responses:
        reply.body = responses_json(req, answer);
        break;
    }
    // A non-streamed answer takes as long as generating it would.
    reply.latency += reply.ttft + reply.token_delay * std::max<std::int64_t>(answer.completion_tokens - 1, 0);
    return reply;
  }
  reply.stream = true;
  reply.content_type = "text/event-stream";
  switch (dialect) {
    case Dialect::openai:
      reply.events = openai_stream_events(req, answer);
      break;
    case Dialect::anthropic:
      reply.events = anthropic_stream_events(req, answer);
      break;
    case Dialect::responses:
      reply.events = responses_stream_events(req, answer);
      break;
  }
  return reply;
}

}  // namespace igw::mock
