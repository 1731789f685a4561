// GET /v1/models: asks every enabled provider (or the one named by ?provider=) at once and merges the
// lists, ids prefixed with the provider and `served_by` added. A provider that fails is skipped; its failure
// is logged at warn when it starts failing (then at debug), its recovery at info.
#include "server/handlers.hpp"
#include "server/target.hpp"

#include <array>
#include <boost/asio/experimental/parallel_group.hpp>
#include <nlohmann/json.hpp>

#include "server/errors.hpp"
#include "server/upstream_call.hpp"
#include "telemetry/log.hpp"

namespace igw::server {
namespace {

namespace lg = telemetry::log;
using json = nlohmann::ordered_json;

// The provider's models as entries of the merged list, or an error line for the log.
std::expected<json, std::string> to_entries(const ProviderRuntime& p, const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
    return std::unexpected("expected an OpenAI model list {\"data\":[...]}");
  json out = json::array();
  std::string id{p.def->id};
  for (auto& m : doc["data"]) {
    if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) continue;
    json e;
    e["id"] = id + "/" + m["id"].get<std::string>();
    e["object"] = "model";
    e["created"] = m.contains("created") && m["created"].is_number() ? m["created"] : json(0);
    e["owned_by"] = m.contains("owned_by") && m["owned_by"].is_string() ? m["owned_by"] : json(id);
    e["served_by"] = id;
    out.push_back(std::move(e));
  }
  return out;
}

// `trace`: the request's trace_id and span_id for the log (empty when tracing is off).
awaitable<json> fetch_models(Worker& worker, const ProviderRuntime& p, std::string request_id,
                             std::array<std::string, 2> trace) {
  UpstreamRequest req{"GET", make_target(p.url.base_path, p.def->models_path, {})};
  req.set("Accept", "application/json");
  req.set("X-Request-Id", request_id);
  UpstreamCall call{worker.pool, worker.state, p, false};
  std::string error;
  if (auto f = co_await call.send(req)) {
    error = f->message;
  } else {
    auto body = co_await call.read_all();
    if (!body) {
      error = body.error().message;
    } else {
      call.release();
      if (call.status() >= 400) {
        error = "status " + std::to_string(call.status()) + ": " + body->substr(0, 512);
      } else if (auto entries = to_entries(p, *body)) {
        if (worker.state.models_failing[p.index].exchange(false))
          lg::info(lg::logger::proxy, "listing models works again", {{lg::field::provider, p.def->id}});
        co_return *entries;
      } else {
        error = entries.error();
      }
    }
  }
  const bool first = !worker.state.models_failing[p.index].exchange(true);
  lg::write(first ? lg::Level::warn : lg::Level::debug, lg::logger::proxy,
            "listing models failed; provider skipped until it answers again",
            {{lg::field::provider, p.def->id}, {lg::field::request_id, request_id}, {lg::field::error, error},
             lg::Field::optional(lg::field::trace_id, trace[0]), lg::Field::optional(lg::field::span_id, trace[1])});
  co_return json::array();
}

}  // namespace

awaitable<void> handle_models(Exchange& ex) {
  std::vector<const ProviderRuntime*> targets;
  std::string param = query_param(ex.query, "provider");
  if (!param.empty()) {
    const ProviderRuntime* p = co_await enabled_provider(ex, param);
    if (!p) co_return;
    targets.push_back(p);
  } else {
    for (const auto& p : ex.state().providers)
      if (p.enabled) targets.push_back(&p);
  }
  auto exec = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(exec, fetch_models(ex.worker, *targets.front(), {}, {}), asio::deferred));
  std::vector<Op> ops;
  for (const auto* p : targets)
    ops.push_back(asio::co_spawn(
        exec, fetch_models(ex.worker, *p, ex.ctx.request_id, {ex.ctx.trace.trace_hex, ex.ctx.trace.span_hex}),
        asio::deferred));
  json data = json::array();
  if (!ops.empty()) {
    auto t0 = Clock::now();
    auto [order, exceptions, results] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                            .async_wait(asio::experimental::wait_for_all(), use_awaitable);
    ex.ctx.upstream_wait += Clock::now() - t0;
    (void)order;
    for (std::size_t i = 0; i < results.size(); ++i)
      if (!exceptions[i])
        for (auto& e : results[i]) data.push_back(std::move(e));
  }
  json out;
  out["object"] = "list";
  out["data"] = std::move(data);
  co_await write_json(ex, 200, out.dump());
}

}  // namespace igw::server
