// The passthrough routes: /proxy/{provider}/{path...} (any method, raw), /v1/messages (providers that
// serve the Anthropic Messages API) and /v1/responses (providers that serve the OpenAI Responses API).
// The body goes upstream as is (bar the model prefix), the response comes back as the upstream sent it, its
// usage counted when it is an answer of a known shape.
#include <simdjson.h>

#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/target.hpp"
#include "server/json_fields.hpp"
#include "server/padded_json.hpp"
#include "server/relay.hpp"

namespace igw::server {
namespace {

// A cheap look for "stream": true, deciding the timeouts (idle between events instead of a total).
bool asks_stream(const Request& req) {
  if (req[FieldId::accept].find("text/event-stream") != std::string_view::npos) return true;
  std::string_view body = req.body();
  for (auto at = body.find("\"stream\""); at != std::string_view::npos;
       at = body.find("\"stream\"", at + 1)) {
    auto rest = body.substr(at + 8);
    auto colon = rest.find_first_not_of(" \t\r\n");
    if (colon == std::string_view::npos || rest[colon] != ':') continue;
    auto value = rest.find_first_not_of(" \t\r\n", colon + 1);
    if (value != std::string_view::npos && rest.substr(value).starts_with("true")) return true;
  }
  return false;
}

// The top-level "model" of a JSON object body (the model label of a /proxy call); empty for any other body.
std::string request_model(std::string_view body) {
  auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || body[first] != '{' ||
      body.find("\"model\"") == std::string_view::npos)
    return {};
  thread_local simdjson::ondemand::parser parser;
  thread_local std::string scratch;
  simdjson::ondemand::document doc;
  std::string_view model;
  if (parser.iterate(padded_copy(body, scratch)).get(doc) != simdjson::SUCCESS ||
      doc["model"].get_string().get(model) != simdjson::SUCCESS)
    return {};
  return std::string{model};
}

awaitable<void> forward(Exchange& ex, const ProviderRuntime& p, std::string_view method, std::string target,
                        std::string body, AnswerShape shape) {
  UpstreamRequest req{method, std::move(target)};
  copy_caller_headers(ex.req, req);
  req.set("X-Request-Id", ex.ctx.request_id);
  req.body() = std::move(body);
  UpstreamCall call{ex.worker.pool, ex.state(), p, asks_stream(ex.req)};
  if (!co_await send_upstream(ex, call, req)) co_return;
  co_await relay_verbatim(ex, call, shape);
}

using Serves = bool config::ProviderDef::*;

// The provider of a /v1/messages or /v1/responses call: ?provider=, the model prefix, else the one
// provider that serves the API. Writes the error and returns null when there is none.
struct ApiTarget {
  const ProviderRuntime* provider = nullptr;
  std::string body;
};

awaitable<ApiTarget> api_target(Exchange& ex, Serves serves, bool anthropic_errors) {
  auto fail = [&](unsigned status, std::string_view code, std::string_view message) {
    return anthropic_errors ? write_json(ex, status, errors::anthropic_body(message))
                            : write_error(ex, status, code, message);
  };
  auto fields = extract_chat_fields(ex.req.body());
  if (!fields) {
    co_await fail(400, errors::code::invalid_json, errors::decode_failed());
    co_return ApiTarget{};
  }
  std::string param = query_param(ex.query, "provider");
  auto target = resolve_chat_target(fields->model, param);
  std::string_view id;
  if (target) {
    id = config::providers()[target->provider].id;
  } else if (!param.empty() || target.error() == RouteError::provider_not_found) {
    id = param.empty() ? std::string_view{fields->model}.substr(0, fields->model.find('/'))
                       : std::string_view{param};
    co_await fail(400, errors::code::provider_not_found, errors::provider_not_found(id));
    co_return ApiTarget{};
  } else {
    for (const auto& def : config::providers())
      if (def.*serves) id = def.id;
  }
  const ProviderRuntime* p = co_await enabled_provider(ex, id, anthropic_errors);
  if (!p) co_return ApiTarget{};
  if (!(p->def->*serves)) {
    std::string message;  // (no ?: with class temporaries in coroutines: GCC 12 destroys them twice)
    if (anthropic_errors)
      message = errors::messages_provider_only(id);
    else
      message = errors::responses_provider_only(id);
    co_await fail(400, errors::code::api_not_served, message);
    co_return ApiTarget{};
  }
  std::string_view model = target ? target->upstream_model : std::string_view{fields->model};
  ex.ctx.model = std::string{model};
  if (!ex.state().policy.allows(p->def->id, model)) {
    co_await fail(403, errors::code::model_not_allowed, errors::model_not_allowed(fields->model));
    co_return ApiTarget{};
  }
  bool strip = target && target->prefix_stripped;
  ApiTarget out{p, {}};
  if (strip)
    out.body = rewrite_chat_body(ex.req.body(), *fields, true, model, StreamOptionsEdit::keep);
  else
    out.body = ex.req.body();
  co_return out;
}

}  // namespace

awaitable<void> handle_proxy(Exchange& ex) {
  auto parts = split_proxy_path(ex.path);
  if (!parts) {
    co_await handle_not_found(ex);
    co_return;
  }
  const ProviderRuntime* p = co_await enabled_provider(ex, parts->provider);
  if (!p) co_return;
  // Never outside the provider's base path: the credential attached is for that API only.
  auto path = confine_proxy_path(parts->rest);
  if (!path) {
    co_await write_error(ex, 400, errors::code::invalid_proxy_path, errors::proxy_path_refused(path.error()));
    co_return;
  }
  ex.ctx.model = request_model(ex.req.body());
  co_await forward(ex, *p, ex.req.method_string(), make_target(p->url.base_path, *path, ex.query),
                   std::move(ex.req.body()), AnswerShape::any);
}

awaitable<void> handle_messages(Exchange& ex) {
  auto t = co_await api_target(ex, &config::ProviderDef::serves_messages_api, true);
  if (!t.provider) co_return;
  co_await forward(ex, *t.provider, "POST", make_target(t.provider->url.base_path, "/messages", {}),
                   std::move(t.body), AnswerShape::anthropic_messages);
}

awaitable<void> handle_responses(Exchange& ex) {
  auto t = co_await api_target(ex, &config::ProviderDef::serves_responses_api, false);
  if (!t.provider) co_return;
  co_await forward(ex, *t.provider, "POST", make_target(t.provider->url.base_path, "/responses", {}),
                   std::move(t.body), AnswerShape::openai_responses);
}

}  // namespace igw::server
