#include <string>

#include <doctest/doctest.h>

#include "logs/render.hpp"

using namespace igw::logs;

namespace {

const std::string kJson =
    R"({"timestamp":"2026-01-15T10:00:00.000Z","level":"error","message":"boom\nnext","logger":"http",)"
    R"("request_id":"r1","status_code":502,"provider":"openai","error":"reset by peer","usage":{"t":1}})";

std::string render(RenderOptions o, const std::string& json = kJson, std::string_view prefix = "") {
  Line l;
  REQUIRE(l.parse(json));
  std::string out;
  Renderer(std::move(o)).json_line(l, json, prefix, out);
  return out;
}

}  // namespace

TEST_SUITE("logs render") {
  TEST_CASE("pretty: time, level, logger, message, then emphasised and other fields") {
    std::string out = render({});
    CHECK(out ==
          "2026-01-15T10:00:00.000Z ERROR http boom\\nnext status_code=502 request_id=r1 provider=openai "
          "error=\"reset by peer\" usage={\"t\":1}\n");
  }

  TEST_CASE("pretty with color paints the level and emphasises status and request id") {
    std::string out = render({.color = true});
    CHECK(out.find("\x1b[1;31mERROR\x1b[0m") != std::string::npos);
    CHECK(out.find("\x1b[1;31m502\x1b[0m") != std::string::npos);
    CHECK(out.find("\x1b[1mr1\x1b[0m") != std::string::npos);
    CHECK(out.find("\x1b[36mhttp\x1b[0m") != std::string::npos);
  }

  TEST_CASE("json: the line unchanged; with --fields an object of those fields") {
    CHECK(render({.mode = Mode::json}) == kJson + "\n");
    CHECK(render({.mode = Mode::json, .fields = {"status_code", "usage.t", "nope", "level"}}) ==
          "{\"status_code\":502,\"usage.t\":1,\"level\":\"error\"}\n");
  }

  TEST_CASE("raw: the message, or the chosen fields tab-separated") {
    CHECK(render({.mode = Mode::raw}) == "boom\nnext\n");
    CHECK(render({.mode = Mode::raw, .fields = {"request_id", "status_code", "nope"}}) == "r1\t502\t\n");
  }

  TEST_CASE("pretty --fields shows only those, - when missing") {
    CHECK(render({.fields = {"request_id", "error", "nope"}}) ==
          "request_id=r1 error=\"reset by peer\" nope=-\n");
  }

  TEST_CASE("a file prefix when several files are merged (not in json)") {
    CHECK(render({.mode = Mode::raw}, kJson, "a.log").starts_with("a.log: boom"));
    CHECK(render({.mode = Mode::json}, kJson, "a.log") == kJson + "\n");
  }

  TEST_CASE("lines that are not JSON") {
    std::string out;
    Renderer({}).other_line("plain \x1b[31m text", "", 0, out);
    CHECK(out == "plain \x1b[31m text\n");  // unchanged without color
    out.clear();
    Renderer({.color = true}).other_line("plain \x1b[31m text", "", 0, out);
    CHECK(out == "\x1b[2mplain \\x1b[31m text\x1b[0m\n");  // dimmed, control bytes made visible
    out.clear();
    Renderer({.mode = Mode::json}).other_line("plain", "", 0, out);
    CHECK(out.empty());
    Renderer({.mode = Mode::json, .keep_invalid = true}).other_line("plain", "", 0, out);
    CHECK(out == "plain\n");
    out.clear();
    Renderer({}).other_line("{\"cut", "", 99, out);
    CHECK(out == "{\"cut" + truncation_marker(99) + "\n");
    CHECK(truncation_marker(99).find("truncated 99 bytes") != std::string::npos);
  }
}
