#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/tools/catalog.hpp"

using namespace igw::server::tools;
using nlohmann::json;

namespace {

Source source(SourceKind kind, std::string url, bool up = true) {
  Source s;
  s.kind = kind;
  s.url = std::move(url);
  s.up = up;
  return s;
}

ListedTool listed(std::string name, std::string description = "", std::string schema = "") {
  return ListedTool{std::move(name), std::move(description), std::move(schema)};
}

std::string names_of(const std::vector<Tool>& tools) {
  std::string out;
  for (const auto& t : tools) out += (out.empty() ? "" : ",") + t.name;
  return out;
}

const json kEmptySchema = json{{"type", "object"}, {"properties", json::object()}};

}  // namespace

TEST_SUITE("tools/catalog") {
  TEST_CASE("catalog: sanitize_tool_name keeps [a-zA-Z0-9_-], turns the rest into '_', cuts at 64") {
    CHECK(sanitize_tool_name("get_weather-2") == "get_weather-2");
    CHECK(sanitize_tool_name("AZaz09_-") == "AZaz09_-");
    CHECK(sanitize_tool_name("a.b c/d:e") == "a_b_c_d_e");
    CHECK(sanitize_tool_name("tool@{x}") == "tool__x_");
    CHECK(sanitize_tool_name("caf\xc3\xa9") == "caf__");  // each byte of a UTF-8 character
    CHECK(sanitize_tool_name("") == "");
    const std::string sixty_four(64, 'x');
    CHECK(sanitize_tool_name(sixty_four) == sixty_four);
    CHECK(sanitize_tool_name(std::string(100, 'y')) == std::string(64, 'y'));
    CHECK(sanitize_tool_name(std::string(70, '.')) == std::string(64, '_'));
    CHECK(sanitize_tool_name(std::string(63, 'a') + "bc") == std::string(63, 'a') + "b");
  }

  TEST_CASE("catalog: assign_names gives mcp_<tool> and a2a_<agent>, with source, kind and what was listed") {
    const std::vector<Source> sources{source(SourceKind::mcp, "http://m1/mcp"), source(SourceKind::a2a, "http://agent")};
    const std::vector<std::vector<ListedTool>> lists{
        {listed("echo", "Echoes", R"({"type":"object"})"), listed("get.time", "Time")},
        {listed("Weather Bot", "Ask the agent")}};
    auto tools = assign_names(sources, lists);
    REQUIRE(tools.size() == 3);
    CHECK(tools[0].name == "mcp_echo");
    CHECK(tools[0].kind == SourceKind::mcp);
    CHECK(tools[0].source == 0);
    CHECK(tools[0].remote_name == "echo");
    CHECK(tools[0].description == "Echoes");
    CHECK(tools[0].input_schema == R"({"type":"object"})");
    CHECK(tools[1].name == "mcp_get_time");
    CHECK(tools[1].remote_name == "get.time");  // calls use the server's own name
    CHECK(tools[2].name == "a2a_Weather_Bot");
    CHECK(tools[2].kind == SourceKind::a2a);
    CHECK(tools[2].source == 1);
    CHECK(tools[2].remote_name == "Weather Bot");
  }

  TEST_CASE("catalog: a name clash gives the later server mcp_<n>_<tool>, n its 1-based position among its kind") {
    SUBCASE("two MCP servers") {
      const std::vector<Source> sources{source(SourceKind::mcp, "http://a"), source(SourceKind::mcp, "http://b")};
      auto tools = assign_names(sources, {{listed("search"), listed("x")}, {listed("search"), listed("y")}});
      CHECK(names_of(tools) == "mcp_search,mcp_x,mcp_2_search,mcp_y");
      REQUIRE(tools.size() == 4);
      CHECK(tools[2].source == 1);
      CHECK(tools[2].remote_name == "search");
    }
    SUBCASE("a server that is down still holds its position") {
      const std::vector<Source> sources{source(SourceKind::mcp, "http://a", false), source(SourceKind::mcp, "http://b"),
                                        source(SourceKind::mcp, "http://c")};
      auto tools = assign_names(sources, {{}, {listed("search")}, {listed("search")}});
      CHECK(names_of(tools) == "mcp_search,mcp_3_search");
      REQUIRE(tools.size() == 2);
      CHECK(tools[0].source == 1);
      CHECK(tools[1].source == 2);
    }
    SUBCASE("positions are counted per kind: agents after MCP servers start again at 1") {
      const std::vector<Source> sources{source(SourceKind::mcp, "http://m"), source(SourceKind::a2a, "http://p"),
                                        source(SourceKind::a2a, "http://q")};
      auto tools = assign_names(sources, {{listed("bot")}, {listed("bot")}, {listed("bot")}});
      CHECK(names_of(tools) == "mcp_bot,a2a_bot,a2a_2_bot");
    }
    SUBCASE("the same name under the two kinds does not clash") {
      const std::vector<Source> sources{source(SourceKind::a2a, "http://p"), source(SourceKind::mcp, "http://m")};
      auto tools = assign_names(sources, {{listed("x")}, {listed("x")}});
      CHECK(names_of(tools) == "a2a_x,mcp_x");
    }
    SUBCASE("names that clash only once sanitized") {
      const std::vector<Source> sources{source(SourceKind::mcp, "http://a"), source(SourceKind::mcp, "http://b")};
      auto tools = assign_names(sources, {{listed("a.b")}, {listed("a b")}});
      CHECK(names_of(tools) == "mcp_a_b,mcp_2_a_b");
    }
  }

  TEST_CASE("catalog: a tool a later server lists twice is offered once") {
    const std::vector<Source> sources{source(SourceKind::mcp, "http://a"), source(SourceKind::mcp, "http://b")};
    auto tools = assign_names(sources, {{listed("x")}, {listed("x", "first"), listed("x", "second")}});
    CHECK(names_of(tools) == "mcp_x,mcp_2_x");
    REQUIRE(tools.size() == 2);
    CHECK(tools[1].description == "first");
  }

  // (Once a bug: the second listing took "mcp_<n>_<tool>", free since the clash was with the server itself.)
  TEST_CASE("catalog: a tool one server lists twice is offered once (first server)") {
    const std::vector<Source> sources{source(SourceKind::mcp, "http://a")};
    auto tools = assign_names(sources, {{listed("x", "first"), listed("x", "second")}});
    CHECK(names_of(tools) == "mcp_x");
    REQUIRE_FALSE(tools.empty());
    CHECK(tools[0].description == "first");
  }

  TEST_CASE("catalog: sources without a list, or lists beyond the sources, add nothing") {
    const std::vector<Source> sources{source(SourceKind::mcp, "http://a"), source(SourceKind::mcp, "http://b")};
    CHECK(assign_names(sources, {{listed("x")}}).size() == 1);
    CHECK(assign_names({source(SourceKind::mcp, "http://a")}, {{listed("x")}, {listed("y")}}).size() == 1);
    CHECK(assign_names({}, {}).empty());
  }

  TEST_CASE("catalog: tool_selected applies the include list (empty: all) and then the exclude list") {
    const std::vector<std::string> none;
    CHECK(tool_selected("a", none, none));
    CHECK(tool_selected("a", {"a", "b"}, none));
    CHECK_FALSE(tool_selected("c", {"a", "b"}, none));
    CHECK_FALSE(tool_selected("b", none, {"b"}));
    CHECK(tool_selected("a", none, {"b"}));
    CHECK_FALSE(tool_selected("b", {"a", "b"}, {"b"}));
    CHECK(tool_selected("a", {"a", "b"}, {"b"}));
    CHECK_FALSE(tool_selected("A", {"a"}, none));  // names as listed: case matters
    CHECK_FALSE(tool_selected("mcp_a", {"a"}, none));  // the server's name, not the offered one
  }

  TEST_CASE("catalog: find looks tools up by offered name") {
    ToolCatalog catalog;
    catalog.sources = {source(SourceKind::mcp, "http://a")};
    catalog.tools = assign_names(catalog.sources, {{listed("x"), listed("y")}});
    REQUIRE(catalog.find("mcp_y"));
    CHECK(catalog.find("mcp_y")->remote_name == "y");
    CHECK(catalog.find("y") == nullptr);
    CHECK(catalog.find("") == nullptr);
    CHECK_FALSE(catalog.empty());
    CHECK(ToolCatalog{}.empty());
  }

  TEST_CASE("catalog: openai_tools are function tools, valid JSON once wrapped in []") {
    ToolCatalog catalog;
    catalog.sources = {source(SourceKind::mcp, "http://a"), source(SourceKind::a2a, "http://b")};
    const std::string schema = R"({"type":"object","properties":{"q":{"type":"string"}},"required":["q"]})";
    catalog.tools = assign_names(catalog.sources, {{listed("search", "Searches \"things\"\n", schema),
                                                    listed("broken", "bad schema", "{not json"),
                                                    listed("none", "no schema", ""),
                                                    listed("array", "array schema", "[1,2]")},
                                                   {listed("bot", "Ask it")}});
    const json tools = json::parse("[" + catalog.openai_tools() + "]", nullptr, false);
    REQUIRE_FALSE(tools.is_discarded());
    REQUIRE(tools.is_array());
    REQUIRE(tools.size() == 5);
    for (const auto& t : tools) {
      CAPTURE(t.dump());
      CHECK(t["type"] == "function");
      REQUIRE(t["function"].is_object());
      CHECK(t["function"]["name"].is_string());
      CHECK(t["function"]["description"].is_string());
      CHECK(t["function"]["parameters"].is_object());
    }
    CHECK(tools[0]["function"]["name"] == "mcp_search");
    CHECK(tools[0]["function"]["description"] == "Searches \"things\"\n");
    CHECK(tools[0]["function"]["parameters"] == json::parse(schema));
    CHECK(tools[1]["function"]["name"] == "mcp_broken");
    CHECK(tools[1]["function"]["parameters"] == kEmptySchema);
    CHECK(tools[2]["function"]["parameters"] == kEmptySchema);
    CHECK(tools[3]["function"]["parameters"] == kEmptySchema);
    CHECK(tools[4]["function"]["name"] == "a2a_bot");
    CHECK(tools[4]["function"]["description"] == "Ask it");
  }

  TEST_CASE("catalog: openai_tools of an empty catalog is empty (\"[]\" once wrapped)") {
    ToolCatalog catalog;
    CHECK(catalog.openai_tools().empty());
  }

  TEST_CASE("catalog: listing_json has data[] and servers[] with state, error when down, tools count") {
    ToolCatalog catalog;
    auto up = source(SourceKind::mcp, "http://up/mcp");
    up.name = "files";
    up.error = "an old error";  // not shown while up
    up.since = std::chrono::system_clock::time_point{std::chrono::seconds{1700000000}};
    auto down = source(SourceKind::mcp, "http://down/mcp", false);
    down.error = "connection refused";
    auto agent = source(SourceKind::a2a, "http://agent");
    agent.name = "Weather";
    catalog.sources = {up, down, agent};
    catalog.tools = assign_names(catalog.sources, {{listed("read", "Reads", R"({"type":"object"})"), listed("write", "Writes", "oops")},
                                                   {},
                                                   {listed("Weather", "Ask")}});
    const json doc = json::parse(catalog.listing_json(), nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    CHECK(doc["object"] == "list");
    REQUIRE(doc["data"].is_array());
    REQUIRE(doc["data"].size() == 3);
    const auto& read = doc["data"][0];
    CHECK(read["name"] == "mcp_read");
    CHECK(read["type"] == "mcp");
    CHECK(read["server"] == "http://up/mcp");
    CHECK(read["remote_name"] == "read");
    CHECK(read["description"] == "Reads");
    CHECK(read["input_schema"] == json{{"type", "object"}});
    CHECK(doc["data"][1]["input_schema"] == kEmptySchema);
    CHECK(doc["data"][2]["name"] == "a2a_Weather");
    CHECK(doc["data"][2]["type"] == "a2a");
    CHECK(doc["data"][2]["server"] == "http://agent");

    REQUIRE(doc["servers"].is_array());
    REQUIRE(doc["servers"].size() == 3);
    const auto& s0 = doc["servers"][0];
    CHECK(s0["url"] == "http://up/mcp");
    CHECK(s0["type"] == "mcp");
    CHECK(s0["state"] == "up");
    CHECK(s0["tools"] == 2);
    CHECK(s0["name"] == "files");
    CHECK_FALSE(s0.contains("error"));
    CHECK(s0["since"] == "2023-11-14T22:13:20Z");
    const auto& s1 = doc["servers"][1];
    CHECK(s1["state"] == "down");
    CHECK(s1["error"] == "connection refused");
    CHECK(s1["tools"] == 0);
    CHECK_FALSE(s1.contains("name"));
    CHECK_FALSE(s1.contains("since"));
    const auto& s2 = doc["servers"][2];
    CHECK(s2["type"] == "a2a");
    CHECK(s2["state"] == "up");
    CHECK(s2["tools"] == 1);
    CHECK(s2["name"] == "Weather");
    CHECK_FALSE(s2.contains("error"));
  }

  TEST_CASE("catalog: listing_json of an empty catalog") {
    const json doc = json::parse(ToolCatalog{}.listing_json());
    CHECK(doc == json{{"object", "list"}, {"data", json::array()}, {"servers", json::array()}});
  }

  TEST_CASE("catalog: to_string names the tool_type label values") {
    CHECK(to_string(SourceKind::mcp) == "mcp");
    CHECK(to_string(SourceKind::a2a) == "a2a");
  }
}
