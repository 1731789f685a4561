#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "../data_plane.hpp"
#include "rpc_fixtures.hpp"
#include "server/tools/registry.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/recorder.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace igw::server::tools;
using namespace std::chrono_literals;
using nlohmann::json;
namespace telemetry = igw::telemetry;
namespace te = igw::telemetry::tool_error;

namespace {

using UpEvent = std::tuple<std::string, std::string, bool>;  // (tool_type, server, up)

struct FakeRecorder : telemetry::Recorder {
  std::vector<UpEvent> up_events;
  void request_started(std::string_view) override {}
  void request_finished(const telemetry::RequestOutcome&) override {}
  void tool_call(std::string_view, std::string_view, const telemetry::ToolCallOutcome&) override {}
  void tool_server_up(std::string_view type, std::string_view server, bool up) override {
    up_events.emplace_back(std::string{type}, std::string{server}, up);
  }
  void auth_keys_loaded(bool) override {}
  std::string exposition() override { return {}; }
  int count(const UpEvent& e) const { return static_cast<int>(std::count(up_events.begin(), up_events.end(), e)); }
};

std::vector<std::string> methods_of(const SeenRequests& seen) {
  std::vector<std::string> out;
  for (const auto& r : seen) out.push_back(body_of(r).value("method", std::string{}));
  return out;
}

std::string names_of(const ToolCatalog& c) {
  std::string out;
  for (const auto& t : c.tools) out += (out.empty() ? "" : ",") + t.name;
  return out;
}

// An MCP server: initialize (a new session each time), the notification (202), tools/list, tools/call.
struct FakeMcp {
  std::vector<std::string> tools{"echo", "add"};
  int initializes = 0;
  std::string valid_session;  // the session tools/call accepts (empty: any); set by each initialize
  bool list_fails = false;

  std::string respond(const SeenRequest& req) {
    const json body = body_of(req);
    const std::string method = body.value("method", "");
    const json id = body.value("id", json{});
    const json params = body.value("params", json::object());
    if (method == "initialize") {
      valid_session = "s-" + std::to_string(++initializes);
      const json result{{"protocolVersion", "2025-06-18"},
                        {"capabilities", {{"tools", json::object()}}},
                        {"serverInfo", {{"name", "fake-mcp"}, {"version", "1"}}}};
      return http_response(200, result_text(id, result), "application/json", {{"Mcp-Session-Id", valid_session}});
    }
    if (method == "notifications/initialized") return http_response(202, "", "");
    if (!valid_session.empty() && field(req, "Mcp-Session-Id") != valid_session)
      return http_response(404, "session not found", "text/plain");
    if (method == "tools/list") {
      if (list_fails) return http_response(500, "list broke", "text/plain");
      json list = json::array();
      for (const auto& t : tools)
        list.push_back({{"name", t}, {"description", "The " + t + " tool"}, {"inputSchema", {{"type", "object"}}}});
      return http_response(200, result_text(id, {{"tools", list}}));
    }
    if (method == "tools/call") {
      const std::string name = params.value("name", "");
      const json args = params.value("arguments", json{});
      if (name == "echo")
        return http_response(200, result_text(id, {{"content", json::array({{{"type", "text"}, {"text", args.dump()}}})}}));
      if (name == "fails")
        return http_response(
            200, result_text(id, {{"content", json::array({{{"type", "text"}, {"text", "bad input"}}})}, {"isError", true}}));
      return http_response(
          200, json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", -32603}, {"message", "Internal error"}}}}.dump());
    }
    return http_response(200, json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", -32601}, {"message", "no"}}}}.dump());
  }

  FakeUpstream::Script script(SeenRequests& seen) {
    return record_and_answer(seen, [this](const SeenRequest& r) { return respond(r); });
  }
};

// An A2A agent: message/send answered with what it was told.
std::string agent_respond(const SeenRequest& req) {
  const json b = body_of(req);
  const std::string said = b["params"]["message"]["parts"][0].value("text", "");
  const json message{{"kind", "message"},
                     {"role", "agent"},
                     {"messageId", "m"},
                     {"parts", json::array({{{"kind", "text"}, {"text", "heard: " + said}}})}};
  return http_response(200, result_text(b["id"], message));
}

// A server like FakeUpstream, on a port of the caller's choice.
class PortServer {
 public:
  PortServer(asio::io_context& io, std::uint16_t port) : acceptor_(io.get_executor()) {
    const tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port};
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep, bind_error_);
    if (!bind_error_) acceptor_.listen();
  }
  bool ok() const { return !bind_error_; }
  void serve(FakeUpstream::Script script) {
    asio::co_spawn(
        acceptor_.get_executor(),
        [this, script]() -> awaitable<void> {
          for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(as_tuple_awaitable);
            if (ec) co_return;
            asio::co_spawn(
                acceptor_.get_executor(),
                [script, s = std::move(socket)]() mutable -> awaitable<void> { co_await script(s, 0); },
                asio::detached);
          }
        },
        asio::detached);
  }

