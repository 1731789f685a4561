#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "mock/mcp.hpp"
#include "mock/router.hpp"

using namespace igw::mock;
using nlohmann::json;

namespace {

const Headers kClientHeaders{{"accept", "application/json, text/event-stream"},
                             {"content-type", "application/json"}};

Request mcp_post(const std::string& body, const std::string& session = "", Headers extra = {}) {
  Headers headers = kClientHeaders;
  if (!session.empty()) headers.emplace_back("mcp-session-id", session);
  for (auto& h : extra) headers.push_back(std::move(h));
  return Request{"POST", "/mcp", std::move(headers), body};
}

std::string rpc(int id, const std::string& method, const json& params = json::object()) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
}

std::string initialize_body(const std::string& version = "2025-06-18") {
  return rpc(1, "initialize",
             {{"protocolVersion", version},
              {"capabilities", json::object()},
              {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
}

std::string header_of(const Reply& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// Opens a session as a client does: initialize, then the initialized notification.
std::string open_session(State& state) {
  auto r = mcp_reply(mcp_post(initialize_body()), state);
  REQUIRE(r.status == 200);
  std::string id = header_of(r, "Mcp-Session-Id");
  REQUIRE(!id.empty());
  REQUIRE(
      mcp_reply(mcp_post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", id), state).status ==
      202);
  return id;
}

// The result of a tools/call (status 200 and no JSON-RPC error required).
json call(State& state, const std::string& session, const json& params) {
  auto r = mcp_reply(mcp_post(rpc(7, "tools/call", params), session), state);
  REQUIRE(r.status == 200);
  auto doc = json::parse(r.body);
  REQUIRE(doc.contains("result"));
  CHECK(doc["id"] == 7);
  return doc["result"];
}

// The JSON-RPC error of a reply, checked to have `status`.
json error_of(const Reply& r, int status) {
  CHECK(r.status == status);
  CHECK(r.content_type == "application/json");
  auto doc = json::parse(r.body);
  REQUIRE(doc.contains("error"));
  CHECK(doc["jsonrpc"] == "2.0");
  return doc["error"];
}

}  // namespace

TEST_SUITE("mock/mcp") {
  TEST_CASE("initialize: the client's version when spoken, else the newest; a fresh session id each time") {
    State state(0);
    for (std::string v : {"2025-06-18", "2025-03-26", "2024-11-05", "1999-01-01"}) {
      CAPTURE(v);
      auto r = mcp_reply(mcp_post(initialize_body(v)), state);
      REQUIRE(r.status == 200);
      CHECK(r.content_type == "application/json");
      auto doc = json::parse(r.body);
      CHECK(doc["jsonrpc"] == "2.0");
      CHECK(doc["id"] == 1);
      const auto& result = doc["result"];
      CHECK(result["protocolVersion"] == (v == "1999-01-01" ? "2025-06-18" : v));
      CHECK(result["capabilities"] == json{{"tools", json::object()}});
      CHECK(result["serverInfo"]["name"] == "igw-mock");
      CHECK(!result["serverInfo"]["version"].get<std::string>().empty());
    }
    auto a = header_of(mcp_reply(mcp_post(initialize_body()), state), "Mcp-Session-Id");
    auto b = header_of(mcp_reply(mcp_post(initialize_body()), state), "Mcp-Session-Id");
    CHECK(a.size() == 32);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(a != b);
    // A session header on initialize is ignored: a new session starts.
    auto again = mcp_reply(mcp_post(initialize_body(), a), state);
    CHECK(header_of(again, "Mcp-Session-Id") != a);
    // A string id is echoed as it came.
    auto s = json::parse(mcp_reply(mcp_post(R"({"jsonrpc":"2.0","id":"x1","method":"initialize",
      "params":{"protocolVersion":"2025-03-26"}})"),
                                   state)
                             .body);
    CHECK(s["id"] == "x1");
    auto bad = mcp_reply(mcp_post(rpc(2, "initialize", {{"capabilities", json::object()}})), state);
    CHECK(error_of(bad, 200)["code"] == mcp_error::invalid_params);
    CHECK(header_of(bad, "Mcp-Session-Id").empty());
  }

  TEST_CASE("notifications and responses alone are accepted with 202 and no body") {
    State state(0);
    auto session = open_session(state);
    for (std::string body :
         {R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})",
          R"({"jsonrpc":"2.0","id":5,"result":{}})",
          R"([{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}])"}) {
      CAPTURE(body);
      auto r = mcp_reply(mcp_post(body, session), state);
      CHECK(r.status == 202);
      CHECK(r.body.empty());
      CHECK(r.content_type.empty());
    }
  }

  TEST_CASE("tools/list: get_weather and lookup_order with descriptions and input schemas") {
    State state(0);
    auto session = open_session(state);
    auto r = mcp_reply(mcp_post(rpc(3, "tools/list"), session), state);
    REQUIRE(r.status == 200);
    CHECK(header_of(r, "Mcp-Session-Id") == session);
    auto doc = json::parse(r.body);
    CHECK(doc["id"] == 3);
    const auto& tools = doc["result"]["tools"];
    REQUIRE(tools.size() == 2);
    CHECK_FALSE(doc["result"].contains("nextCursor"));
    CHECK(tools[0]["name"] == "get_weather");
    CHECK(tools[0]["inputSchema"]["type"] == "object");
    CHECK(tools[0]["inputSchema"]["properties"]["city"]["type"] == "string");
    CHECK(tools[0]["inputSchema"]["required"] == json::array({"city"}));
    CHECK(tools[1]["name"] == "lookup_order");
    CHECK(tools[1]["inputSchema"]["properties"]["order_id"]["type"] == "string");
    CHECK(tools[1]["inputSchema"]["properties"]["fail"]["type"] == "boolean");
    CHECK(tools[1]["inputSchema"]["required"] == json::array({"order_id"}));
    for (const auto& t : tools) CHECK(!t["description"].get<std::string>().empty());
  }

  TEST_CASE("tools/call: text results, isError for a failed order and for an unknown tool") {
    State state(0);
    auto session = open_session(state);
    auto weather = call(state, session, {{"name", "get_weather"}, {"arguments", {{"city", "Paris"}}}});
    CHECK(weather == json{{"content", json::array({{{"type", "text"}, {"text", "Sunny in Paris, 21 C"}}})}});
    auto shipped = call(state, session, {{"name", "lookup_order"}, {"arguments", {{"order_id", "A-1"}}}});
    CHECK(shipped["content"][0]["text"] == "order A-1: shipped");
    CHECK_FALSE(shipped.contains("isError"));
    auto kept = call(state, session,
                     {{"name", "lookup_order"}, {"arguments", {{"order_id", "A-2"}, {"fail", false}}}});
    CHECK(kept["content"][0]["text"] == "order A-2: shipped");
    auto failed = call(state, session,
                       {{"name", "lookup_order"}, {"arguments", {{"order_id", "A-3"}, {"fail", true}}}});
    CHECK(failed["isError"] == true);
    CHECK(failed["content"][0] == json{{"type", "text"}, {"text", "order A-3 not found"}});
    auto unknown = call(state, session, {{"name", "nope"}, {"arguments", json::object()}});
    CHECK(unknown["isError"] == true);
    CHECK(unknown["content"][0]["text"] == "Tool nope not found");
  }

  TEST_CASE("tools/call with bad params: JSON-RPC invalid params") {
    State state(0);
    auto session = open_session(state);
    for (json params :
         {json{{"arguments", {{"city", "Paris"}}}},                       // no name
          json{{"name", 3}},                                              // name not a string
          json{{"name", "get_weather"}, {"arguments", "Paris"}},          // arguments not an object
          json{{"name", "get_weather"}},                                  // city missing
          json{{"name", "get_weather"}, {"arguments", {{"city", 7}}}},    // city not a string
          json{{"name", "lookup_order"}, {"arguments", json::object()}},  // order_id missing
          json{{"name", "lookup_order"}, {"arguments", {{"order_id", "A"}, {"fail", "yes"}}}}}) {
      CAPTURE(params.dump());
      auto r = mcp_reply(mcp_post(rpc(9, "tools/call", params), session), state);
      auto doc = json::parse(r.body);
      CHECK(r.status == 200);  // a JSON-RPC error answers the request: the transport is fine
      CHECK(doc["id"] == 9);
      CHECK(doc["error"]["code"] == mcp_error::invalid_params);
    }
    auto r = mcp_reply(mcp_post(rpc(9, "tools/call", {{"name", "get_weather"}}), session), state);
    CHECK(json::parse(r.body)["error"]["message"] ==
          "Invalid arguments for tool get_weather: city: expected a string");
  }

  TEST_CASE("ping answers {}, an unknown method is method-not-found") {
    State state(0);
    auto session = open_session(state);
    CHECK(json::parse(mcp_reply(mcp_post(rpc(4, "ping"), session), state).body)["result"] == json::object());
    auto r = mcp_reply(mcp_post(rpc(5, "resources/list"), session), state);
    auto doc = json::parse(r.body);
    CHECK(r.status == 200);
    CHECK(doc["id"] == 5);
    CHECK(doc["error"]["code"] == mcp_error::method_not_found);
  }

  TEST_CASE("a request without a session is a 400, with an unknown one a 404") {
    State state(0);
    open_session(state);
    auto missing = mcp_reply(mcp_post(rpc(2, "tools/list")), state);
    auto e = error_of(missing, 400);
    CHECK(e["code"] == -32000);
    CHECK(e["message"] == "Bad Request: Mcp-Session-Id header is required");
    CHECK(json::parse(missing.body)["id"].is_null());
    auto note = mcp_reply(mcp_post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"), state);
    CHECK(error_of(note, 400)["code"] == -32000);
    auto unknown = mcp_reply(mcp_post(rpc(2, "tools/list"), "0123456789abcdef0123456789abcdef"), state);
    e = error_of(unknown, 404);
    CHECK(e["code"] == -32001);
    CHECK(e["message"] == "Session not found");
  }

  TEST_CASE("malformed JSON is a 400 parse error, a non-JSON-RPC message a 400 invalid request") {
    State state(0);
    auto session = open_session(state);
    CHECK(error_of(mcp_reply(mcp_post("{", session), state), 400)["code"] == -32700);
    CHECK(error_of(mcp_reply(mcp_post("", session), state), 400)["code"] == -32700);
    for (std::string body : {R"({"id":1,"method":"ping"})",                     // no jsonrpc
                             R"({"jsonrpc":"2.0","id":null,"method":"ping"})",  // null id
                             R"({"jsonrpc":"2.0","id":1,"method":5})",          // method not a string
                             R"({"jsonrpc":"2.0","id":1})",  // neither request nor response
                             R"([])", R"(42)"}) {
      CAPTURE(body);
      CHECK(error_of(mcp_reply(mcp_post(body, session), state), 400)["code"] == -32600);
    }
  }

  TEST_CASE("Accept must list application/json and text/event-stream (406); the body must be JSON (415)") {
    State state(0);
    auto with = [&](Headers headers) {
      return mcp_reply(Request{"POST", "/mcp", std::move(headers), initialize_body()}, state);
    };
    CHECK(with(kClientHeaders).status == 200);
    CHECK(
        with({{"accept", "text/event-stream, application/json;q=0.9"}, {"content-type", "application/json"}})
            .status == 200);
    auto only_json = with({{"accept", "application/json"}, {"content-type", "application/json"}});
    CHECK(error_of(only_json, 406)["message"] ==
          "Not Acceptable: Client must accept both application/json and text/event-stream");
    CHECK(with({{"accept", "text/event-stream"}, {"content-type", "application/json"}}).status == 406);
    CHECK(with({{"content-type", "application/json"}}).status == 406);
    CHECK(error_of(with({{"accept", "application/json, text/event-stream"}, {"content-type", "text/plain"}}),
                   415)["code"] == -32000);
  }

  TEST_CASE("an unsupported MCP-Protocol-Version header is a 400; a supported one passes") {
    State state(0);
    auto session = open_session(state);
    auto ok =
        mcp_reply(mcp_post(rpc(2, "tools/list"), session, {{"mcp-protocol-version", "2025-03-26"}}), state);
    CHECK(ok.status == 200);
    auto bad =
        mcp_reply(mcp_post(rpc(2, "tools/list"), session, {{"mcp-protocol-version", "2030-01-01"}}), state);
    auto e = error_of(bad, 400);
    CHECK(e["code"] == -32000);
    CHECK(e["message"].get<std::string>().find("2030-01-01") != std::string::npos);
  }

  TEST_CASE("batches: one answer per request in order; initialize only alone") {
    State state(0);
    auto session = open_session(state);
    auto r = mcp_reply(
        mcp_post("[" + rpc(1, "ping") + R"(,{"jsonrpc":"2.0","method":"n"},)" + rpc(2, "tools/list") + "]",
                 session),
        state);
    REQUIRE(r.status == 200);
    auto doc = json::parse(r.body);
    REQUIRE(doc.is_array());
    REQUIRE(doc.size() == 2);
    CHECK(doc[0]["id"] == 1);
    CHECK(doc[1]["result"]["tools"].size() == 2);
    auto two = mcp_reply(mcp_post("[" + initialize_body() + "," + rpc(2, "ping") + "]", session), state);
    CHECK(error_of(two, 400)["code"] == -32600);
  }

  TEST_CASE("GET is a 405 (no SSE stream); DELETE ends a session") {
    State state(0);
    auto session = open_session(state);
    auto get = mcp_reply(Request{"GET", "/mcp", kClientHeaders, ""}, state);
    CHECK(error_of(get, 405)["code"] == -32000);
    CHECK(header_of(get, "Allow") == "POST, DELETE");
    auto del = mcp_reply(Request{"DELETE", "/mcp", {{"mcp-session-id", session}}, ""}, state);
    CHECK(del.status == 200);
    CHECK(del.body.empty());
    CHECK(mcp_reply(mcp_post(rpc(2, "ping"), session), state).status == 404);
    CHECK(mcp_reply(Request{"DELETE", "/mcp", {{"mcp-session-id", session}}, ""}, state).status == 404);
    CHECK(mcp_reply(Request{"DELETE", "/mcp", {}, ""}, state).status == 400);
  }

  TEST_CASE("sessions are capped: past the cap the oldest is dropped") {
    State state(0);
    std::string first = open_session(state);
    std::string second = open_session(state);
    for (std::size_t i = 2; i < State::kMaxMcpSessions; ++i) state.open_mcp_session();
    CHECK(state.mcp_session_known(first));
    CHECK(json::parse(state.stats_json())["mcp_sessions"] == State::kMaxMcpSessions);
    open_session(state);
    CHECK_FALSE(state.mcp_session_known(first));
    CHECK(mcp_reply(mcp_post(rpc(2, "ping"), first), state).status == 404);
    CHECK(mcp_reply(mcp_post(rpc(2, "ping"), second), state).status == 200);
    CHECK(json::parse(state.stats_json())["mcp_sessions"] == State::kMaxMcpSessions);
  }

  TEST_CASE("sessions opened from several threads at once are distinct and all known") {
    State state(0);
    constexpr int kThreads = 4, kEach = 200;
    std::vector<std::vector<std::string>> ids(kThreads);
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
          for (int i = 0; i < kEach; ++i)
            ids[t].push_back(header_of(mcp_reply(mcp_post(initialize_body()), state), "Mcp-Session-Id"));
        });
    }
    std::set<std::string> all;
    for (const auto& list : ids)
      for (const auto& id : list) {
        all.insert(id);
        CHECK(state.mcp_session_known(id));
      }
    CHECK(all.size() == kThreads * kEach);
  }

  TEST_CASE("/mock/stats counts MCP requests, tool calls and failed ones") {
    State state(0);
    auto session = open_session(state);  // 2 requests
    call(state, session, {{"name", "get_weather"}, {"arguments", {{"city", "Oslo"}}}});
    call(state, session, {{"name", "lookup_order"}, {"arguments", {{"order_id", "1"}, {"fail", true}}}});
    mcp_reply(mcp_post(rpc(1, "tools/call", {{"name", "get_weather"}}), session), state);  // invalid params
    mcp_reply(Request{"GET", "/mcp", {}, ""}, state);
    auto stats = json::parse(state.stats_json());
    CHECK(stats["mcp_requests"] == 6);
    CHECK(stats["mcp_tool_calls"] == 3);
    CHECK(stats["mcp_tool_errors"] == 2);
    CHECK(stats["mcp_sessions"] == 1);
  }
}
