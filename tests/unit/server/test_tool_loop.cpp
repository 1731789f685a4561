#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "data_plane.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/tool_loop.hpp"
#include "server/tools/registry.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;
namespace config = igw::config;
namespace telemetry = igw::telemetry;

namespace {

struct ToolRecorder : telemetry::Recorder {
  struct Call {
    std::string provider, model, type, name, error;
    bool success;
    std::optional<double> ms;
  };
  std::vector<Call> calls;
  void request_started(std::string_view) override {}
  void request_finished(const telemetry::RequestOutcome&) override {}
  void tool_call(std::string_view p, std::string_view m, const telemetry::ToolCallOutcome& c) override {
    calls.push_back({std::string{p}, std::string{m}, std::string{c.tool_type}, std::string{c.name},
                     std::string{c.error_type}, c.success, c.duration_ms});
  }
  void auth_keys_loaded(bool) override {}
  std::string exposition() override { return {}; }
};

// How many tool messages the conversation of a provider request holds.
std::size_t tool_results(const Json& body) {
  std::size_t n = 0;
  for (const auto& m : body["messages"])
    if (m["role"] == "tool") ++n;
  return n;
}

std::string completion_with_call(std::string_view tool, std::string_view arguments) {
  Json call{{"id", "call_1"}, {"type", "function"}, {"function", {{"name", tool}, {"arguments", arguments}}}};
  Json msg{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", Json::array({call})}};
  return Json{{"id", "c1"}, {"object", "chat.completion"},
              {"choices", Json::array({{{"index", 0}, {"message", msg}, {"finish_reason", "tool_calls"}}})},
              {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}}}}
      .dump();
}

std::string completion_with_text(std::string_view text) {
  Json msg{{"role", "assistant"}, {"content", text}};
  return Json{{"id", "c2"}, {"object", "chat.completion"},
              {"choices", Json::array({{{"index", 0}, {"message", msg}, {"finish_reason", "stop"}}})},
              {"usage", {{"prompt_tokens", 20}, {"completion_tokens", 3}, {"total_tokens", 23}}}}
      .dump();
}

std::string sse(const std::vector<std::string>& datas) {
  std::string events;
  for (const auto& d : datas) events += "data: " + d + "\n\n";
  events += "data: [DONE]\n\n";
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(events) +
         "0\r\n\r\n";
}

std::string stream_with_call(std::string_view tool, std::string_view arguments) {
  Json first{{"choices", Json::array({{{"index", 0},
                                       {"delta", {{"role", "assistant"}, {"content", "Let me look. "},
                                                  {"tool_calls", Json::array({{{"index", 0}, {"id", "call_9"},
                                                                               {"type", "function"},
                                                                               {"function", {{"name", tool}, {"arguments", ""}}}}})}}},
                                       {"finish_reason", nullptr}}})}};
  Json args{{"choices", Json::array({{{"index", 0},
                                      {"delta", {{"tool_calls", Json::array({{{"index", 0}, {"function", {{"arguments", arguments}}}}})}}},
                                      {"finish_reason", nullptr}}})}};
  Json finish{{"choices", Json::array({{{"index", 0}, {"delta", Json::object()}, {"finish_reason", "tool_calls"}}})}};
  Json usage{{"choices", Json::array()}, {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}}}};
  return sse({first.dump(), args.dump(), finish.dump(), usage.dump()});
}

std::string stream_with_text(std::string_view a, std::string_view b) {
  auto delta = [](std::string_view t) {
    return Json{{"choices", Json::array({{{"index", 0}, {"delta", {{"content", t}}}, {"finish_reason", nullptr}}})}}.dump();
  };
  Json finish{{"choices", Json::array({{{"index", 0}, {"delta", Json::object()}, {"finish_reason", "stop"}}})}};
  Json usage{{"choices", Json::array()}, {"usage", {{"prompt_tokens", 20}, {"completion_tokens", 3}, {"total_tokens", 23}}}};
  return sse({delta(a), delta(b), finish.dump(), usage.dump()});
}

// A gateway with one MCP tool, mcp_echo, whose server (a second fake) echoes its text argument.
struct LoopGateway {
  SeenRequests provider_seen, mcp_seen;
  ToolRecorder recorder;
  Gateway g;
  std::optional<FakeUpstream> mcp;
  tools::ToolRegistry registry{tools::RegistryOptions{}};
  std::shared_ptr<tools::ToolCatalog> catalog = std::make_shared<tools::ToolCatalog>();

