#include "server/tools/registry.hpp"

#include <nlohmann/json.hpp>

#include "server/tools/a2a.hpp"
#include "server/tools/mcp.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/log.hpp"

namespace igw::server::tools {
namespace {

namespace lg = telemetry::log;
namespace te = telemetry::tool_error;

constexpr std::size_t kMaxListBytes = 8u << 20;    // a tools/list page or an agent card
constexpr std::size_t kMaxResultBytes = 8u << 20;  // a tool's answer

std::string_view logger_of(SourceKind kind) {
  return kind == SourceKind::mcp ? lg::logger::mcp_client : lg::logger::a2a_client;
}

awaitable<void> sleep_for(Duration d) {
  asio::steady_timer timer{co_await asio::this_coro::executor};
  timer.expires_after(d);
  co_await timer.async_wait(as_tuple_awaitable);
}

}  // namespace

ToolRegistry::ToolRegistry(RegistryOptions options) : options_(std::move(options)) {
  auto add = [&](SourceKind kind, const std::string& url) {
    Source s;
    s.kind = kind;
    s.url = url;
    sources_.push_back(std::move(s));
  };
  for (const auto& url : options_.mcp_servers) add(SourceKind::mcp, url);
  for (const auto& url : options_.a2a_agents) add(SourceKind::a2a, url);
  listed_.resize(sources_.size());
  publish();
}

ToolRegistry::~ToolRegistry() = default;

awaitable<void> ToolRegistry::start() {
  auto exec = co_await asio::this_coro::executor;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (options_.recorder) options_.recorder->tool_server_up(to_string(sources_[i].kind), sources_[i].url, false);
    if (sources_[i].kind == SourceKind::mcp)
      asio::co_spawn(exec, keep_mcp(i), asio::detached);
    else
      asio::co_spawn(exec, keep_a2a(i), asio::detached);
  }
}

Duration ToolRegistry::retry_delay(int failures) const {
  return failures <= options_.max_retries ? options_.retry_interval : options_.polling_interval;
}

awaitable<void> ToolRegistry::keep_mcp(std::size_t index) {
  const std::string url = sources_[index].url;
  const FetchLimits limits{options_.client_timeout, kMaxListBytes, options_.dial_timeout};
  std::optional<McpSession> session;
  int failures = 0;
  for (;;) {
    if (!session) {
      auto s = co_await mcp_initialize(url, options_.tls, limits);
      if (!s) {
        mark_down(index, s.error().message);
        co_await sleep_for(retry_delay(++failures));
        continue;
      }
      session = std::move(*s);
    }
    auto tools = co_await mcp_list_tools(*session, options_.tls, limits);
    if (!tools) {
      // A session the server forgot (404) or a server gone: start over with a new session.
      session.reset();
      mark_down(index, tools.error().message);
      co_await sleep_for(retry_delay(++failures));
      continue;
    }
    failures = 0;
    std::vector<ListedTool> selected;
    for (auto& t : *tools)
      if (tool_selected(t.remote_name, options_.include_tools, options_.exclude_tools)) selected.push_back(std::move(t));
    auto& src = sources_[index];
    src.name = session->server_name;
    src.endpoint = url;
    src.session_id = session->session_id;
    src.protocol_version = session->protocol_version;
    mark_up(index, std::move(selected));
    co_await sleep_for(options_.polling_interval);
  }
}

awaitable<void> ToolRegistry::keep_a2a(std::size_t index) {
  const std::string url = sources_[index].url;
  const FetchLimits limits{options_.client_timeout, kMaxListBytes, options_.dial_timeout};
  int failures = 0;
  for (;;) {
    auto card = co_await a2a_fetch_card(url, options_.tls, limits);
    if (!card) {
      mark_down(index, card.error().message);
      co_await sleep_for(retry_delay(++failures));
      continue;
    }
    failures = 0;
    auto& src = sources_[index];
    src.name = card->name;
    src.endpoint = card->url;
    mark_up(index, {agent_tool(*card)});
    co_await sleep_for(options_.polling_interval);
  }
}

