#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../data_plane.hpp"
#include "rpc_fixtures.hpp"
#include "server/fetch.hpp"
#include "server/tools/a2a.hpp"
#include "telemetry/catalog.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace igw::server::tools;
using namespace std::chrono_literals;
using nlohmann::json;
namespace te = igw::telemetry::tool_error;

namespace {

const FetchLimits kLimits{.timeout = 2s, .max_body = 1 << 20};

json card_json(const std::string& rpc_url) {
  return json{{"name", "Weather"},
              {"description", "Forecasts for any city."},
              {"url", rpc_url},
              {"version", "1.0.0"},
              {"capabilities", json::object()},
              {"skills", json::array({{{"id", "f"}, {"name", "forecast"}}, {{"id", "a"}, {"name", "alerts"}}})}};
}

json agent_message_result(std::string_view text) {
  return json{{"kind", "message"},
              {"role", "agent"},
              {"messageId", "m-1"},
              {"parts", json::array({{{"kind", "text"}, {"text", text}}})}};
}

const std::regex kUuid4{"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};

}  // namespace

TEST_SUITE("tools/a2a") {
  TEST_CASE("a2a: agent_card_url puts the well-known path under the base; a .json URL is the card") {
    CHECK(agent_card_url("http://agent:9999") == "http://agent:9999/.well-known/agent-card.json");
    CHECK(agent_card_url("http://agent:9999/") == "http://agent:9999/.well-known/agent-card.json");
    CHECK(agent_card_url("http://agent:9999//") == "http://agent:9999/.well-known/agent-card.json");
    CHECK(agent_card_url("https://host/agents/weather") == "https://host/agents/weather/.well-known/agent-card.json");
    CHECK(agent_card_url("https://host/agents/weather/") == "https://host/agents/weather/.well-known/agent-card.json");
    CHECK(agent_card_url("https://host/cards/weather.json") == "https://host/cards/weather.json");
    CHECK(agent_card_url("http://h/.well-known/agent.json") == "http://h/.well-known/agent.json");
  }

  TEST_CASE("a2a: parse_agent_card takes name, url and description, with the skills named") {
    auto card = parse_agent_card(card_json("http://agent/rpc").dump());
    REQUIRE_MESSAGE(card, card.error());
    CHECK(card->name == "Weather");
    CHECK(card->url == "http://agent/rpc");
    CHECK(card->description.starts_with("Forecasts for any city."));
    CHECK(card->description.find("forecast") != std::string::npos);
    CHECK(card->description.find("alerts") != std::string::npos);
    CHECK(card->description == "Forecasts for any city. Skills: forecast, alerts.");

    auto no_description = parse_agent_card(R"({"name":"N","url":"http://u","skills":[{"name":"only"},{"id":"x"},7]})");
    REQUIRE(no_description);
    CHECK(no_description->description == "Skills: only.");
    auto no_skills = parse_agent_card(R"({"name":"N","url":"http://u","description":"D","skills":[]})");
    REQUIRE(no_skills);
    CHECK(no_skills->description == "D");
  }

  TEST_CASE("a2a: parse_agent_card requires a name and a url") {
    CHECK_FALSE(parse_agent_card(R"({"url":"http://u"})"));
    CHECK_FALSE(parse_agent_card(R"({"name":"","url":"http://u"})"));
    CHECK_FALSE(parse_agent_card(R"({"name":5,"url":"http://u"})"));
    CHECK_FALSE(parse_agent_card(R"({"name":"N"})"));
    CHECK_FALSE(parse_agent_card(R"({"name":"N","url":""})"));
    CHECK_FALSE(parse_agent_card(R"({"name":"N","url":["http://u"]})"));
    CHECK_FALSE(parse_agent_card(R"([{"name":"N","url":"http://u"}])"));
    CHECK_FALSE(parse_agent_card("<html>"));
    auto e = parse_agent_card(R"({"name":"N"})");
    REQUIRE_FALSE(e);
    CHECK(e.error().find("url") != std::string::npos);
    auto n = parse_agent_card(R"({"url":"http://u"})");
    REQUIRE_FALSE(n);
    CHECK(n.error().find("name") != std::string::npos);
  }

  TEST_CASE("a2a: agent_tool takes the agent's name and a schema requiring a string \"message\"") {
    AgentCard card{"Weather", "Forecasts. Skills: forecast.", "http://agent/rpc"};
    auto tool = agent_tool(card);
    CHECK(tool.remote_name == "Weather");
    CHECK(tool.description.find("Weather") != std::string::npos);
    CHECK(tool.description.find("Forecasts. Skills: forecast.") != std::string::npos);
    const json schema = json::parse(tool.input_schema, nullptr, false);
    REQUIRE(schema.is_object());
    CHECK(schema["type"] == "object");
    CHECK(schema["properties"]["message"]["type"] == "string");
    CHECK(schema["required"] == json::array({"message"}));
  }

  TEST_CASE("a2a: send_params is a message/send params object: a user message with a fresh uuid and a text part") {
    const std::string text = "What's the \"weather\"\nin Paris?";
    const json p = json::parse(send_params(text), nullptr, false);
    REQUIRE(p.is_object());
    const json& m = p["message"];
    CHECK(m["kind"] == "message");
    CHECK(m["role"] == "user");
    REQUIRE(m["messageId"].is_string());
    const auto id = m["messageId"].get<std::string>();
    CAPTURE(id);
    CHECK(std::regex_match(id, kUuid4));
    REQUIRE(m["parts"].is_array());
    REQUIRE(m["parts"].size() == 1);
    CHECK(m["parts"][0]["kind"] == "text");
    CHECK(m["parts"][0]["text"] == text);

    const json again = json::parse(send_params(text));
    CHECK(again["message"]["messageId"] != m["messageId"]);
    CHECK(std::regex_match(again["message"]["messageId"].get<std::string>(), kUuid4));
  }

  TEST_CASE("a2a: parse_send_result of a message: its parts' text") {
    auto r = parse_send_result(R"({"kind":"message","role":"agent","messageId":"m",
        "parts":[{"kind":"text","text":"Sunny"},{"kind":"data","data":{"t":21}},{"kind":"file","file":{"uri":"x"}}]})");
    REQUIRE(r);
    CHECK(r->text == "Sunny\n{\"t\":21}");
    CHECK_FALSE(r->is_error);
  }

  TEST_CASE("a2a: parse_send_result of a completed task: its status message and artifacts") {
    auto r = parse_send_result(R"({"kind":"task","id":"t1","contextId":"c1",
        "status":{"state":"completed","message":{"kind":"message","role":"agent","parts":[{"kind":"text","text":"Done."}]}},
        "artifacts":[{"artifactId":"a1","parts":[{"kind":"text","text":"Report body"}]},
                     {"artifactId":"a2","parts":[{"kind":"file","file":{"uri":"x"}}]},
                     {"artifactId":"a3","parts":[{"kind":"text","text":"Appendix"}]}]})");
    REQUIRE(r);
    CHECK(r->text == "Done.\nReport body\nAppendix");
    CHECK_FALSE(r->is_error);
    auto artifacts_only = parse_send_result(
        R"({"kind":"task","status":{"state":"completed"},"artifacts":[{"parts":[{"kind":"text","text":"Only this"}]}]})");
    REQUIRE(artifacts_only);
    CHECK(artifacts_only->text == "Only this");
    CHECK_FALSE(artifacts_only->is_error);
    auto bare = parse_send_result(R"({"kind":"task","status":{"state":"completed"}})");
    REQUIRE(bare);
    CHECK(bare->text == "task completed");
    CHECK_FALSE(bare->is_error);
  }

  TEST_CASE("a2a: parse_send_result of a failed, rejected or canceled task is an error result") {
    auto failed = parse_send_result(
        R"({"kind":"task","status":{"state":"failed","message":{"parts":[{"kind":"text","text":"quota exceeded"}]}}})");
    REQUIRE(failed);
    CHECK(failed->is_error);
    CHECK(failed->text == "quota exceeded");
    auto rejected = parse_send_result(R"({"kind":"task","status":{"state":"rejected"}})");
    REQUIRE(rejected);
    CHECK(rejected->is_error);
    CHECK(rejected->text == "task rejected");
    auto canceled = parse_send_result(R"({"kind":"task","status":{"state":"canceled"}})");
    REQUIRE(canceled);
    CHECK(canceled->is_error);
    auto working = parse_send_result(R"({"kind":"task","status":{"state":"working"}})");
    REQUIRE(working);
    CHECK_FALSE(working->is_error);
    auto stateless = parse_send_result(R"({"kind":"task"})");
    REQUIRE(stateless);
    CHECK(stateless->text == "task without a state");
  }

  TEST_CASE("a2a: parse_send_result of neither a message nor a task is an error") {
    CHECK_FALSE(parse_send_result(R"({"kind":"status-update","status":{"state":"completed"}})"));
    CHECK_FALSE(parse_send_result(R"({"parts":[{"kind":"text","text":"x"}]})"));
    CHECK_FALSE(parse_send_result(R"({})"));
    CHECK_FALSE(parse_send_result(R"([])"));
    CHECK_FALSE(parse_send_result("nope"));
    auto e = parse_send_result(R"({"kind":"artifact-update"})");
    REQUIRE_FALSE(e);
    CHECK(e.error().find("message/send") != std::string::npos);
  }

  TEST_CASE("a2a: agent_message takes the string \"message\" argument; anything else is an error") {
    auto m = agent_message(R"({"message":"hello there","extra":1})");
    REQUIRE(m);
    CHECK(*m == "hello there");
    auto empty_message = agent_message(R"({"message":""})");
    REQUIRE(empty_message);
    CHECK(empty_message->empty());
    CHECK_FALSE(agent_message(R"({})"));
    CHECK_FALSE(agent_message(""));
    CHECK_FALSE(agent_message(R"({"text":"hi"})"));
    CHECK_FALSE(agent_message(R"({"message":42})"));
    CHECK_FALSE(agent_message(R"({"message":["hi"]})"));
    CHECK_FALSE(agent_message(R"(["hi"])"));
    CHECK_FALSE(agent_message(R"("hi")"));
    CHECK_FALSE(agent_message("{\"message\":"));
    auto not_object = agent_message("[1]");
    REQUIRE_FALSE(not_object);
    CHECK(not_object.error() == "the arguments are not a JSON object");
    auto no_message = agent_message(R"({"q":"x"})");
    REQUIRE_FALSE(no_message);
    CHECK(no_message.error().find("message") != std::string::npos);
  }

  TEST_CASE("a2a: a2a_fetch_card GETs <base>/.well-known/agent-card.json and parses it") {
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    const std::string rpc_url = server.url("/agents/weather/rpc");
    server.serve(record_and_answer(seen, [&](const SeenRequest&) { return http_response(200, card_json(rpc_url).dump()); }));
    std::string base;
    std::string expected_target;
    SUBCASE("a base URL") {
      base = server.url("/agents/weather");
      expected_target = "/agents/weather/.well-known/agent-card.json";
    }
    SUBCASE("a base URL with a trailing slash") {
      base = server.url("/agents/weather/");
      expected_target = "/agents/weather/.well-known/agent-card.json";
    }
    SUBCASE("the server itself") {
      base = server.url("");
      expected_target = "/.well-known/agent-card.json";
    }
    SUBCASE("the card's own URL") {
      base = server.url("/cards/weather.json");
      expected_target = "/cards/weather.json";
    }
    auto card = run(io, [&] { return a2a_fetch_card(base, nullptr, kLimits); });
    REQUIRE_MESSAGE(card, card.error().message);
    CHECK(card->name == "Weather");
    CHECK(card->url == rpc_url);
    CHECK(card->description.find("forecast") != std::string::npos);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method() == http::verb::get);
    CHECK(target_of(seen[0]) == expected_target);
    CHECK(seen[0].body().empty());
    CHECK_FALSE(has(seen[0], "Authorization"));
  }

  TEST_CASE("a2a: a2a_fetch_card failures: HTTP 404, a card without url, a closed port") {
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    std::function<std::string(const SeenRequest&)> respond;
    server.serve(record_and_answer(seen, [&](const SeenRequest& r) { return respond(r); }));
    SUBCASE("404") {
      respond = [](const SeenRequest&) { return http_response(404, "no card", "text/plain"); };
      const auto base = server.url("");
      auto card = run(io, [&] { return a2a_fetch_card(base, nullptr, kLimits); });
      REQUIRE_FALSE(card);
      CHECK(card.error().error_type == te::http_status);
      CHECK(card.error().http_status == 404);
    }
    SUBCASE("no url") {
      respond = [](const SeenRequest&) { return http_response(200, R"({"name":"Weather"})"); };
      const auto base = server.url("");
      auto card = run(io, [&] { return a2a_fetch_card(base, nullptr, kLimits); });
      REQUIRE_FALSE(card);
      CHECK(card.error().error_type == te::protocol);
    }
    SUBCASE("closed port") {
      const auto base = "http://127.0.0.1:" + std::to_string(closed_port());
      auto card = run(io, [&] { return a2a_fetch_card(base, nullptr, kLimits); });
      REQUIRE_FALSE(card);
      CHECK(card.error().error_type == te::connect);
    }
  }

  TEST_CASE("a2a: a2a_send POSTs message/send to the card's url and returns the reply's text") {
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(record_and_answer(seen, [&](const SeenRequest& r) {
      if (r.method() == http::verb::get) return http_response(200, card_json(server.url("/rpc")).dump());
      const json b = body_of(r);
      const std::string said = b["params"]["message"]["parts"][0]["text"].get<std::string>();
      return http_response(200, result_text(b["id"], agent_message_result("You said: " + said)));
    }));
    const std::string base = server.url("/");
    const std::string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    auto card = run(io, [&] { return a2a_fetch_card(base, nullptr, kLimits); });
    REQUIRE_MESSAGE(card, card.error().message);
    const std::string endpoint = card->url;
    auto r = run(io, [&] { return a2a_send(endpoint, "Weather in Paris?", traceparent, nullptr, kLimits); });
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(r->text == "You said: Weather in Paris?");
    CHECK_FALSE(r->is_error);

    REQUIRE(seen.size() == 2);
    CHECK(target_of(seen[0]) == "/.well-known/agent-card.json");
    const auto& req = seen[1];
    CHECK(req.method() == http::verb::post);
    CHECK(target_of(req) == "/rpc");
    CHECK(field(req, "Content-Type") == "application/json");
    CHECK(field(req, "Accept") == "application/json");
    CHECK(field(req, "traceparent") == traceparent);
    CHECK_FALSE(has(req, "Authorization"));
    const json b = body_of(req);
    CHECK(b["jsonrpc"] == "2.0");
    CHECK(b["method"] == "message/send");
    CHECK(b["id"].is_number_integer());
    CHECK(b["params"]["message"]["role"] == "user");
    CHECK(b["params"]["message"]["kind"] == "message");
    CHECK(b["params"]["message"]["parts"][0]["text"] == "Weather in Paris?");
  }

  TEST_CASE("a2a: a2a_send maps a failed task, a JSON-RPC error, an HTTP error and a shapeless result") {
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    std::function<std::string(const json&)> result_for;  // the response to one request's body
    server.serve(record_and_answer(seen, [&](const SeenRequest& r) { return result_for(body_of(r)); }));
    const auto endpoint = server.url("/rpc");
    SUBCASE("failed task: an error result") {
      result_for = [](const json& b) {
        return http_response(200, result_text(b["id"], {{"kind", "task"},
                                                        {"status", {{"state", "failed"},
                                                                    {"message", {{"parts", json::array({{{"kind", "text"}, {"text", "no such city"}}})}}}}}}));
      };
      auto r = run(io, [&] { return a2a_send(endpoint, "x", "", nullptr, kLimits); });
      REQUIRE(r);
      CHECK(r->is_error);
      CHECK(r->text == "no such city");
      REQUIRE(seen.size() == 1);
      CHECK_FALSE(has(seen[0], "traceparent"));
    }
    SUBCASE("JSON-RPC error") {
      result_for = [](const json& b) {
        return http_response(200, json{{"jsonrpc", "2.0"}, {"id", b["id"]}, {"error", {{"code", -32001}, {"message", "Task not found"}}}}.dump());
      };
      auto r = run(io, [&] { return a2a_send(endpoint, "x", "", nullptr, kLimits); });
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::rpc_error);
      CHECK(r.error().message.find("message/send") != std::string::npos);
    }
    SUBCASE("HTTP 503") {
      result_for = [](const json&) { return http_response(503, "busy", "text/plain"); };
      auto r = run(io, [&] { return a2a_send(endpoint, "x", "", nullptr, kLimits); });
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::http_status);
      CHECK(r.error().http_status == 503);
    }
    SUBCASE("a result that is neither message nor task") {
      result_for = [](const json& b) { return http_response(200, result_text(b["id"], {{"kind", "other"}})); };
      auto r = run(io, [&] { return a2a_send(endpoint, "x", "", nullptr, kLimits); });
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::protocol);
    }
  }
}