  explicit LoopGateway(std::function<std::string(const SeenRequest&)> provider, std::int64_t max_calls = 10) {
    g.load({{"OPENAI_API_URL", g.upstream->url("/v1")}, {"OPENAI_API_KEY", "sk-test"}});
    g.state.recorder = &recorder;
    g.state.tools = &registry;
    g.state.tool_max_iterations = max_calls;
    g.upstream->serve(record_and_answer(provider_seen, std::move(provider)));
    mcp.emplace(g.io());
    mcp->serve(record_and_answer(mcp_seen, [](const SeenRequest& r) {
      auto rpc = Json::parse(r.body());
      std::string text = "echoed " + rpc["params"]["arguments"].value("text", std::string{"?"});
      Json result{{"content", Json::array({{{"type", "text"}, {"text", text}}})}};
      return canned_response(200, Json{{"jsonrpc", "2.0"}, {"id", rpc["id"]}, {"result", result}}.dump());
    }));
    tools::Source s;
    s.url = s.endpoint = mcp->url("/mcp");
    s.up = true;
    catalog->sources.push_back(s);
    catalog->tools.push_back(tools::Tool{"mcp_echo", tools::SourceKind::mcp, 0, "echo", "Echoes", R"({"type":"object"})"});
  }

  Reply chat(std::string_view body, bool stream) {
    std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string{body};
    auto& ex = g.start(request);
    ex.ctx.provider = "openai";
    ex.ctx.model = "gpt-4o";
    UpstreamRequest req{"POST", "/v1/chat/completions"};
    req.set("Content-Type", "application/json");
    req.body() = std::string{body};
    g.run([&]() -> awaitable<void> {
      co_await run_tool_loop(ex, g.provider("openai"), req, stream, catalog);
    });
    return g.reply();
  }
};

const std::string kAsk = R"({"model":"gpt-4o","messages":[{"role":"user","content":"echo hi"}]})";

}  // namespace

