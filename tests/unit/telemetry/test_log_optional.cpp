#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "telemetry/log.hpp"

using namespace igw::telemetry::log;

TEST_SUITE("telemetry/log") {
  TEST_CASE("Field::optional is left out of the line when its value is empty") {
    const std::string empty;
    auto line = format_line(Level::info, logger::http, "request",
                            {{field::status_code, 200},
                             Field::optional(field::trace_id, empty),
                             Field::optional(field::span_id, ""),
                             {field::path, "/v1/models"}},
                            0);
    CHECK(line.find("trace_id") == std::string::npos);
    CHECK(line.find("span_id") == std::string::npos);
    auto j = nlohmann::json::parse(line);  // still one valid object: no dangling comma
    CHECK(j["status_code"] == 200);
    CHECK(j["path"] == "/v1/models");
  }

  TEST_CASE("Field::optional is written like any field when it has a value") {
    const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    auto line = format_line(
        Level::info, logger::http, "request",
        {Field::optional(field::trace_id, trace), Field::optional(field::span_id, "00f067aa0ba902b7")}, 0);
    auto j = nlohmann::json::parse(line);
    CHECK(j["trace_id"] == trace);
    CHECK(j["span_id"] == "00f067aa0ba902b7");
  }

  TEST_CASE("a plain field with an empty value is still written") {
    auto line =
        format_line(Level::info, logger::http, "request",
                    {{field::provider, ""}, Field::optional(field::trace_id, ""), {field::user, ""}}, 0);
    auto j = nlohmann::json::parse(line);
    REQUIRE(j.contains("provider"));
    CHECK(j["provider"] == "");
    REQUIRE(j.contains("user"));
    CHECK_FALSE(j.contains("trace_id"));
  }
}