void ToolRegistry::mark_up(std::size_t index, std::vector<ListedTool> tools) {
  auto& src = sources_[index];
  bool changed = !src.up;
  bool tools_changed = tools.size() != listed_[index].size();
  for (std::size_t i = 0; !tools_changed && i < tools.size(); ++i)
    tools_changed = tools[i].remote_name != listed_[index][i].remote_name ||
                    tools[i].description != listed_[index][i].description ||
                    tools[i].input_schema != listed_[index][i].input_schema;
  const std::size_t count = tools.size();
  listed_[index] = std::move(tools);
  if (changed) {
    src.up = true;
    src.error.clear();
    src.since = std::chrono::system_clock::now();
    if (options_.recorder) options_.recorder->tool_server_up(to_string(src.kind), src.url, true);
    lg::info(logger_of(src.kind), src.kind == SourceKind::mcp ? "MCP server connected" : "A2A agent connected",
             {{lg::field::url, src.url}, {"name", src.name}, {"tools", count}});
  }
  if (changed || tools_changed) publish();
}

void ToolRegistry::mark_down(std::size_t index, std::string error) {
  auto& src = sources_[index];
  const bool first = src.since.time_since_epoch().count() == 0;  // never reached yet
  const bool changed = src.up || first;
  src.error = std::move(error);
  if (!changed) return;
  src.up = false;
  src.since = std::chrono::system_clock::now();
  listed_[index].clear();
  if (options_.recorder) options_.recorder->tool_server_up(to_string(src.kind), src.url, false);
  // Once per change, not per retry: the gauge shows the state, the line says why.
  lg::warn(logger_of(src.kind),
           src.kind == SourceKind::mcp ? "MCP server unavailable; retrying in the background"
                                       : "A2A agent unavailable; retrying in the background",
           {{lg::field::url, src.url}, {lg::field::error, src.error}});
  publish();
}

void ToolRegistry::publish() {
  auto next = std::make_shared<ToolCatalog>();
  next->sources = sources_;
  next->tools = assign_names(sources_, listed_);
  catalog_.store(std::move(next));
  generation_.fetch_add(1);
}

awaitable<ToolOutcome> ToolRegistry::call(const ToolCatalog& catalog, const Tool& tool, std::string_view arguments,
                                          std::string_view traceparent) const {
  const Source& src = catalog.sources[tool.source];
  auto failed = [](std::string_view type, std::string text) { return ToolOutcome{false, "error: " + text, type}; };
  if (!src.up) co_return failed(te::unavailable, "the server " + src.url + " is not connected");
  auto from = [&](std::expected<CallResult, ToolFailure>&& r) {
    if (!r) return failed(r.error().error_type, std::move(r.error().message));
    if (r->is_error) return ToolOutcome{false, std::move(r->text), te::tool_error};
    return ToolOutcome{true, std::move(r->text), {}};
  };
  if (tool.kind == SourceKind::a2a) {
    auto message = agent_message(arguments);
    if (!message) co_return failed(te::invalid_arguments, message.error());
    const FetchLimits limits{options_.a2a_timeout, kMaxResultBytes, options_.dial_timeout};
    co_return from(co_await a2a_send(src.endpoint, *message, traceparent, options_.tls, limits));
  }
  // The model's arguments go to the server as they are, once they are known to be a JSON object.
  std::string_view args = arguments.empty() ? std::string_view{"{}"} : arguments;
  auto parsed = nlohmann::json::parse(args, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    co_return failed(te::invalid_arguments, "the arguments are not a JSON object");
  const FetchLimits limits{options_.request_timeout, kMaxResultBytes, options_.dial_timeout};
  McpSession session{src.endpoint, src.session_id, src.protocol_version, src.name};
  auto result = co_await mcp_call_tool(session, tool.remote_name, args, traceparent, options_.tls, limits);
  if (!result && result.error().http_status == 404 && !session.session_id.empty()) {
    // The server forgot the session (restarted): a new one for this call; the background client
    // replaces the published one at its next refresh.
    auto fresh = co_await mcp_initialize(src.endpoint, options_.tls,
                                         FetchLimits{options_.client_timeout, kMaxListBytes, options_.dial_timeout});
    if (!fresh) co_return from(std::unexpected(std::move(fresh.error())));
    result = co_await mcp_call_tool(*fresh, tool.remote_name, args, traceparent, options_.tls, limits);
  }
  co_return from(std::move(result));
}

}  // namespace igw::server::tools