 private:
  Acceptor acceptor_;
  error_code bind_error_;
};

std::string closed_url(std::string_view path = "/mcp") {
  return "http://127.0.0.1:" + std::to_string(closed_port()) + std::string{path};
}

// Runs the loop (in slices of io.run_for) until pred() holds or `limit` passes; whether it holds.
template <class Pred>
bool run_until(asio::io_context& io, Pred pred, std::chrono::milliseconds limit = 3000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred() && std::chrono::steady_clock::now() < end) {
    io.restart();
    io.run_for(10ms);
  }
  return pred();
}

// Spawns registry.start(); `started` is set when it returns.
void spawn_start(asio::io_context& io, ToolRegistry& registry, bool& started) {
  asio::co_spawn(io, registry.start(), [&started](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
    started = true;
  });
}

// Runs registry.call to its end (bounded).
ToolOutcome run_call(asio::io_context& io, const ToolRegistry& registry, const ToolCatalog& catalog, const Tool& tool,
                     std::string_view arguments, std::string_view traceparent = "") {
  std::optional<ToolOutcome> out;
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(
      io, [&]() -> awaitable<void> { out.emplace(co_await registry.call(catalog, tool, arguments, traceparent)); },
      [&](std::exception_ptr e) {
        error = e;
        done = true;
      });
  run_until(io, [&] { return done; });
  if (error) std::rethrow_exception(error);
  REQUIRE_MESSAGE(done, "the call did not finish in time");
  REQUIRE(out);
  return std::move(*out);
}

// Lets the loop run a little: long enough for a connection that was made to be accepted.
void settle(asio::io_context& io) {
  io.restart();
  io.run_for(50ms);
}

RegistryOptions quick_options() {
  RegistryOptions o;
  o.client_timeout = 2s;
  o.dial_timeout = 1s;
  o.request_timeout = 2s;
  o.a2a_timeout = 2s;
  o.retry_interval = 1h;
  o.polling_interval = 1h;
  return o;
}

// A catalog with one source that is up, and its one tool.
ToolCatalog one_tool_catalog(SourceKind kind, const std::string& endpoint, const std::string& remote_name,
                             std::string session_id = {}) {
  ToolCatalog c;
  Source s;
  s.kind = kind;
  s.url = endpoint;
  s.endpoint = endpoint;
  s.up = true;
  s.session_id = std::move(session_id);
  s.protocol_version = "2025-06-18";
  c.sources.push_back(s);
  c.tools = assign_names(c.sources, {{ListedTool{remote_name, "d", R"({"type":"object"})"}}});
  return c;
}

}  // namespace

