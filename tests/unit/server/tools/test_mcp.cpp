#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../data_plane.hpp"
#include "rpc_fixtures.hpp"
#include "server/fetch.hpp"
#include "server/tools/mcp.hpp"
#include "telemetry/catalog.hpp"

using namespace igw::server;
using namespace igw::server::testing;
using namespace igw::server::tools;
using namespace std::chrono_literals;
using nlohmann::json;
namespace te = igw::telemetry::tool_error;

namespace {


const FetchLimits kLimits{.timeout = 2s, .max_body = 1 << 20};

constexpr std::string_view kProgress =
    R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"working"}})";

// An SSE answer in chunks: a notification first, then `message`.
std::string sse_response(std::string_view message, const Headers& extra = {}) {
  std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n";
  for (const auto& [n, v] : extra) out += n + ": " + v + "\r\n";
  out += "Transfer-Encoding: chunked\r\n\r\n";
  out += chunk("event: message\ndata: " + std::string{kProgress} + "\n\n");
  out += chunk("event: message\ndata: " + std::string{message} + "\n\n");
  return out + "0\r\n\r\n";
}

std::string rpc_error_text(const json& id, int code, std::string_view message) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}}.dump();
}

json text_content(std::string_view text, bool is_error = false) {
  json r{{"content", json::array({{{"type", "text"}, {"text", text}}})}};
  if (is_error) r["isError"] = true;
  return r;
}

// An MCP server on the Streamable HTTP transport, as far as these tests need one.
struct FakeMcp {
  std::string session_id = "sess-1";           // empty: a stateless server
  std::string protocol_version = "2025-03-26";  // what it answers initialize with
  bool sse = false;                             // answers as event streams
  bool endless = false;                         // every tools/list page names a next one
  unsigned note_status = 202;
  std::vector<json> pages;  // tools/list results; page i > 0 is asked for with cursor "p<i>"

  std::string answer(const std::string& message, const Headers& extra = {}) const {
    return sse ? sse_response(message, extra) : http_response(200, message, "application/json", extra);
  }

  std::string respond(const SeenRequest& req) const {
    const json body = body_of(req);
    if (!body.is_object()) return http_response(400, "not json", "text/plain");
    const std::string method = body.value("method", "");
    const json id = body.value("id", json{});
    const json params = body.value("params", json::object());
    if (method == "initialize") {
      Headers extra;
      if (!session_id.empty()) extra.emplace_back("Mcp-Session-Id", session_id);
      const json result{{"protocolVersion", protocol_version},
                        {"capabilities", {{"tools", json::object()}}},
                        {"serverInfo", {{"name", "fake-mcp"}, {"version", "1.0"}}}};
      return answer(result_text(id, result), extra);
    }
    if (method == "notifications/initialized") return http_response(note_status, "", "");
    if (method == "tools/list") {
      if (endless) return answer(result_text(id, {{"tools", json::array()}, {"nextCursor", "more"}}));
      std::size_t page = 0;
      if (params.contains("cursor")) page = std::stoul(params["cursor"].get<std::string>().substr(1));
      if (page >= pages.size()) return answer(rpc_error_text(id, -32602, "bad cursor"));
      return answer(result_text(id, pages[page]));
    }
    if (method == "tools/call") return call(id, params);
    return answer(rpc_error_text(id, -32601, "Method not found"));
  }

