#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "manifests/yaml.hpp"

using igw::manifests::to_yaml;
using igw::manifests::to_yaml_stream;
using nlohmann::ordered_json;

namespace {

// The string a YAML parser reads back for key "v" of a one-entry document.
std::string round_trip(const std::string& value) {
  auto node = YAML::Load(to_yaml(ordered_json{{"v", value}}));
  return node["v"].as<std::string>();
}

}  // namespace

TEST_SUITE("manifests.yaml") {
  TEST_CASE("strings a parser would read as another type are quoted") {
    for (std::string s :
         {"1", "0.05", "true", "no", "null", "~", "8080:8080", "0.0.0.0:4317", "", "1e3", ".inf"}) {
      CAPTURE(s);
      auto text = to_yaml(ordered_json{{"v", s}});
      CHECK(text.find('"') != std::string::npos);
      CHECK(round_trip(s) == s);
      CHECK(YAML::Load(text)["v"].Tag() != "?");  // quoted scalars carry the "!" (string) tag
    }
  }

  TEST_CASE("templates are single-quoted, as the page writes them") {
    auto text = to_yaml(ordered_json{{"summary", "Tool {{ $labels.tool_name }} failing > 10% of calls"}});
    CHECK(text == "summary: 'Tool {{ $labels.tool_name }} failing > 10% of calls'\n");
    CHECK(round_trip("{{ $value | humanizePercentage }} of x") == "{{ $value | humanizePercentage }} of x");
  }

  TEST_CASE("multi-line text is a literal block and reads back with its lines") {
    std::string expr =
        "sum by (provider) (rate(x{status_code=~\"5..\"}[5m]))\n/ sum by (provider) (rate(x[5m])) > 0.05";
    auto text = to_yaml(ordered_json{{"expr", expr}});
    CHECK(text.starts_with("expr: |\n  sum by (provider)"));
    CHECK(round_trip(expr) == expr + "\n");  // a literal block ends its last line
  }

  TEST_CASE("text a literal block cannot hold is double-quoted and still round-trips") {
    for (std::string s : {"  indented\nline", "a\n\nb", "trailing \nspace", "tab\there\nx"}) {
      CAPTURE(s);
      CHECK(round_trip(s) == s);
    }
  }

  TEST_CASE("PromQL with quotes and braces round-trips on one line") {
    std::string expr = R"(sum by (provider) (rate(llm_responses_total{status_code=~"5.."}[5m])))";
    CHECK(round_trip(expr) == expr);
  }

  TEST_CASE("numbers, booleans, empty collections and documents") {
    ordered_json doc{{"port", 9464},
                     {"ratio", 0.05},
                     {"on", true},
                     {"none", ordered_json::object()},
                     {"list", ordered_json::array()}};
    CHECK(to_yaml(doc) == "port: 9464\nratio: 0.05\n\"on\": true\nnone: {}\nlist: []\n");
    CHECK(to_yaml_stream({ordered_json{{"a", 1}}, ordered_json{{"b", 2}}}) == "a: 1\n---\nb: 2\n");
  }
}