TEST_SUITE("tools/registry") {
  TEST_CASE("tool registry: before start, one catalog: every source down, no tools") {
    RegistryOptions o = quick_options();
    o.mcp_servers = {"http://127.0.0.1:1/mcp", "http://127.0.0.1:2/mcp"};
    o.a2a_agents = {"http://127.0.0.1:3"};
    ToolRegistry registry{o};
    CHECK(registry.generation() == 1);
    auto c = registry.catalog();
    REQUIRE(c);
    REQUIRE(c->sources.size() == 3);
    CHECK(c->sources[0].kind == SourceKind::mcp);
    CHECK(c->sources[0].url == "http://127.0.0.1:1/mcp");
    CHECK(c->sources[1].url == "http://127.0.0.1:2/mcp");
    CHECK(c->sources[2].kind == SourceKind::a2a);
    CHECK(c->sources[2].url == "http://127.0.0.1:3");
    for (const auto& s : c->sources) CHECK_FALSE(s.up);
    CHECK(c->tools.empty());
    ToolRegistry none{quick_options()};
    REQUIRE(none.catalog());
    CHECK(none.catalog()->sources.empty());
  }

  TEST_CASE("tool registry: start() connects to an MCP server and publishes its tools") {
    FakeRecorder rec;
    FakeMcp fake;
    SeenRequests seen;
    std::optional<ToolRegistry> registry;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const std::string url = server.url("/mcp");
    RegistryOptions o = quick_options();
    o.mcp_servers = {url};
    o.recorder = &rec;
    std::string expected = "mcp_echo,mcp_add";
    std::size_t expected_count = 2;
    SUBCASE("all tools") {}
    SUBCASE("MCP_EXCLUDE_TOOLS") {
      o.exclude_tools = {"add"};
      expected = "mcp_echo";
      expected_count = 1;
    }
    SUBCASE("MCP_INCLUDE_TOOLS") {
      o.include_tools = {"add", "missing"};
      expected = "mcp_add";
      expected_count = 1;
    }
    registry.emplace(o);
    const auto before = registry->generation();
    bool started = false;
    spawn_start(io, *registry, started);
    REQUIRE(run_until(io, [&] { return registry->catalog()->sources[0].up; }));
    CHECK(started);
    CHECK(registry->generation() > before);
    auto c = registry->catalog();
    CHECK(names_of(*c) == expected);
    const auto& s = c->sources[0];
    CHECK(s.url == url);
    CHECK(s.endpoint == url);
    CHECK(s.name == "fake-mcp");
    CHECK(s.session_id == "s-1");
    CHECK(s.protocol_version == "2025-06-18");
    CHECK(s.error.empty());
    CHECK(s.since.time_since_epoch().count() != 0);
    REQUIRE_FALSE(c->tools.empty());
    CHECK(c->tools[0].description.starts_with("The "));
    CHECK(methods_of(seen) == std::vector<std::string>{"initialize", "notifications/initialized", "tools/list"});
    for (const auto& r : seen) CHECK_FALSE(has(r, "Authorization"));
    CHECK(rec.up_events.front() == UpEvent{"mcp", url, false});
    CHECK(rec.up_events.back() == UpEvent{"mcp", url, true});
    CHECK(rec.count(UpEvent{"mcp", url, true}) == 1);

    const json listing = json::parse(c->listing_json());
    CHECK(listing["servers"][0]["state"] == "up");
    CHECK(listing["servers"][0]["tools"] == expected_count);
  }

  TEST_CASE("tool registry: a published MCP tool can be called through the catalog") {
    FakeMcp fake;
    SeenRequests seen;
    std::optional<ToolRegistry> registry;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    RegistryOptions o = quick_options();
    o.mcp_servers = {server.url("/mcp")};
    registry.emplace(o);
    bool started = false;
    spawn_start(io, *registry, started);
    REQUIRE(run_until(io, [&] { return registry->catalog()->sources[0].up; }));
    auto c = registry->catalog();
    const Tool* echo = c->find("mcp_echo");
    REQUIRE(echo);
    const std::string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    auto out = run_call(io, *registry, *c, *echo, R"({"text":"hi"})", traceparent);
    CHECK(out.ok);
    CHECK(json::parse(out.text) == json{{"text", "hi"}});
    CHECK(out.error_type.empty());
    REQUIRE(seen.size() == 4);
    const auto& call = seen.back();
    CHECK(body_of(call)["method"] == "tools/call");
    CHECK(body_of(call)["params"]["name"] == "echo");  // the server's name, not the offered one
    CHECK(field(call, "Mcp-Session-Id") == "s-1");
    CHECK(field(call, "MCP-Protocol-Version") == "2025-06-18");
    CHECK(field(call, "traceparent") == traceparent);
    CHECK_FALSE(has(call, "Authorization"));
  }

  TEST_CASE("tool registry: an unreachable server is down with an error and no tools; start() returns at once") {
    FakeRecorder rec;
    std::optional<ToolRegistry> registry;
    asio::io_context io;
    FakeUpstream silent{io};  // accepts and never answers
    silent.serve([](Socket& s, int) -> awaitable<void> { co_await wait_closed(s); });
    const std::string closed = closed_url();
    const std::string slow = silent.url("/mcp");
    RegistryOptions o = quick_options();
    o.mcp_servers = {closed, slow};
    o.recorder = &rec;
    o.client_timeout = 2s;
    registry.emplace(o);

    bool started = false;
    const auto t0 = std::chrono::steady_clock::now();
    spawn_start(io, *registry, started);
    REQUIRE(run_until(io, [&] { return started; }, 1000ms));
    CHECK(std::chrono::steady_clock::now() - t0 < 500ms);  // not waiting for the silent server's 2 s
    CHECK_FALSE(registry->catalog()->sources[1].up);
    CHECK(rec.count(UpEvent{"mcp", closed, false}) >= 1);
    CHECK(rec.count(UpEvent{"mcp", slow, false}) >= 1);

    REQUIRE(run_until(io, [&] { return !registry->catalog()->sources[0].error.empty(); }));
    auto c = registry->catalog();
    CHECK_FALSE(c->sources[0].up);
    CHECK(c->sources[0].error.find(closed) != std::string::npos);  // names the URL
    CHECK(c->tools.empty());
    CHECK(c->sources[0].since.time_since_epoch().count() != 0);
    CHECK_FALSE(c->sources[1].up);
    CHECK(c->sources[1].error.empty());  // still waiting for its answer
    CHECK(silent.accepted() >= 1);
    const json listing = json::parse(c->listing_json());
    CHECK(listing["servers"][0]["state"] == "down");
    CHECK(listing["servers"][0]["error"].is_string());
    CHECK(listing["servers"][0]["tools"] == 0);
    CHECK(listing["data"].empty());
    CHECK(rec.count(UpEvent{"mcp", closed, true}) == 0);
  }

  TEST_CASE("tool registry: an A2A agent that is unreachable is down; one that answers is up with its tool") {
    FakeRecorder rec;
    SeenRequests seen;
    std::optional<ToolRegistry> registry;
    asio::io_context io;
    FakeUpstream agent{io};
    const std::string base = agent.url("/agent");
    agent.serve(record_and_answer(seen, [&](const SeenRequest&) {
      return http_response(200, json{{"name", "Weather Bot"}, {"description", "Forecasts"}, {"url", agent.url("/agent/rpc")}}.dump());
    }));
    const std::string closed = closed_url("");
    RegistryOptions o = quick_options();
    o.a2a_agents = {closed, base};
    o.recorder = &rec;
    registry.emplace(o);
    bool started = false;
    spawn_start(io, *registry, started);
    REQUIRE(run_until(io, [&] {
      auto c = registry->catalog();
      return c->sources[1].up && !c->sources[0].error.empty();
    }));
    auto c = registry->catalog();
    CHECK_FALSE(c->sources[0].up);
    CHECK(c->sources[1].name == "Weather Bot");
    CHECK(c->sources[1].endpoint == agent.url("/agent/rpc"));
    CHECK(names_of(*c) == "a2a_Weather_Bot");
    CHECK(c->tools[0].kind == SourceKind::a2a);
    CHECK(c->tools[0].source == 1);
    CHECK(json::parse(c->tools[0].input_schema)["required"] == json::array({"message"}));
    REQUIRE_FALSE(seen.empty());
    CHECK(std::string_view{seen[0].target().data(), seen[0].target().size()} == "/agent/.well-known/agent-card.json");
    CHECK(rec.count(UpEvent{"a2a", base, true}) == 1);
    CHECK(rec.count(UpEvent{"a2a", closed, true}) == 0);
    CHECK(rec.count(UpEvent{"a2a", closed, false}) >= 1);
  }

  TEST_CASE("tool registry: with a short retry interval, a server that comes up later is picked up") {
    FakeRecorder rec;
    FakeMcp fake;
    SeenRequests seen;
    std::optional<ToolRegistry> registry;
    asio::io_context io;
    const std::uint16_t port = closed_port();
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/mcp";
    RegistryOptions o = quick_options();
    o.mcp_servers = {url};
    o.recorder = &rec;
    o.retry_interval = 50ms;
    o.max_retries = 1000;
    registry.emplace(o);
    bool started = false;
    spawn_start(io, *registry, started);
    REQUIRE(run_until(io, [&] { return !registry->catalog()->sources[0].error.empty(); }));
    CHECK_FALSE(registry->catalog()->sources[0].up);
    const auto down_generation = registry->generation();

    PortServer server{io, port};
    REQUIRE_MESSAGE(server.ok(), "the port was taken meanwhile");
    server.serve(fake.script(seen));
    REQUIRE(run_until(io, [&] { return registry->catalog()->sources[0].up; }));
    auto c = registry->catalog();
    CHECK(registry->generation() > down_generation);
    CHECK(names_of(*c) == "mcp_echo,mcp_add");
    CHECK(c->sources[0].error.empty());
    CHECK(rec.up_events.back() == UpEvent{"mcp", url, true});
    CHECK(rec.count(UpEvent{"mcp", url, false}) >= 1);
  }

  TEST_CASE("tool registry: refreshes pick up a changed tool list; a failing list marks the server down, then up again") {
    FakeRecorder rec;
    FakeMcp fake;
    SeenRequests seen;
    std::optional<ToolRegistry> registry;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const std::string url = server.url("/mcp");
    RegistryOptions o = quick_options();
    o.mcp_servers = {url};
    o.recorder = &rec;
    o.polling_interval = 50ms;
    o.retry_interval = 50ms;
    registry.emplace(o);
    bool started = false;
    spawn_start(io, *registry, started);
    REQUIRE(run_until(io, [&] { return registry->catalog()->sources[0].up; }));
    CHECK(names_of(*registry->catalog()) == "mcp_echo,mcp_add");

    fake.tools = {"echo", "search"};
    REQUIRE(run_until(io, [&] { return registry->catalog()->find("mcp_search") != nullptr; }));
    CHECK(names_of(*registry->catalog()) == "mcp_echo,mcp_search");
    CHECK(registry->catalog()->sources[0].up);

    fake.list_fails = true;
    REQUIRE(run_until(io, [&] { return !registry->catalog()->sources[0].up; }));
    auto down = registry->catalog();
    CHECK(down->tools.empty());
    CHECK(down->sources[0].error.find("500") != std::string::npos);
    CHECK(rec.up_events.back() == UpEvent{"mcp", url, false});

    const int initializes = fake.initializes;
    fake.list_fails = false;
    REQUIRE(run_until(io, [&] { return registry->catalog()->sources[0].up; }));
    CHECK(fake.initializes > initializes);  // a new session after the failure
    CHECK(registry->catalog()->sources[0].session_id == fake.valid_session);
    CHECK(rec.up_events.back() == UpEvent{"mcp", url, true});
    CHECK(rec.count(UpEvent{"mcp", url, true}) == 2);
  }

  TEST_CASE("tool registry: call() of an A2A tool without a string \"message\" is invalid_arguments, nothing sent") {
    asio::io_context io;
    FakeUpstream agent{io};
    SeenRequests seen;
    agent.serve(record_and_answer(seen, agent_respond));
    const ToolRegistry registry{quick_options()};
    const auto catalog = one_tool_catalog(SourceKind::a2a, agent.url("/rpc"), "Weather");
    REQUIRE(catalog.tools.size() == 1);
    for (std::string_view args : {R"({"text":"hi"})", "{}", "", R"({"message":3})", "not json", "[]"}) {
      CAPTURE(args);
      auto out = run_call(io, registry, catalog, catalog.tools[0], args);
      CHECK_FALSE(out.ok);
      CHECK(out.error_type == te::invalid_arguments);
      CHECK(out.text.starts_with("error: "));
    }
    settle(io);
    CHECK(agent.accepted() == 0);

    auto ok = run_call(io, registry, catalog, catalog.tools[0], R"({"message":"rain?"})", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    CHECK(ok.ok);
    CHECK(ok.text == "heard: rain?");
    REQUIRE(seen.size() == 1);
    CHECK(body_of(seen[0])["method"] == "message/send");
    CHECK(field(seen[0], "traceparent") == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  }

  TEST_CASE("tool registry: call() of an MCP tool with arguments that are not a JSON object is invalid_arguments") {
    asio::io_context io;
    FakeMcp fake;
    SeenRequests seen;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const ToolRegistry registry{quick_options()};
    const auto catalog = one_tool_catalog(SourceKind::mcp, server.url("/mcp"), "echo");
    for (std::string_view args : {"[1,2]", "not json", R"("a string")", "42", "{\"a\":"}) {
      CAPTURE(args);
      auto out = run_call(io, registry, catalog, catalog.tools[0], args);
      CHECK_FALSE(out.ok);
      CHECK(out.error_type == te::invalid_arguments);
      CHECK(out.text.starts_with("error: "));
    }
    settle(io);
    CHECK(server.accepted() == 0);

    auto empty = run_call(io, registry, catalog, catalog.tools[0], "");
    CHECK(empty.ok);
    CHECK(empty.text == "{}");
    REQUIRE(seen.size() == 1);
    CHECK(body_of(seen[0])["params"]["arguments"] == json::object());
  }

  TEST_CASE("tool registry: call() on a source that is down is unavailable, nothing sent") {
    asio::io_context io;
    FakeUpstream server{io};
    SeenRequests seen;
    server.serve(record_and_answer(seen, agent_respond));
    const ToolRegistry registry{quick_options()};
    for (auto kind : {SourceKind::mcp, SourceKind::a2a}) {
      auto catalog = one_tool_catalog(kind, server.url("/x"), "t");
      catalog.sources[0].up = false;
      auto out = run_call(io, registry, catalog, catalog.tools[0], R"({"message":"hi"})");
      CHECK_FALSE(out.ok);
      CHECK(out.error_type == te::unavailable);
      CHECK(out.text.find(server.url("/x")) != std::string::npos);
    }
    settle(io);
    CHECK(server.accepted() == 0);
  }

  TEST_CASE("tool registry: call() outcomes: a tool error, a failure, an unreachable server") {
    asio::io_context io;
    FakeMcp fake;
    SeenRequests seen;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const ToolRegistry registry{quick_options()};
    SUBCASE("isError: not ok, tool_error, the tool's own text") {
      const auto catalog = one_tool_catalog(SourceKind::mcp, server.url("/mcp"), "fails");
      auto out = run_call(io, registry, catalog, catalog.tools[0], "{}");
      CHECK_FALSE(out.ok);
      CHECK(out.error_type == te::tool_error);
      CHECK(out.text == "bad input");
    }
    SUBCASE("JSON-RPC error: rpc_error, \"error: \" and what went wrong") {
      const auto catalog = one_tool_catalog(SourceKind::mcp, server.url("/mcp"), "explodes");
      auto out = run_call(io, registry, catalog, catalog.tools[0], "{}");
      CHECK_FALSE(out.ok);
      CHECK(out.error_type == te::rpc_error);
      CHECK(out.text.starts_with("error: "));
      CHECK(out.text.find("Internal error") != std::string::npos);
    }
    SUBCASE("a closed port: connect") {
      const auto catalog = one_tool_catalog(SourceKind::mcp, closed_url(), "echo");
      auto out = run_call(io, registry, catalog, catalog.tools[0], "{}");
      CHECK_FALSE(out.ok);
      CHECK(out.error_type == te::connect);
    }
  }

  TEST_CASE("tool registry: call() with a session the server forgot (404) opens a new session and retries once") {
    asio::io_context io;
    FakeMcp fake;
    fake.valid_session = "live";
    SeenRequests seen;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const ToolRegistry registry{quick_options()};
    const auto catalog = one_tool_catalog(SourceKind::mcp, server.url("/mcp"), "echo", "stale");
    auto out = run_call(io, registry, catalog, catalog.tools[0], R"({"x":1})");
    CHECK(out.ok);
    CHECK(json::parse(out.text) == json{{"x", 1}});
    CHECK(methods_of(seen) ==
          std::vector<std::string>{"tools/call", "initialize", "notifications/initialized", "tools/call"});
    REQUIRE(seen.size() == 4);
    CHECK(field(seen[0], "Mcp-Session-Id") == "stale");
    CHECK(field(seen[3], "Mcp-Session-Id") == "s-1");
    CHECK(catalog.sources[0].session_id == "stale");  // the catalog itself is immutable
  }

  TEST_CASE("tool registry: call() with a 404 and no session does not retry") {
    asio::io_context io;
    FakeMcp fake;
    fake.valid_session = "live";
    SeenRequests seen;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const ToolRegistry registry{quick_options()};
    const auto catalog = one_tool_catalog(SourceKind::mcp, server.url("/mcp"), "echo");
    auto out = run_call(io, registry, catalog, catalog.tools[0], "{}");
    CHECK_FALSE(out.ok);
    CHECK(out.error_type == te::http_status);
    CHECK(seen.size() == 1);
  }
}