  // tools/call: what the tool named does.
  std::string call(const json& id, const json& params) const {
    const std::string name = params.value("name", "");
    const json args = params.value("arguments", json::object());
    if (name == "echo") return answer(result_text(id, text_content(args.dump())));
    if (name == "two_parts")
      return answer(result_text(
          id, {{"content", json::array({{{"type", "text"}, {"text", "one"}}, {{"type", "text"}, {"text", "two"}}})}}));
    if (name == "fails") return answer(result_text(id, text_content("boom", true)));
    if (name == "ghost") return answer(result_text(id, text_content("MCP error -32602: Tool ghost not found", true)));
    if (name == "names_another") return answer(result_text(id, text_content("Tool other not found", true)));
    if (name == "http500") return http_response(500, "internal trouble\nsecond line", "text/plain");
    if (name == "http502_long") return http_response(502, std::string(300, 'e') + "\nrest", "text/html");
    if (name == "http503_empty") return http_response(503, "", "");
    if (name == "rpc_unknown") return answer(rpc_error_text(id, -32602, "Tool rpc_unknown not found"));
    if (name == "rpc_unknown_tool") return answer(rpc_error_text(id, -32602, "Unknown tool: rpc_unknown_tool"));
    if (name == "rpc_method") return answer(rpc_error_text(id, -32601, "Method not found"));
    if (name == "rpc_invalid") return answer(rpc_error_text(id, -32602, "Invalid arguments: x is required"));
    if (name == "rpc_internal") return answer(rpc_error_text(id, -32603, "Internal error"));
    if (name == "shapeless") return answer(result_text(id, {{"foo", 1}}));
    if (name == "not_json") return http_response(200, "<html>hello</html>", "text/html");
    if (name == "other_id") return answer(result_text(id.get<std::int64_t>() + 1000, text_content("x")));
    return answer(rpc_error_text(id, -32602, "Tool " + name + " not found"));
  }

  FakeUpstream::Script script(SeenRequests& seen) const {
    return record_and_answer(seen, [this](const SeenRequest& r) { return respond(r); });
  }
};

void check_no_credentials(const SeenRequests& seen) {
  for (const auto& r : seen) {
    CHECK_FALSE(has(r, "Authorization"));
    CHECK_FALSE(has(r, "Cookie"));
  }
}

// Every request the MCP client sends: a POST to the endpoint, JSON in, JSON or SSE accepted.
void check_transport_headers(const SeenRequest& r, std::string_view target) {
  CHECK(r.method() == http::verb::post);
  CHECK(std::string_view{r.target().data(), r.target().size()} == target);
  CHECK(field(r, "Accept") == "application/json, text/event-stream");
  CHECK(field(r, "Content-Type") == "application/json");
}

McpSession session_for(const std::string& url, std::string session_id = "sess-9") {
  McpSession s;
  s.url = url;
  s.session_id = std::move(session_id);
  s.protocol_version = "2025-06-18";
  s.server_name = "fake-mcp";
  return s;
}

}  // namespace

