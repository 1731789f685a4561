// LogQL in -q: the observability page's queries and the rest of the LogQL log-query surface read into the
// same comparisons as the -q language; refused stages and bad queries fail with the position of the fault.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "logs/filter.hpp"
#include "logs/logql.hpp"
#include "logs/query.hpp"

using namespace igw::logs;

namespace {

Query parse(const std::string& query) {
  auto parsed = Query::parse(query);
  REQUIRE_MESSAGE(parsed, query << ": " << (parsed ? "" : describe(parsed.error(), query)));
  return *parsed;
}

bool q(const std::string& query, const std::string& json) {
  Query parsed = parse(query);
  Line line;
  REQUIRE_MESSAGE(line.parse(json), json);
  return parsed.matches(line);
}

QueryError err(const std::string& query) {
  auto parsed = Query::parse(query);
  REQUIRE_MESSAGE(!parsed, query);
  return parsed.error();
}

// The message of a refused query, checked to point at `column` (1-based, as describe prints it).
std::string refused(const std::string& query, std::size_t column) {
  QueryError e = err(query);
  CHECK_MESSAGE(e.position + 1 == column, query << ": " << e.message);
  return e.message;
}

// Every line of the log fixture (real gateway lines and hand-made edge lines), plus a few more.
std::vector<std::string> fixture_lines() {
  std::vector<std::string> lines;
  for (const char* name : {"gateway.jsonl", "edge.jsonl"}) {
    std::ifstream in(std::filesystem::path(IGW_SOURCE_DIR) / "tests" / "fixtures" / "logs" / name);
    REQUIRE_MESSAGE(in, name);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  lines.push_back(R"({"level":"error","logger":"mcp","request_id":"<uuid>","provider":""})");
  lines.push_back(R"({"level":"error","status_code":"500","provider":null,"logger":"mcp.server.x"})");
  return lines;
}

// The LogQL query keeps exactly the lines the -q query keeps, and at least `min_kept` of them.
void equivalent(const std::string& logql, const std::string& query, std::size_t min_kept) {
  Query a = parse(logql), b = parse(query);
  std::size_t kept = 0, json = 0;
  for (const auto& text : fixture_lines()) {
    Line line;
    if (!line.parse(text)) {
      CHECK_MESSAGE(a.matches_text(text) == b.matches_text(text), logql << " on " << text);
      continue;
    }
    ++json;
    bool keep = a.matches(line);
    CHECK_MESSAGE(keep == b.matches(line), logql << " vs " << query << " on " << text);
    kept += keep;
  }
  CHECK_MESSAGE(kept >= min_kept, logql << " kept " << kept);
  CHECK_MESSAGE(kept < json, logql << " kept every line");
}

}  // namespace

TEST_SUITE("logs logql") {
  TEST_CASE("the observability page's queries act as their -q terms") {
    // The page's LogQL lines, verbatim (see tests/e2e/test_logs_logql.sh), with <uuid> also filled in.
    equivalent(R"({app="inference-gateway"} | json | level="error")", R"(level = "error")", 5);
    equivalent(R"({app="inference-gateway"} | json | status_code >= 500)", "status_code >= 500", 5);
    equivalent(R"({app="inference-gateway"} | json | logger=~"mcp.*")", R"(logger =~ "mcp.*")", 4);
    equivalent(R"({app="inference-gateway"} | json | request_id="<uuid>")", R"(request_id = "<uuid>")", 1);
    equivalent(R"({app="inference-gateway"} | json | request_id="req-0005")", R"(request_id = "req-0005")",
               3);
    // The selector alone (with | json) keeps every line.
    Query all = parse(R"({namespace="inference-gateway", app="inference-gateway"} | json)");
    for (const auto& text : fixture_lines()) {
      Line line;
      CHECK((line.parse(text) ? all.matches(line) : all.matches_text(text)));
    }
  }

  TEST_CASE("label filters map to the -q comparisons") {
    equivalent("| status_code > 401", "status_code > 401", 5);
    equivalent("| status_code < 401", "status_code < 401", 3);
    equivalent("| status_code <= 401", "status_code <= 401", 5);
    equivalent("| status_code = 502", "status_code = 502", 2);
    equivalent("| status_code == 502", "status_code = 502", 2);
    equivalent("| status_code != 200", "status_code != 200", 5);
    equivalent(R"(| status_code = "503")", R"(status_code = "503")", 2);  // a string compares with the text
    equivalent("| duration_ms >= 1000.5", "duration_ms >= 1000.5", 3);
    equivalent(R"(| provider != "openai")", R"(provider != "openai")", 5);
    equivalent(R"(| model =~ "gpt-4o.*")", R"(model =~ "gpt-4o.*")", 4);
    equivalent(R"(| logger !~ "http|proxy")", R"(logger !~ "http|proxy")", 5);
    equivalent("| logger =~ `mcp\\..*`", R"(logger =~ "mcp\\..*")", 3);  // raw strings keep backslashes
    equivalent("| usage.total_tokens > 40", "usage.total_tokens > 40", 1);
  }

  TEST_CASE("and, comma, juxtaposition, or and parentheses within a stage; stages are ANDed") {
    equivalent(R"(| level="error" and provider="openai")", R"(level = "error" and provider = "openai")", 1);
    equivalent(R"(| level="error", provider="openai")", R"(level = "error" and provider = "openai")", 1);
    equivalent(R"(| level="error" provider="openai")", R"(level = "error" and provider = "openai")", 1);
    equivalent(R"(| level="error" | provider="openai")", R"(level = "error" and provider = "openai")", 1);
    equivalent(R"(| level="warn" or level="error" and provider="openai")",
               R"(level = "warn" or (level = "error" and provider = "openai"))", 3);
    equivalent(R"(| (level="warn" or level="error") and provider="openai")",
               R"((level = "warn" or level = "error") and provider = "openai")", 1);
    equivalent(R"(| level="warn" or level="error" | status_code >= 500)",
               R"((level = "warn" or level = "error") and status_code >= 500)", 3);
  }

  TEST_CASE("a missing or null field reads as \"\" where the filter holds for \"\"") {
    const std::string none = R"({"level":"info"})", empty = R"({"provider":""})",
                      null = R"({"provider":null})", set = R"({"provider":"openai"})";
    CHECK(q(R"(| provider="")", none));
    CHECK(q(R"(| provider="")", empty));
    CHECK(q(R"(| provider="")", null));
    CHECK(!q(R"(| provider="")", set));
    CHECK(!q(R"(| provider!="")", none));
    CHECK(!q(R"(| provider!="")", null));
    CHECK(q(R"(| provider!="")", set));
    CHECK(q(R"(| provider=~".*")", none));
    CHECK(!q(R"(| provider!~"(openai)?")", none));
    // Filters that do not hold for "" keep the -q meaning: a missing field is not "openai"...
    CHECK(!q(R"(| provider="openai")", none));
    CHECK(q(R"(| provider!="openai")", none));
    CHECK(!q(R"(| provider=~"o.*")", none));
    CHECK(q(R"(| provider!~"o.*")", none));
    // ...and a number comparison on a missing field is false, except !=.
    CHECK(!q("| status_code >= 500", none));
    CHECK(!q("| status_code = 0", none));
    CHECK(q("| status_code != 500", none));
    equivalent(R"(| provider!="")", R"(not (provider = null or provider = ""))", 5);
    equivalent(R"(| provider="")", R"(provider = null or provider = "")", 5);
  }

  TEST_CASE("regexes match the whole value; strings take escapes, raw strings do not") {
    CHECK(q(R"(| logger=~"mcp.*")", R"({"logger":"mcp.client"})"));
    CHECK(!q(R"(| logger=~"mcp")", R"({"logger":"mcp.client"})"));
    CHECK(!q(R"(| logger=~"client")", R"({"logger":"mcp.client"})"));
    CHECK(q(R"(| message="a \"b\"")", R"({"message":"a \"b\""})"));
    CHECK(q(R"(| path=~`/v1/.*`)", R"({"path":"/v1/models"})"));
    CHECK(!q("| logger=~`mcp\\.client`", R"({"logger":"mcpxclient"})"));
    CHECK(q("| logger=~\"mcp\\\\.client\"", R"({"logger":"mcp.client"})"));
  }

  TEST_CASE("line filters test the raw line, JSON or not") {
    const std::string line = R"({"level":"error","message":"upstream failed","error":"timeout"})";
    CHECK(q(R"({a="b"} |= "timeout")", line));
    CHECK(q(R"(|= "\"level\":\"error\"")", line));  // the raw text, keys and quotes included
    CHECK(!q(R"(|= "TIMEOUT")", line));             // case-sensitive, as in Loki
    CHECK(q(R"(|~ "(?i)TIMEOUT")", line));
    CHECK(q(R"(|~ "time.ut")", line));  // a search, not a whole-line match
    CHECK(!q(R"(!= "timeout")", line));
    CHECK(q(R"(!= "panic")", line));
    CHECK(!q(R"(!~ "fail(ed)?")", line));
    CHECK(q(R"(|= "panic" or "timeout")", line));
    CHECK(!q(R"(!= "panic" or "timeout")", line));  // none of them
    CHECK(q(R"(|= "timeout" |= "upstream" != "panic" | json | level="error")", line));
    CHECK(!q(R"(|= "timeout" | json | level="warn")", line));
    CHECK(!q(R"(| json |= "panic")", line));  // a line filter after a stage

    Query grep = parse(R"({app="igw"} |= "panic")");
    CHECK(grep.matches_text("not json: panic: runtime error"));
    CHECK(!grep.matches_text("not json: all good"));
    Query labels = parse(R"(| level="error")");
    CHECK(labels.matches_text("not json"));  // label filters do not judge lines that are not JSON
  }

  TEST_CASE("the filter applies line filters to lines that are not JSON") {
    auto f = Filter::make({.query = R"({app="igw"} |~ "panic|fatal")"}, 0);
    REQUIRE(f);
    CHECK(f->matches_text("goroutine 1: panic: boom"));
    CHECK(!f->matches_text("plain text"));
    auto plain = Filter::make({.query = R"(level = "error")"}, 0);
    REQUIRE(plain);
    CHECK(plain->matches_text("plain text"));
  }

  TEST_CASE("the stream selector is checked and ignored") {
    for (const char* s : {R"({})", R"({app="x"})", R"( {app="x", ns!="y", pod=~"igw-.*", c!~"z"} )",
                          R"({app="x"} | json)", R"({app="x"}|json|json)", R"(| json)"}) {
      CHECK_MESSAGE(q(s, R"({"level":"info"})"), s);
      CHECK_MESSAGE(parse(s).matches_text("not json"), s);
    }
    CHECK(refused(R"({app})", 5).find("expected = != =~ or !~ after 'app'") != std::string::npos);
    CHECK(refused(R"({app="x")", 9).find("to close the stream selector opened at column 1") !=
          std::string::npos);
    CHECK(refused(R"({app="x" | json)", 10).find("found '|'") != std::string::npos);
    CHECK(refused(R"({app=x})", 6).find("expected a \"string\" after '='") != std::string::npos);
    CHECK(refused(R"({app=~"(("})", 7).find("bad regular expression") != std::string::npos);
    CHECK(refused(R"({app>"x"})", 5).find("expected = != =~ or !~") != std::string::npos);
    CHECK(refused(R"({,})", 2).find("expected a label name or '}'") != std::string::npos);
  }

  TEST_CASE("unsupported stages are refused by name") {
    CHECK(refused(R"({app="x"} | logfmt)", 13).find("`logfmt` is not supported: igw logs are JSON") !=
          std::string::npos);
    CHECK(refused(R"({a="b"} | json | line_format "{{.message}}")", 18)
              .find("`line_format` is not supported") != std::string::npos);
    CHECK(refused(R"(| label_format dur=duration_ms)", 3).find("`label_format` is not supported") !=
          std::string::npos);
    for (const char* stage : {"regexp \"(?P<x>.*)\"", "pattern \"<_> <x>\"", "unpack", "xml", "keep level",
                              "drop level", "decolorize", "unwrap duration_ms"}) {
      std::string name = std::string{stage}.substr(0, std::string{stage}.find(' '));
      CHECK_MESSAGE(
          refused(std::string{"| "} + stage, 3).find("`" + name + "` is not supported") != std::string::npos,
          stage);
    }
    CHECK(refused(R"(| json status="response.status")", 8).find("`json` with parameters") !=
          std::string::npos);
    CHECK(refused(R"({a="b"} |> "<_> error")", 9).find("pattern line filters") != std::string::npos);
    CHECK(refused(R"({a="b"} !> "x")", 9).find("pattern line filters") != std::string::npos);
    CHECK(refused(R"(sum by (level) (count_over_time({a="b"}[5m])))", 1).find("metric query") !=
          std::string::npos);
    CHECK(refused(R"(rate({a="b"} | json [1m]))", 1).find("`rate`") != std::string::npos);
  }

  TEST_CASE("a field named like a stage is a label filter") {
    CHECK(q(R"(| json="x")", R"({"json":"x"})"));
    CHECK(q(R"(| logfmt != "x")", R"({"level":"info"})"));
  }

  TEST_CASE("values are quoted strings or numbers") {
    CHECK(refused("| level=error", 9).find("LogQL strings are quoted: \"error\"") != std::string::npos);
    CHECK(refused("| duration_ms > 5s", 17).find("durations and byte sizes") != std::string::npos);
    CHECK(refused("| bytes > 10MB", 11).find("durations and byte sizes") != std::string::npos);
    CHECK(refused(R"(| addr = ip("10.0.0.0/8"))", 10).find("ip() filters") != std::string::npos);
    CHECK(refused("| level=", 9).find("expected a \"string\" or a number after '='") != std::string::npos);
    CHECK(refused("| logger =~ 5", 13).find("needs a regular expression") != std::string::npos);
    CHECK(refused(R"(| logger =~ "((")", 13).find("bad regular expression") != std::string::npos);
  }

  TEST_CASE("other errors carry the position of the fault") {
    CHECK(refused(R"({a="b"} |)", 10).find("expected a stage after '|'") != std::string::npos);
    CHECK(refused(R"({a="b"} | json |)", 17).find("expected a stage after '|'") != std::string::npos);
    CHECK(refused(R"({a="b"} level="x")", 9).find("expected '|' or a line filter") != std::string::npos);
    CHECK(refused(R"(| status_code 500)", 15).find("expected an operator") != std::string::npos);
    CHECK(refused(R"(| (level="x" or level="y")", 26).find("expected ')' to close the '(' at column 3") !=
          std::string::npos);
    CHECK(refused(R"(| level="x"))", 12).find("expected `and`, `or`") != std::string::npos);
    CHECK(refused(R"(| not level="x")", 3).find("LogQL has no `not`") != std::string::npos);
    CHECK(refused(R"(| level="x" and)", 16).find("expected a label filter") != std::string::npos);
    CHECK(refused(R"(|= error)", 4).find("expected a \"string\" after '|='") != std::string::npos);
    CHECK(refused(R"(|= "a" or)", 10).find("expected a \"string\" after '|='") != std::string::npos);
    CHECK(refused(R"(|~ "((")", 4).find("bad regular expression") != std::string::npos);
    CHECK(refused(R"(| level="x)", 9).find("unterminated string") != std::string::npos);
    CHECK(refused("| a=`x", 5).find("unterminated string (missing closing `)") != std::string::npos);
    CHECK(refused(R"(| __error__!="")", 3).find("__error__") != std::string::npos);
    CHECK(refused(R"(| level ! "x")", 9).find("'!' must be followed by = or ~") != std::string::npos);
    CHECK(!Query::parse("| " + std::string(1000, '(') + "a=1"));
    std::string text = describe(err(R"({app="x"} | logfmt)"), R"({app="x"} | logfmt)");
    CHECK(text.find("column 13") != std::string::npos);
    CHECK(text.find("\n  {app=\"x\"} | logfmt\n  " + std::string(12, ' ') + "^") != std::string::npos);
  }

  TEST_CASE("__error__=\"\" is accepted and always holds") {
    CHECK(q(R"({a="b"} | json | __error__="")", R"({"level":"info"})"));
    CHECK(q(R"(| __error__="" | level="info")", R"({"level":"info"})"));
    CHECK(!q(R"(| __error__="" | level="warn")", R"({"level":"info"})"));
  }

  TEST_CASE("which queries are LogQL") {
    for (const char* s :
         {"{}", " {a=\"b\"}", "| json", "|= \"x\"", "\t|~ \"x\"", "!= \"x\"", "rate({a=\"b\"}[1m])",
          "sum by (level) (x)", "count_over_time ({a=\"b\"}[1m])", "topk without (a) (x)"})
      CHECK_MESSAGE(is_logql(s), s);
    for (const char* s : {"", "level = \"error\"", "count = 5", "sum > 1", "not (a = 1)", "rate = 2",
                          "(level = \"x\")", "byte = 1"})
      CHECK_MESSAGE(!is_logql(s), s);
  }

  TEST_CASE("the -q language is unchanged and points LogQL pipes at the selector") {
    CHECK(err(R"(level = "x" | json)").message.find("a LogQL query starts with a stream selector") !=
          std::string::npos);
    CHECK(err(R"(level = "x" | json)").position == 12);
    CHECK(err("level = `x`").position == 8);            // no raw strings in -q
    CHECK(err("a = 1, b = 2").position == 5);           // no commas in -q
    CHECK(q("level = error", R"({"level":"error"})"));  // bare words stay strings in -q
    CHECK(!q(R"(provider = "")", R"({"level":"x"})"));  // and a missing field is not "" in -q
  }
}