TEST_SUITE("tool_loop") {
  TEST_CASE("bypasses_tools: any value but false / 0 / empty") {
    CHECK(bypasses_tools("true"));
    CHECK(bypasses_tools("1"));
    CHECK(bypasses_tools("yes"));
    CHECK_FALSE(bypasses_tools(""));
    CHECK_FALSE(bypasses_tools("0"));
    CHECK_FALSE(bypasses_tools("FALSE"));
  }

  TEST_CASE("non-streaming: the call is run, its result fed back, the final answer returned with the loop's usage") {
    LoopGateway lg{[](const SeenRequest& r) {
      auto body = Json::parse(r.body());
      return canned_response(200, tool_results(body) == 0 ? completion_with_call("mcp_echo", R"({"text":"hi"})")
                                                            : completion_with_text("done"));
    }};
    auto r = lg.chat(kAsk, false);
    CHECK(r.status() == 200);
    auto body = Json::parse(r.body);
    CHECK(body["choices"][0]["message"]["content"] == "done");
    CHECK(body["usage"]["prompt_tokens"] == 30);
    CHECK(body["usage"]["completion_tokens"] == 8);
    CHECK(body["usage"]["total_tokens"] == 38);
    REQUIRE(lg.provider_seen.size() == 2);
    auto first = Json::parse(lg.provider_seen[0].body());
    REQUIRE(first["tools"].size() == 1);
    CHECK(first["tools"][0]["function"]["name"] == "mcp_echo");
    auto second = Json::parse(lg.provider_seen[1].body());
    const auto& msgs = second["messages"];
    REQUIRE(msgs.size() == 3);
    CHECK(msgs[1]["role"] == "assistant");
    CHECK(msgs[1]["tool_calls"][0]["function"]["name"] == "mcp_echo");
    CHECK(msgs[2] == Json{{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "echoed hi"}});
    REQUIRE(lg.mcp_seen.size() == 1);
    auto rpc = Json::parse(lg.mcp_seen[0].body());
    CHECK(rpc["method"] == "tools/call");
    CHECK(rpc["params"]["name"] == "echo");
    CHECK(rpc["params"]["arguments"] == Json{{"text", "hi"}});
    REQUIRE(lg.recorder.calls.size() == 1);
    const auto& c = lg.recorder.calls[0];
    CHECK(c.type == "mcp");
    CHECK(c.name == "mcp_echo");
    CHECK(c.success);
    REQUIRE(c.ms.has_value());
    CHECK(*c.ms >= 0);
    CHECK(lg.g.ctx.usage.total_tokens == 38);
    CHECK(lg.g.ctx.tool_calls.empty());  // igw's own calls are not function calls
  }

  TEST_CASE("a client's own tools stay; a call to one of them ends the loop and goes to the client") {
    LoopGateway lg{[](const SeenRequest&) { return canned_response(200, completion_with_call("get_time", "{}")); }};
    lg.g.ctx.offered_tools = {"get_time"};
    auto r = lg.chat(R"({"model":"gpt-4o","messages":[{"role":"user","content":"t"}],"tools":[{"type":"function","function":{"name":"get_time"}}]})",
                     false);
    CHECK(r.status() == 200);
    CHECK(Json::parse(r.body)["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_time");
    REQUIRE(lg.provider_seen.size() == 1);
    auto sent = Json::parse(lg.provider_seen[0].body());
    REQUIRE(sent["tools"].size() == 2);
    CHECK(sent["tools"][0]["function"]["name"] == "get_time");
    CHECK(sent["tools"][1]["function"]["name"] == "mcp_echo");
    CHECK(lg.mcp_seen.empty());
    REQUIRE(lg.g.ctx.tool_calls.size() == 1);
    CHECK(lg.g.ctx.tool_calls[0].name == "get_time");
  }

  TEST_CASE("streaming: only content reaches the client, the tool rounds' deltas held back, one [DONE] at the end") {
    LoopGateway lg{[](const SeenRequest& r) {
      auto body = Json::parse(r.body());
      return tool_results(body) == 0 ? stream_with_call("mcp_echo", R"({"text":"yo"})") : stream_with_text("all", " done");
    }};
    auto r = lg.chat(R"({"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"echo"}]})", true);
    CHECK(r.status() == 200);
    CHECK(r.complete);
    CHECK(r.body.find("tool_calls") == std::string::npos);
    std::string content;
    int done = 0;
    Json usage;
    std::string_view rest = r.body;
    while (!rest.empty()) {
      auto end = rest.find("\n\n");
      auto ev = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
      if (!ev.starts_with("data: ")) continue;
      auto data = ev.substr(6);
      if (data == "[DONE]") {
        ++done;
        CHECK(rest.empty());
        continue;
      }
      auto j = Json::parse(data);
      if (j.contains("usage") && j["usage"].is_object()) usage = j["usage"];
      if (!j["choices"].empty() && j["choices"][0]["delta"].contains("content"))
        content += j["choices"][0]["delta"]["content"].get<std::string>();
    }
    CHECK(done == 1);
    CHECK(content == "Let me look. all done");  // every round's content, as it came
    CHECK(usage["total_tokens"] == 38);
    REQUIRE(lg.provider_seen.size() == 2);
    auto second = Json::parse(lg.provider_seen[1].body());
    CHECK(second["messages"][1]["content"] == "Let me look. ");
    CHECK(second["messages"][1]["tool_calls"][0]["id"] == "call_9");
    CHECK(second["messages"][1]["tool_calls"][0]["function"]["arguments"] == R"({"text":"yo"})");
    CHECK(second["messages"][2]["content"] == "echoed yo");
  }

  TEST_CASE("a model that never stops calling tools: 502 tool_loop_limit after the last allowed model call") {
    LoopGateway lg{[](const SeenRequest&) { return canned_response(200, completion_with_call("mcp_echo", "{}")); }, 3};
    auto r = lg.chat(kAsk, false);
    CHECK(r.status() == 502);
    CHECK(Json::parse(r.body)["error"]["code"] == errors::code::tool_loop_limit);
    CHECK(lg.provider_seen.size() == 3);
    CHECK(lg.mcp_seen.size() == 2);
  }

  TEST_CASE("a tool server that is down: the model is told, the failure counted as unavailable") {
    LoopGateway lg{[](const SeenRequest& r) {
      auto body = Json::parse(r.body());
      if (tool_results(body) == 0) return canned_response(200, completion_with_call("mcp_echo", "{}"));
      return canned_response(200, completion_with_text(body["messages"].back()["content"].get<std::string>()));
    }};
    lg.catalog->sources[0].up = false;
    auto r = lg.chat(kAsk, false);
    CHECK(r.status() == 200);
    CHECK(Json::parse(r.body)["choices"][0]["message"]["content"].get<std::string>().starts_with("error: the server"));
    REQUIRE(lg.recorder.calls.size() == 1);
    CHECK_FALSE(lg.recorder.calls[0].success);
    CHECK(lg.recorder.calls[0].error == "unavailable");
    CHECK(lg.mcp_seen.empty());
  }

  TEST_CASE("a provider error in the first round is relayed like any other") {
    LoopGateway lg{[](const SeenRequest&) { return canned_response(429, R"({"error":{"message":"slow down"}})"); }};
    auto r = lg.chat(kAsk, false);
    CHECK(r.status() == 429);
    CHECK(error_message(r.body) == "slow down");
  }
}