TEST_SUITE("tools/mcp") {
  TEST_CASE("mcp: parse_tool_page reads name, description, inputSchema and nextCursor") {
    auto page = parse_tool_page(R"({"tools":[
        {"name":"search","description":"Searches","inputSchema":{"type":"object","properties":{"q":{"type":"string"}}}},
        {"name":"bare"},
        {"description":"no name"},
        {"name":42},
        "not an object",
        {"name":"odd_schema","inputSchema":"text","description":7}
      ],"nextCursor":"c2"})");
    REQUIRE(page);
    REQUIRE(page->tools.size() == 3);
    CHECK(page->tools[0].remote_name == "search");
    CHECK(page->tools[0].description == "Searches");
    CHECK(json::parse(page->tools[0].input_schema) ==
          json{{"type", "object"}, {"properties", {{"q", {{"type", "string"}}}}}});
    CHECK(page->tools[1].remote_name == "bare");
    CHECK(page->tools[1].description.empty());
    CHECK(page->tools[1].input_schema.empty());
    CHECK(page->tools[2].remote_name == "odd_schema");
    CHECK(page->tools[2].description.empty());
    CHECK(page->tools[2].input_schema.empty());
    CHECK(page->next_cursor == "c2");
  }

  TEST_CASE("mcp: parse_tool_page: the last page has no cursor; a result without a tools array is an error") {
    auto last = parse_tool_page(R"({"tools":[]})");
    REQUIRE(last);
    CHECK(last->tools.empty());
    CHECK(last->next_cursor.empty());
    auto null_cursor = parse_tool_page(R"({"tools":[],"nextCursor":null})");
    REQUIRE(null_cursor);
    CHECK(null_cursor->next_cursor.empty());
    CHECK_FALSE(parse_tool_page(R"({})"));
    CHECK_FALSE(parse_tool_page(R"({"tools":{}})"));
    CHECK_FALSE(parse_tool_page(R"({"tools":null})"));
    CHECK_FALSE(parse_tool_page(R"([])"));
    CHECK_FALSE(parse_tool_page("not json"));
    auto e = parse_tool_page(R"({"items":[]})");
    REQUIRE_FALSE(e);
    CHECK(e.error().find("tools/list") != std::string::npos);
  }

  TEST_CASE("mcp: parse_call_result joins text parts with newlines; isError is kept") {
    auto r = parse_call_result(R"({"content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]})");
    REQUIRE(r);
    CHECK(r->text == "one\ntwo");
    CHECK_FALSE(r->is_error);
    auto err = parse_call_result(R"({"content":[{"type":"text","text":"it broke"}],"isError":true})");
    REQUIRE(err);
    CHECK(err->text == "it broke");
    CHECK(err->is_error);
    auto not_err = parse_call_result(R"({"content":[{"type":"text","text":"x"}],"isError":false})");
    REQUIRE(not_err);
    CHECK_FALSE(not_err->is_error);
  }

  TEST_CASE("mcp: parse_call_result names other parts and includes embedded text resources") {
    auto r = parse_call_result(R"({"content":[
        {"type":"text","text":"before"},
        {"type":"image","data":"iVBORw0KGgo=","mimeType":"image/png"},
        {"type":"resource","resource":{"uri":"file:///notes.txt","mimeType":"text/plain","text":"the notes"}},
        {"type":"resource","resource":{"uri":"file:///blob.bin","blob":"AAAA"}},
        {"type":"audio","data":"AAAA","mimeType":"audio/wav"},
        {"type":"resource_link","uri":"file:///linked.txt","name":"linked"},
        "not a part",
        {"type":"text","text":"after"}
      ]})");
    REQUIRE(r);
    CHECK(r->text ==
          "before\n[image content]\nthe notes\n[resource file:///blob.bin]\n[audio content]\n[resource "
          "file:///linked.txt]\nafter");
    auto image_only = parse_call_result(R"({"content":[{"type":"image","data":"x","mimeType":"image/png"}]})");
    REQUIRE(image_only);
    CHECK(image_only->text == "[image content]");
  }

  TEST_CASE("mcp: parse_call_result uses structuredContent when there is no content; no content at all is an error") {
    auto s = parse_call_result(R"({"structuredContent":{"temperature":21.5,"unit":"C"}})");
    REQUIRE(s);
    CHECK(json::parse(s->text) == json{{"temperature", 21.5}, {"unit", "C"}});
    auto s_empty = parse_call_result(R"({"content":[],"structuredContent":{"n":1}})");
    REQUIRE(s_empty);
    CHECK(s_empty->text == R"({"n":1})");
    auto both = parse_call_result(R"({"content":[{"type":"text","text":"t"}],"structuredContent":{"n":1}})");
    REQUIRE(both);
    CHECK(both->text == "t");
    auto none = parse_call_result(R"({"isError":false})");
    REQUIRE_FALSE(none);
    CHECK(none.error().find("tools/call") != std::string::npos);
    CHECK_FALSE(parse_call_result(R"({})"));
    CHECK_FALSE(parse_call_result("[]"));
    CHECK_FALSE(parse_call_result("nope"));
  }

  TEST_CASE("mcp: transport_failure maps timeout, connect/tls and the rest to timeout, connect, protocol") {
    auto map = [](FetchErrorKind kind) { return transport_failure(FetchError{kind, "POST http://x: what happened"}); };
    CHECK(map(FetchErrorKind::timeout).error_type == te::timeout);
    CHECK(map(FetchErrorKind::timeout).error_type == "timeout");
    CHECK(map(FetchErrorKind::connect).error_type == "connect");
    CHECK(map(FetchErrorKind::tls).error_type == "connect");
    CHECK(map(FetchErrorKind::io).error_type == "protocol");
    CHECK(map(FetchErrorKind::bad_url).error_type == "protocol");
    CHECK(map(FetchErrorKind::too_large).error_type == "protocol");
    CHECK(map(FetchErrorKind::io).message == "POST http://x: what happened");
    CHECK(map(FetchErrorKind::timeout).http_status == 0);
  }

  TEST_CASE("mcp: next_rpc_id never repeats") {
    const auto a = next_rpc_id();
    const auto b = next_rpc_id();
    CHECK(b > a);
  }

  TEST_CASE("mcp: mcp_initialize posts initialize, keeps the session id and sends notifications/initialized") {
    FakeMcp fake;
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    SUBCASE("JSON answers") {}
    SUBCASE("SSE answers") { fake.sse = true; }
    server.serve(fake.script(seen));
    const std::string url = server.url("/mcp");
    auto s = run(io, [&] { return mcp_initialize(url, nullptr, kLimits); });
    REQUIRE_MESSAGE(s, s.error().message);
    CHECK(s->url == url);
    CHECK(s->session_id == "sess-1");
    CHECK(s->protocol_version == "2025-03-26");  // the server's choice, not the one asked for
    CHECK(s->server_name == "fake-mcp");

    REQUIRE(seen.size() == 2);
    const auto& init = seen[0];
    check_transport_headers(init, "/mcp");
    CHECK_FALSE(has(init, "Mcp-Session-Id"));
    const json ib = body_of(init);
    REQUIRE(ib.is_object());
    CHECK(ib["jsonrpc"] == "2.0");
    CHECK(ib["method"] == "initialize");
    CHECK(ib["id"].is_number_integer());
    CHECK(ib["params"]["protocolVersion"] == "2025-06-18");
    CHECK(ib["params"]["protocolVersion"] == std::string{kMcpProtocolVersion});
    CHECK(ib["params"]["capabilities"].is_object());
    CHECK(ib["params"]["clientInfo"]["name"] == "igw");
    CHECK(ib["params"]["clientInfo"]["version"].is_string());

    const auto& note = seen[1];
    check_transport_headers(note, "/mcp");
    CHECK(body_of(note) == json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
    CHECK(field(note, "Mcp-Session-Id") == "sess-1");
    CHECK(field(note, "MCP-Protocol-Version") == "2025-03-26");
    check_no_credentials(seen);
  }

  TEST_CASE("mcp: mcp_initialize with a stateless server: no session id on the notification") {
    FakeMcp fake;
    fake.session_id = "";
    fake.protocol_version = "2025-06-18";
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const std::string url = server.url("/mcp");
    auto s = run(io, [&] { return mcp_initialize(url, nullptr, kLimits); });
    REQUIRE_MESSAGE(s, s.error().message);
    CHECK(s->session_id.empty());
    REQUIRE(seen.size() == 2);
    CHECK_FALSE(has(seen[1], "Mcp-Session-Id"));
    CHECK(field(seen[1], "MCP-Protocol-Version") == "2025-06-18");
  }

  TEST_CASE("mcp: mcp_initialize failures: no protocolVersion, refused notification, HTTP and JSON-RPC errors") {
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    std::function<std::string(const SeenRequest&)> respond;
    server.serve(record_and_answer(seen, [&](const SeenRequest& r) { return respond(r); }));
    const std::string url = server.url("/mcp");
    auto id_of = [](const SeenRequest& r) { return body_of(r).value("id", json{}); };

    SUBCASE("a result without protocolVersion") {
      respond = [&](const SeenRequest& r) {
        return http_response(200, result_text(id_of(r), {{"serverInfo", {{"name", "x"}}}}));
      };
      auto s = run(io, [&] { return mcp_initialize(url, nullptr, kLimits); });
      REQUIRE_FALSE(s);
      CHECK(s.error().error_type == te::protocol);
      CHECK(seen.size() == 1);  // no notification after a failed initialize
    }
    SUBCASE("the notification refused") {
      FakeMcp fake;
      fake.note_status = 400;
      respond = [fake](const SeenRequest& r) { return fake.respond(r); };
      auto s = run(io, [&] { return mcp_initialize(url, nullptr, kLimits); });
      REQUIRE_FALSE(s);
      CHECK(s.error().error_type == te::http_status);
      CHECK(s.error().http_status == 400);
      CHECK(seen.size() == 2);
    }
    SUBCASE("initialize answered with HTTP 401") {
      respond = [](const SeenRequest&) { return http_response(401, R"({"error":"unauthorized"})"); };
      auto s = run(io, [&] { return mcp_initialize(url, nullptr, kLimits); });
      REQUIRE_FALSE(s);
      CHECK(s.error().error_type == te::http_status);
      CHECK(s.error().http_status == 401);
      CHECK(s.error().message.find("initialize: HTTP status 401") != std::string::npos);
    }
    SUBCASE("initialize answered with a JSON-RPC error") {
      respond = [&](const SeenRequest& r) { return http_response(200, rpc_error_text(id_of(r), -32600, "unsupported")); };
      auto s = run(io, [&] { return mcp_initialize(url, nullptr, kLimits); });
      REQUIRE_FALSE(s);
      CHECK(s.error().error_type == te::rpc_error);
      CHECK(s.error().message.find("unsupported") != std::string::npos);
    }
    SUBCASE("initialize answered with HTML") {
      respond = [](const SeenRequest&) { return http_response(200, "<html></html>", "text/html"); };
      auto s = run(io, [&] { return mcp_initialize(url, nullptr, kLimits); });
      REQUIRE_FALSE(s);
      CHECK(s.error().error_type == te::protocol);
    }
  }

  TEST_CASE("mcp: mcp_initialize to a closed port fails with connect, to a silent server with timeout") {
    asio::io_context io;
    SUBCASE("closed port") {
      const auto url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/mcp";
      auto s = run(io, [&] { return mcp_initialize(url, nullptr, kLimits); });
      REQUIRE_FALSE(s);
      CHECK(s.error().error_type == te::connect);
    }
    SUBCASE("silent server") {
      FakeUpstream server{io};
      server.serve([](Socket& s, int) -> awaitable<void> { co_await wait_closed(s); });
      const auto url = server.url("/mcp");
      const FetchLimits short_limits{.timeout = 200ms, .max_body = 1024};
      auto s = run(io, [&] { return mcp_initialize(url, nullptr, short_limits); });
      REQUIRE_FALSE(s);
      CHECK(s.error().error_type == te::timeout);
    }
  }

  TEST_CASE("mcp: mcp_list_tools follows nextCursor over two pages, with the session's headers") {
    FakeMcp fake;
    fake.pages = {json{{"tools", json::array({{{"name", "a"}, {"description", "A"}, {"inputSchema", {{"type", "object"}}}}})},
                       {"nextCursor", "p1"}},
                  json{{"tools", json::array({{{"name", "b"}}, {{"name", "c"}, {"description", "C"}}})}}};
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    SUBCASE("JSON answers") {}
    SUBCASE("SSE answers") { fake.sse = true; }
    server.serve(fake.script(seen));
    const auto session = session_for(server.url("/mcp"));
    auto tools = run(io, [&] { return mcp_list_tools(session, nullptr, kLimits); });
    REQUIRE_MESSAGE(tools, tools.error().message);
    REQUIRE(tools->size() == 3);
    CHECK((*tools)[0].remote_name == "a");
    CHECK((*tools)[0].description == "A");
    CHECK(json::parse((*tools)[0].input_schema) == json{{"type", "object"}});
    CHECK((*tools)[1].remote_name == "b");
    CHECK((*tools)[2].remote_name == "c");
    CHECK((*tools)[2].description == "C");

    REQUIRE(seen.size() == 2);
    for (const auto& r : seen) {
      check_transport_headers(r, "/mcp");
      CHECK(field(r, "Mcp-Session-Id") == "sess-9");
      CHECK(field(r, "MCP-Protocol-Version") == "2025-06-18");
      CHECK(body_of(r)["method"] == "tools/list");
    }
    CHECK_FALSE(body_of(seen[0])["params"].contains("cursor"));
    CHECK(body_of(seen[1])["params"]["cursor"] == "p1");
    CHECK(body_of(seen[0])["id"] != body_of(seen[1])["id"]);
    check_no_credentials(seen);
  }

  TEST_CASE("mcp: mcp_list_tools stops after kMaxToolPages pages") {
    FakeMcp fake;
    fake.endless = true;
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const auto session = session_for(server.url("/mcp"));
    auto tools = run(io, [&] { return mcp_list_tools(session, nullptr, kLimits); }, 10000ms);
    REQUIRE_FALSE(tools);
    CHECK(tools.error().error_type == te::protocol);
    CHECK(seen.size() == static_cast<std::size_t>(kMaxToolPages));
  }

  TEST_CASE("mcp: mcp_list_tools failures: a page without tools, a forgotten session (404)") {
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    std::function<std::string(const SeenRequest&)> respond;
    server.serve(record_and_answer(seen, [&](const SeenRequest& r) { return respond(r); }));
    const auto session = session_for(server.url("/mcp"));
    SUBCASE("no tools array") {
      respond = [](const SeenRequest& r) { return http_response(200, result_text(body_of(r)["id"], {{"items", 1}})); };
      auto tools = run(io, [&] { return mcp_list_tools(session, nullptr, kLimits); });
      REQUIRE_FALSE(tools);
      CHECK(tools.error().error_type == te::protocol);
    }
    SUBCASE("404") {
      respond = [](const SeenRequest&) { return http_response(404, "session not found", "text/plain"); };
      auto tools = run(io, [&] { return mcp_list_tools(session, nullptr, kLimits); });
      REQUIRE_FALSE(tools);
      CHECK(tools.error().error_type == te::http_status);
      CHECK(tools.error().http_status == 404);
    }
  }

  TEST_CASE("mcp: mcp_call_tool sends name, arguments and traceparent; the result's text comes back") {
    FakeMcp fake;
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    SUBCASE("JSON answers") {}
    SUBCASE("SSE answers") { fake.sse = true; }
    server.serve(fake.script(seen));
    const auto session = session_for(server.url("/mcp"));
    const std::string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    auto r = run(io, [&] { return mcp_call_tool(session, "echo", R"({"city":"Paris","n":[1,2]})", traceparent, nullptr, kLimits); });
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK_FALSE(r->is_error);
    CHECK(json::parse(r->text) == json{{"city", "Paris"}, {"n", {1, 2}}});
    REQUIRE(seen.size() == 1);
    const auto& req = seen[0];
    check_transport_headers(req, "/mcp");
    CHECK(field(req, "traceparent") == traceparent);
    CHECK(field(req, "Mcp-Session-Id") == "sess-9");
    CHECK(field(req, "MCP-Protocol-Version") == "2025-06-18");
    const json b = body_of(req);
    CHECK(b["jsonrpc"] == "2.0");
    CHECK(b["method"] == "tools/call");
    CHECK(b["id"].is_number_integer());
    CHECK(b["params"]["name"] == "echo");
    CHECK(b["params"]["arguments"] == json{{"city", "Paris"}, {"n", {1, 2}}});
    check_no_credentials(seen);
  }

  TEST_CASE("mcp: mcp_call_tool without arguments sends {} and without traceparent sends none") {
    FakeMcp fake;
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const auto session = session_for(server.url("/mcp"), "");
    auto r = run(io, [&] { return mcp_call_tool(session, "two_parts", "", "", nullptr, kLimits); });
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(r->text == "one\ntwo");
    REQUIRE(seen.size() == 1);
    CHECK(body_of(seen[0])["params"]["arguments"] == json::object());
    CHECK_FALSE(has(seen[0], "traceparent"));
    CHECK_FALSE(has(seen[0], "Mcp-Session-Id"));
  }

  TEST_CASE("mcp: mcp_call_tool maps tool errors, HTTP errors and JSON-RPC errors") {
    FakeMcp fake;
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(fake.script(seen));
    const auto session = session_for(server.url("/mcp"));
    auto call = [&](const std::string& name) {
      return run(io, [&] { return mcp_call_tool(session, name, "{}", "", nullptr, kLimits); });
    };

    SUBCASE("isError: an error result, not a failure") {
      auto r = call("fails");
      REQUIRE(r);
      CHECK(r->is_error);
      CHECK(r->text == "boom");
    }
    SUBCASE("isError naming this tool as not found: not_found") {
      auto r = call("ghost");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::not_found);
      CHECK(r.error().message.find("Tool ghost not found") != std::string::npos);
    }
    SUBCASE("isError naming another tool as not found: still the tool's error") {
      auto r = call("names_another");
      REQUIRE(r);
      CHECK(r->is_error);
    }
    SUBCASE("HTTP 500: http_status with the status and the body's first line") {
      auto r = call("http500");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::http_status);
      CHECK(r.error().http_status == 500);
      CHECK(r.error().message == "tools/call: HTTP status 500: internal trouble");
    }
    SUBCASE("an HTTP error with a long first line: cut at 200 characters") {
      auto r = call("http502_long");
      REQUIRE_FALSE(r);
      CHECK(r.error().http_status == 502);
      CHECK(r.error().message == "tools/call: HTTP status 502: " + std::string(200, 'e') + "...");
    }
    SUBCASE("an HTTP error without a body") {
      auto r = call("http503_empty");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::http_status);
      CHECK(r.error().http_status == 503);
      CHECK(r.error().message == "tools/call: HTTP status 503");
    }
    SUBCASE("JSON-RPC -32602 naming the tool as not found: not_found") {
      auto r = call("rpc_unknown");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::not_found);
      CHECK(r.error().http_status == 0);
      CHECK(r.error().message.find("Tool rpc_unknown not found") != std::string::npos);
      CHECK(r.error().message.find("-32602") != std::string::npos);
    }
    SUBCASE("JSON-RPC -32602 \"Unknown tool\": not_found") {
      auto r = call("rpc_unknown_tool");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::not_found);
    }
    SUBCASE("JSON-RPC -32601: not_found") {
      auto r = call("rpc_method");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::not_found);
    }
    SUBCASE("JSON-RPC -32602 about the arguments: rpc_error") {
      auto r = call("rpc_invalid");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::rpc_error);
      CHECK(r.error().message.find("Invalid arguments: x is required") != std::string::npos);
    }
    SUBCASE("another JSON-RPC error: rpc_error") {
      auto r = call("rpc_internal");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::rpc_error);
      CHECK(r.error().message.find("-32603") != std::string::npos);
    }
    SUBCASE("a result without content: protocol") {
      auto r = call("shapeless");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::protocol);
    }
    SUBCASE("an answer that is not JSON: protocol") {
      auto r = call("not_json");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::protocol);
    }
    SUBCASE("a response to another request: protocol") {
      auto r = call("other_id");
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::protocol);
    }
    check_no_credentials(seen);
  }

  TEST_CASE("mcp: mcp_call_tool: a silent server is a timeout, a closed port is connect, a huge answer is protocol") {
    asio::io_context io;
    SUBCASE("silent") {
      FakeUpstream server{io};
      server.serve([](Socket& s, int) -> awaitable<void> { co_await wait_closed(s); });
      const auto session = session_for(server.url("/mcp"));
      const FetchLimits short_limits{.timeout = 200ms, .max_body = 1024};
      auto r = run(io, [&] { return mcp_call_tool(session, "echo", "{}", "", nullptr, short_limits); });
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::timeout);
    }
    SUBCASE("closed port") {
      const auto session = session_for("http://127.0.0.1:" + std::to_string(closed_port()) + "/mcp");
      auto r = run(io, [&] { return mcp_call_tool(session, "echo", "{}", "", nullptr, kLimits); });
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::connect);
    }
    SUBCASE("over max_body") {
      FakeMcp fake;
      SeenRequests seen;
      FakeUpstream server{io};
      server.serve(fake.script(seen));
      const auto session = session_for(server.url("/mcp"));
      const FetchLimits tiny{.timeout = 2s, .max_body = 16};
      auto r = run(io, [&] { return mcp_call_tool(session, "echo", "{}", "", nullptr, tiny); });
      REQUIRE_FALSE(r);
      CHECK(r.error().error_type == te::protocol);
    }
  }

  TEST_CASE("mcp: rpc_call hands back the HTTP answer it read") {
    SeenRequests seen;
    asio::io_context io;
    FakeUpstream server{io};
    server.serve(record_and_answer(seen, [](const SeenRequest& r) {
      return http_response(200, result_text(body_of(r)["id"], json{{"v", 1}}), "application/json", {{"X-Extra", "yes"}});
    }));
    const auto url = server.url("/rpc");
    HttpAnswer answer;
    auto r = run(io, [&] {
      Headers headers{{"Content-Type", "application/json"}, {"X-Mine", "1"}};
      return rpc_call(url, "custom/method", R"({"p":true})", std::move(headers), nullptr, kLimits, &answer);
    });
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(*r == R"({"v":1})");
    CHECK(answer.status == 200);
    CHECK(answer.header("x-extra") == "yes");
    REQUIRE(seen.size() == 1);
    CHECK(field(seen[0], "X-Mine") == "1");
    const json b = body_of(seen[0]);
    CHECK(b["method"] == "custom/method");
    CHECK(b["params"] == json{{"p", true}});
  }
}
