#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/catalog.hpp"
#include "telemetry/exposition.hpp"
#include "telemetry/recorder.hpp"

using namespace igw::telemetry;
using namespace igw::telemetry::exposition;

namespace {

// Part of a real `igw demo` scrape (one series per histogram kept), plus what prometheus-cpp never writes
// but other exporters do: escapes in help and label values, timestamps, a summary, untyped samples.
constexpr std::string_view kScrape =
    R"(# HELP llm_usage_prompt_tokens Number of prompt tokens consumed per provider/model.
# TYPE llm_usage_prompt_tokens counter
llm_usage_prompt_tokens{model="mock-gpt-4o-mini",provider="groq"} 17
llm_usage_prompt_tokens{model="mock-gpt-4o",provider="openai"} 42
# HELP llm_responses_total Total responses bucketed by HTTP status code.
# TYPE llm_responses_total counter
llm_responses_total{provider="unknown",request_method="GET",request_path="/v1/models",status_code="200"} 1
llm_responses_total{provider="openai",request_method="POST",request_path="/v1/chat/completions",status_code="500"} 1
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 0.12
# HELP target_info Service attributes of this gateway (service.name, service.version, deployment.environment); always 1.
# TYPE target_info gauge
target_info{deployment_environment="production",service_name="inference-gateway",service_version="0.1.0"} 1
# HELP igw_tool_server_up 1 while an MCP server (tool_type="mcp") or A2A agent ("a2a") is connected.
# TYPE igw_tool_server_up gauge
igw_tool_server_up{server="http://127.0.0.1:39283/mcp",tool_type="mcp"} 1
# HELP process_start_time_seconds Start time of the process since the Unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1796690823.46
# HELP igw_time_to_first_token_seconds Time from receiving a streaming request to relaying its first upstream event.
# TYPE igw_time_to_first_token_seconds histogram
igw_time_to_first_token_seconds_count{model="mock-gpt-4o",provider="groq"} 3
igw_time_to_first_token_seconds_sum{model="mock-gpt-4o",provider="groq"} 0.08444547600000001
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="0.005"} 0
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="0.01"} 0
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="0.025"} 0
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="0.05"} 0
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="0.1"} 1
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="0.25"} 2
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="0.5"} 2
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="1"} 3
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="2.5"} 3
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="5"} 3
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="10"} 3
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="20"} 3
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="30"} 3
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="60"} 3
igw_time_to_first_token_seconds_bucket{model="mock-gpt-4o",provider="groq",le="+Inf"} 3

# Not from igw: other exporters' habits.
# HELP rpc_duration_seconds A summary\nof RPC latency, in C:\\rpc.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773 1712345678901
rpc_duration_seconds{quantile="0.99"} 76656 1712345678901
rpc_duration_seconds_sum 1.7560473e+07 1712345678901
rpc_duration_seconds_count 2693 1712345678901
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
)";

const Exposition& parsed_scrape() {
  static const Exposition e = [] {
    auto r = parse(kScrape);
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    return *r;
  }();
  return e;
}

// The error of a text that must not parse.
ParseError error_of(std::string_view text) {
  auto r = parse(text);
  REQUIRE_MESSAGE(!r.has_value(), text);
  return r.error();
}

double value_of(std::string_view line) {
  auto r = parse(line);
  REQUIRE_MESSAGE(r.has_value(), line, ": ", r.error().message);
  REQUIRE(r->families.size() == 1);
  REQUIRE(r->families[0].samples.size() == 1);
  return r->families[0].samples[0].value;
}

const Sample& only_sample(const std::expected<Exposition, ParseError>& r) {
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  REQUIRE(r->families.size() == 1);
  REQUIRE(r->families[0].samples.size() == 1);
  return r->families[0].samples[0];
}

}  // namespace

TEST_SUITE("telemetry/exposition") {
  TEST_CASE("a real igw scrape: families in order, with their type, help and samples") {
    const auto& e = parsed_scrape();
    std::vector<std::string> names;
    for (const auto& f : e.families) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"llm_usage_prompt_tokens", "llm_responses_total",
                                            "process_cpu_seconds_total", "target_info", "igw_tool_server_up",
                                            "process_start_time_seconds", "igw_time_to_first_token_seconds",
                                            "rpc_duration_seconds", "msdos_file_access_time_seconds"});

    const Family* usage = e.find("llm_usage_prompt_tokens");
    REQUIRE(usage != nullptr);
    CHECK(usage->type == Type::counter);
    CHECK(usage->help == "Number of prompt tokens consumed per provider/model.");
    REQUIRE(usage->samples.size() == 2);
    CHECK(usage->samples[1].name == "llm_usage_prompt_tokens");
    CHECK(usage->samples[1].labels == std::vector<Label>{{"model", "mock-gpt-4o"}, {"provider", "openai"}});
    CHECK(usage->samples[1].value == 42);
    CHECK_FALSE(usage->samples[1].timestamp_ms.has_value());

    const Family* responses = e.find("llm_responses_total");
    REQUIRE(responses != nullptr);
    CHECK(responses->samples[1].label("status_code") == "500");
    CHECK(responses->samples[1].label("request_path") == "/v1/chat/completions");
    CHECK(responses->samples[1].label("no_such_label").empty());

    const Family* info = e.find("target_info");
    REQUIRE(info != nullptr);
    CHECK(info->type == Type::gauge);
    REQUIRE(info->samples.size() == 1);
    CHECK(info->samples[0].label("service_name") == "inference-gateway");
    CHECK(info->samples[0].value == 1);

    CHECK(e.find("igw_tool_server_up")->help ==
          R"(1 while an MCP server (tool_type="mcp") or A2A agent ("a2a") is connected.)");
    CHECK(e.find("process_cpu_seconds_total")->samples[0].labels.empty());
    CHECK(e.find("process_start_time_seconds")->samples[0].value == 1796690823.46);
    CHECK(e.find("llm_usage_prompt_tokens_total") == nullptr);
  }

  TEST_CASE("a histogram family holds its _count, _sum and every _bucket sample, +Inf included") {
    const Family* ttft = parsed_scrape().find("igw_time_to_first_token_seconds");
    REQUIRE(ttft != nullptr);
    CHECK(ttft->type == Type::histogram);
    REQUIRE(ttft->samples.size() == 2 + 15);
    CHECK(ttft->samples[0].name == "igw_time_to_first_token_seconds_count");
    CHECK(ttft->samples[0].value == 3);
    CHECK(ttft->samples[1].name == "igw_time_to_first_token_seconds_sum");
    CHECK(ttft->samples[1].value == 0.08444547600000001);
    CHECK(ttft->samples[2].name == "igw_time_to_first_token_seconds_bucket");
    CHECK(ttft->samples[2].label("le") == "0.005");
    CHECK(ttft->samples[16].label("le") == "+Inf");
    CHECK(ttft->samples[16].labels.back() == Label{"le", "+Inf"});
    CHECK(ttft->samples[16].value == 3);
    CHECK(parsed_scrape().find("igw_time_to_first_token_seconds_bucket") == nullptr);
    CHECK(parsed_scrape().find("igw_time_to_first_token_seconds_count") == nullptr);
  }

  TEST_CASE("a summary family holds its quantile samples (under the family name), _sum and _count") {
    const Family* rpc = parsed_scrape().find("rpc_duration_seconds");
    REQUIRE(rpc != nullptr);
    CHECK(rpc->type == Type::summary);
    REQUIRE(rpc->samples.size() == 4);
    CHECK(rpc->samples[0].label("quantile") == "0.5");
    CHECK(rpc->samples[1].value == 76656);
    CHECK(rpc->samples[2].name == "rpc_duration_seconds_sum");
    CHECK(rpc->samples[2].value == 1.7560473e+07);
    CHECK(rpc->samples[3].name == "rpc_duration_seconds_count");
    for (const auto& s : rpc->samples) CHECK(s.timestamp_ms == 1712345678901);
  }

  TEST_CASE("escapes: \\\\ and \\n in help; \\\\, \\\" and \\n in label values") {
    CHECK(parsed_scrape().find("rpc_duration_seconds")->help == "A summary\nof RPC latency, in C:\\rpc.");
    const Family* f = parsed_scrape().find("msdos_file_access_time_seconds");
    REQUIRE(f != nullptr);
    CHECK(f->samples[0].label("path") == "C:\\DIR\\FILE.TXT");
    CHECK(f->samples[0].label("error") == "Cannot find file:\n\"FILE.TXT\"");
    CHECK(f->samples[0].value == 1.458255915e9);
  }

  TEST_CASE("samples without # TYPE make an untyped family of their own name") {
    const Family* f = parsed_scrape().find("msdos_file_access_time_seconds");
    REQUIRE(f != nullptr);
    CHECK(f->type == Type::untyped);
    CHECK(f->help.empty());

    auto r = parse("# TYPE foo counter\nfoo 1\nfoo_bucket{le=\"1\"} 2\nbar_sum 3\nfoo_count 4\n");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    // A counter claims no _bucket or _count series: each is a family of its own.
    REQUIRE(r->families.size() == 4);
    CHECK(r->families[0].samples.size() == 1);
    CHECK(r->families[1].name == "foo_bucket");
    CHECK(r->families[1].type == Type::untyped);
    CHECK(r->families[2].name == "bar_sum");
    CHECK(r->families[3].name == "foo_count");
  }

  TEST_CASE("a family of the sample's exact name wins over the histogram that the suffix would name") {
    auto r = parse("# TYPE h histogram\nh_count 1\n# HELP h_count a series of its own\nh_count 2\nh_sum 3\n");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    REQUIRE(r->families.size() == 2);
    REQUIRE(r->find("h")->samples.size() == 2);
    CHECK(r->find("h")->samples[0].value == 1);
    CHECK(r->find("h")->samples[1].name == "h_sum");
    REQUIRE(r->find("h_count")->samples.size() == 1);
    CHECK(r->find("h_count")->samples[0].value == 2);
  }

  TEST_CASE("a family's samples gather even when other families come between them") {
    auto r = parse(
        "# TYPE a gauge\na{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n# TYPE h histogram\nh_count 1\nb 4\nh_sum 2\n");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    REQUIRE(r->families.size() == 3);
    CHECK(r->find("a")->samples.size() == 2);
    CHECK(r->find("b")->samples.size() == 2);
    CHECK(r->find("b")->samples[1].value == 4);
    CHECK(r->find("h")->samples.size() == 2);
    CHECK(r->find("h")->samples[1].name == "h_sum");
  }

  TEST_CASE(
      "a # HELP or # TYPE line makes its family even before any sample; HELP and TYPE in either order") {
    auto r = parse(
        "# TYPE only_type gauge\n# HELP only_help some help\n# HELP x later\n# TYPE x counter\n"
        "# HELP y\n# HELP\n# TYPE\n");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    REQUIRE(r->families.size() == 4);
    CHECK(r->families[0].type == Type::gauge);
    CHECK(r->families[0].samples.empty());
    CHECK(r->families[1].help == "some help");
    CHECK(r->families[1].type == Type::untyped);
    CHECK(r->find("x")->type == Type::counter);
    CHECK(r->find("x")->help == "later");
    CHECK(r->find("y")->help.empty());
  }

  TEST_CASE("comments, blank lines, spaces and tabs between tokens") {
    auto r = parse(
        "\n  \n# a comment\n#\n# HELPER is no keyword\n#TYPE t gauge\n \t# indented comment\n"
        "\t t{ a = \"1\" ,\tb=\"2\", } \t 5 \t 42 \t\n"
        "t{} 6\nt 7\nt{a=\"\"}8\n\n");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    REQUIRE(r->families.size() == 1);
    const Family& t = r->families[0];
    CHECK(t.type == Type::gauge);
    REQUIRE(t.samples.size() == 4);
    CHECK(t.samples[0].labels == std::vector<Label>{{"a", "1"}, {"b", "2"}});
    CHECK(t.samples[0].value == 5);
    CHECK(t.samples[0].timestamp_ms == 42);
    CHECK(t.samples[1].labels.empty());
    CHECK(t.samples[2].labels.empty());
    CHECK(t.samples[3].labels == std::vector<Label>{{"a", ""}});
    CHECK(t.samples[3].value == 8);
  }

  TEST_CASE("names: colons in metric names, underscores and digits after the first character") {
    auto r = parse("job:request_latency:rate5m{_a1=\"x\",B_2=\"y\"} 1\n_x9 2\n:y 3\n");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    CHECK(r->families.size() == 3);
    CHECK(r->families[0].samples[0].label("_a1") == "x");
    CHECK(r->families[0].samples[0].label("B_2") == "y");
  }

  TEST_CASE("lines end in \\n only: a \\r is part of the last token, as Prometheus reads it") {
    auto e = error_of("a 1\r\n");
    CHECK(e.line == 1);
    CHECK(e.message.find("bad value \"1\\x0d\" of \"a\"") != std::string::npos);
  }

  TEST_CASE("label values are UTF-8") {
    auto r = parse("a{city=\"Z\xc3\xbcrich\",emoji=\"\xf0\x9f\x98\x80\"} 1");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    CHECK(r->families[0].samples[0].label("city") == "Z\xc3\xbcrich");
    for (const char* bad : {"\xff", "\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80"}) {
      auto e = error_of("a 1\na{b=\"" + std::string{bad} + "\"} 1");
      CHECK(e.line == 2);
      CHECK_MESSAGE(
          e.message.find("the value of label \"b\" of \"a\" is not valid UTF-8") != std::string::npos,
          e.message);
    }
  }

  TEST_CASE("a histogram's le and a summary's quantile are numbers") {
    CHECK(parse("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_bucket{le=\"1e3\"} 1\n").has_value());
    auto e = error_of("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_bucket{le=\"ten\"} 1\n");
    CHECK(e.line == 3);
    CHECK(e.message.find("bad le \"ten\" of \"h_bucket\"") != std::string::npos);
    e = error_of("# TYPE s summary\ns{quantile=\"p99\"} 1\n");
    CHECK(e.line == 2);
    CHECK(e.message.find("bad quantile \"p99\" of \"s\"") != std::string::npos);
    // Outside a histogram le is a label like any other.
    CHECK(parse("# TYPE g gauge\ng{le=\"ten\"} 1\nu{quantile=\"p99\"} 1\n").has_value());
  }

  TEST_CASE("an empty exposition has no families") {
    CHECK(parse("")->families.empty());
    CHECK(parse("\n\n# only comments\n")->families.empty());
  }

  TEST_CASE("values: floats, exponents, Inf, Infinity and NaN in the spellings Prometheus accepts") {
    constexpr double inf = std::numeric_limits<double>::infinity();
    CHECK(value_of("x 0") == 0);
    CHECK(value_of("x -1.5") == -1.5);
    CHECK(value_of("x +3") == 3);
    CHECK(value_of("x 1e3") == 1000);
    CHECK(value_of("x 2.5E-3") == 0.0025);
    CHECK(value_of("x -1.25e+2") == -125);
    CHECK(value_of("x .5") == 0.5);
    CHECK(value_of("x 5.") == 5);
    CHECK(value_of("x 007") == 7);
    CHECK(value_of("x 18446744073709551616") == 18446744073709551616.0);
    CHECK(value_of("x 1.7976931348623157e308") == std::numeric_limits<double>::max());
    CHECK(value_of("x +Inf") == inf);
    CHECK(value_of("x -Inf") == -inf);
    CHECK(value_of("x Inf") == inf);
    CHECK(value_of("x inf") == inf);
    CHECK(value_of("x +inf") == inf);
    CHECK(value_of("x INF") == inf);
    CHECK(value_of("x Infinity") == inf);
    CHECK(value_of("x -infinity") == -inf);
    CHECK(std::isnan(value_of("x NaN")));
    CHECK(std::isnan(value_of("x nan")));
    CHECK(std::isnan(value_of("x NAN")));
    // Too small to represent: zero, as Prometheus reads it (too large is an error, below).
    CHECK(value_of("x 1e-400") == 0);
    CHECK(std::signbit(value_of("x -1e-400")));
    CHECK(
        value_of(
            "x 0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001") ==
        0);
    CHECK(std::signbit(value_of("x -0")));
  }

  TEST_CASE("values round-trip: the shortest text of a double reads back to the same bits") {
    const double values[] = {0.1 + 0.2,
                             1.0 / 3,
                             -2.5e-7,
                             6.02214076e23,
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::lowest(),
                             std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::epsilon(),
                             9007199254740993.0,
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN()};
    for (const double v : values) {
      char buf[64];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
      REQUIRE(ec == std::errc{});
      const std::string line = "x " + std::string(buf, end);
      const double back = value_of(line);
      CHECK_MESSAGE(std::memcmp(&back, &v, sizeof v) == 0, line);
    }
  }

  TEST_CASE("timestamps: int64 milliseconds, signed") {
    CHECK(only_sample(parse("x 1 1712345678901")).timestamp_ms == 1712345678901);
    CHECK(only_sample(parse("x 1 -5")).timestamp_ms == -5);
    CHECK(only_sample(parse("x 1 +7")).timestamp_ms == 7);
    CHECK(only_sample(parse("x 1 9223372036854775807")).timestamp_ms ==
          std::numeric_limits<std::int64_t>::max());
    CHECK(only_sample(parse("x 1 -9223372036854775808")).timestamp_ms ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(only_sample(parse("x{a=\"b\"} NaN 0")).timestamp_ms == 0);
  }

  TEST_CASE("bad metric names, with their line") {
    auto e = error_of("ok 1\n9lives 1\n");
    CHECK(e.line == 2);
    CHECK(e.message.find("bad metric name \"9lives\"") != std::string::npos);
    e = error_of("http-requests{a=\"b\"} 1");
    CHECK(e.line == 1);
    CHECK(e.message.find("bad metric name \"http-requests\"") != std::string::npos);
    e = error_of("a\n\n{a=\"b\"} 1");
    CHECK(e.line == 1);  // `a` has no value: the first bad line
    CHECK(e.message.find("missing value of \"a\"") != std::string::npos);
    e = error_of("a 1\n{a=\"b\"} 1");
    CHECK(e.line == 2);
    CHECK(e.message.find("missing metric name") != std::string::npos);
    e = error_of("# HELP 1x help\n");
    CHECK(e.line == 1);
    CHECK(e.message.find("bad metric name \"1x\"") != std::string::npos);
    e = error_of("# TYPE a.b counter\n");
    CHECK(e.message.find("bad metric name \"a.b\"") != std::string::npos);
  }

  TEST_CASE("bad label names, missing '=' or quote, a missing '}'") {
    auto e = error_of("a 1\nb{1x=\"v\"} 1\n");
    CHECK(e.line == 2);
    CHECK(e.message.find("bad label name \"1x\"") != std::string::npos);
    e = error_of("b{a:b=\"v\"} 1");  // a colon is for metric names only
    CHECK(e.message.find("bad label name \"a:b\"") != std::string::npos);
    e = error_of("b{,} 1");
    CHECK(e.message.find("missing label name") != std::string::npos);
    e = error_of("\n\nb{a \"v\"} 1");
    CHECK(e.line == 3);
    CHECK(e.message.find("missing '=' after label \"a\"") != std::string::npos);
    CHECK(e.message.find("\"\"v\"} 1\"") != std::string::npos);  // what was found instead
    e = error_of("b{a=v} 1");
    CHECK(e.message.find("missing '\"' before the value of label \"a\"") != std::string::npos);
    e = error_of("b{a=\"v\" c=\"w\"} 1");
    CHECK(e.message.find("expected ',' or '}' after label \"a\"") != std::string::npos);
    e = error_of("b{a=\"v\"");
    CHECK(e.message.find("missing '}'") != std::string::npos);
    e = error_of("b{a=\"v\", 1");
    CHECK(e.message.find("bad label name \"1\"") != std::string::npos);
  }

  TEST_CASE("an unterminated label value and a bad escape") {
    auto e = error_of("# TYPE b gauge\nb{a=\"v} 1\n");
    CHECK(e.line == 2);
    CHECK(e.message.find("unterminated value of label \"a\"") != std::string::npos);
    e = error_of("b{a=\"v\\\"} 1");  // the escaped quote does not close the value
    CHECK(e.message.find("unterminated value of label \"a\"") != std::string::npos);
    e = error_of("b{a=\"v\\");  // a backslash at the very end
    CHECK(e.message.find("unterminated value of label \"a\"") != std::string::npos);
    e = error_of("b 1\nb{a=\"\\t\"} 1");
    CHECK(e.line == 2);
    CHECK(e.message.find("bad escape \"\\t\" in the value of label \"a\"") != std::string::npos);
    e = error_of("# HELP h tab\\there\n");
    CHECK(e.line == 1);
    CHECK(e.message.find("bad escape \"\\t\" in the help of \"h\"") != std::string::npos);
    e = error_of("# HELP h no quote escape in help: \\\"\n");
    CHECK(e.message.find("bad escape") != std::string::npos);
    e = error_of("# HELP h ends in a backslash\\");
    CHECK(e.message.find("bad escape") != std::string::npos);
  }

  TEST_CASE("bad values") {
    for (const char* bad :
         {"abc", "1e400", "-1e400", "0x10", "1_000", "1,5",    "1.2.3",   "1e",        "e5", ".",    "+",
          "-",   "--1",   "+-1",    "-nan", "+NaN",  "nan(1)", "infinit", "Infinityy", "1d", "\"1\""}) {
      const std::string text = "# TYPE v gauge\nv{a=\"b\"} " + std::string{bad} + "\n";
      auto e = error_of(text);
      CHECK(e.line == 2);
      CHECK_MESSAGE(e.message.find("bad value \"" + std::string{bad} + "\" of \"v\"") != std::string::npos,
                    e.message);
    }
    auto e = error_of("v{a=\"b\"}");
    CHECK(e.message.find("missing value of \"v\"") != std::string::npos);
    e = error_of("v   \t");
    CHECK(e.message.find("missing value of \"v\"") != std::string::npos);
  }

  TEST_CASE("bad timestamps and text after the timestamp") {
    for (const char* bad : {"1.5", "abc", "1e3", "9223372036854775808", "-9223372036854775809", "-", "+",
                            "+-1", "0x1", "12a"}) {
      auto e = error_of("v 1\nv 1 " + std::string{bad});
      CHECK(e.line == 2);
      CHECK_MESSAGE(
          e.message.find("bad timestamp \"" + std::string{bad} + "\" of \"v\"") != std::string::npos,
          e.message);
    }
    auto e = error_of("v 1 2 3");
    CHECK(e.message.find("unexpected text after the timestamp of \"v\": \"3\"") != std::string::npos);
  }

  TEST_CASE("# TYPE: an unknown or missing type, or text after it") {
    auto e = error_of("# HELP a x\n# TYPE a countr\n");
    CHECK(e.line == 2);
    CHECK(e.message.find("unknown type \"countr\" for \"a\"") != std::string::npos);
    e = error_of("# TYPE a Counter\n");  // the types are lower case
    CHECK(e.message.find("unknown type \"Counter\"") != std::string::npos);
    e = error_of("# TYPE a\n");
    CHECK(e.message.find("missing type for \"a\"") != std::string::npos);
    e = error_of("# TYPE a gauge histogram\n");
    CHECK(e.message.find("unexpected text after the type of \"a\": \"histogram\"") != std::string::npos);
  }

  TEST_CASE("# TYPE or # HELP given twice for one family") {
    auto e = error_of("# TYPE a counter\na 1\n# TYPE a counter\n");
    CHECK(e.line == 3);
    CHECK(e.message.find("# TYPE given twice for \"a\" (first on line 1)") != std::string::npos);
    e = error_of("# TYPE a counter\n# TYPE a gauge\n");
    CHECK(e.line == 2);
    e = error_of("# HELP a x\n\n# HELP a y\n");
    CHECK(e.line == 3);
    CHECK(e.message.find("# HELP given twice for \"a\" (first on line 1)") != std::string::npos);
  }

  TEST_CASE("a # TYPE after samples of its family") {
    auto e = error_of("a 1\n# TYPE a counter\n");
    CHECK(e.line == 2);
    CHECK(e.message.find("# TYPE for \"a\" after its samples (\"a\" on line 1)") != std::string::npos);
    e = error_of("# HELP h x\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n# TYPE h histogram\n");
    CHECK(e.line == 4);
    CHECK(e.message.find("# TYPE for \"h\" after its samples (\"h_bucket\" on line 2)") != std::string::npos);
    e = error_of("s_sum 1\n# TYPE s summary\n");
    CHECK(e.line == 2);
    CHECK(e.message.find("\"s_sum\" on line 1") != std::string::npos);
    // A # HELP line alone is no sample: a # TYPE may follow it.
    CHECK(parse("# HELP a x\n# TYPE a counter\na 1\n").has_value());
    // A summary has no _bucket series: an untyped s_bucket family before # TYPE s summary is no conflict.
    CHECK(parse("s_bucket 1\n# TYPE s summary\ns_sum 1\n").has_value());
  }

  TEST_CASE("a duplicate label name in one sample") {
    auto e = error_of("a{x=\"1\"} 1\na{x=\"1\",y=\"2\",x=\"3\"} 1\n");
    CHECK(e.line == 2);
    CHECK(e.message.find("duplicate label \"x\" in \"a\"") != std::string::npos);
    CHECK(parse("a{x=\"1\"} 1\na{x=\"1\"} 2\n").has_value());  // the same labels on two samples: fine
  }

  TEST_CASE("the offending text is quoted, cut to 60 bytes, and control bytes are shown escaped") {
    const std::string long_name = "9" + std::string(500, 'a');
    auto e = error_of(long_name + " 1");
    CHECK(e.message.find("\"9" + std::string(59, 'a') + "\"...") != std::string::npos);
    CHECK(e.message.size() < 150);
    e = error_of("a{b=\"\x01\"} \x02");
    CHECK(e.message.find("bad value \"\\x02\"") != std::string::npos);
    // UTF-8 is shown as is, cut on a character boundary; bytes that are not UTF-8 are shown escaped.
    e = error_of("1" + std::string(29, 'a') + std::string(20, '\xc3') + "\xbc 1");
    CHECK(e.message.find("bad metric name \"1" + std::string(29, 'a') + "\\xc3") != std::string::npos);
    e = error_of("1" + std::string(58, 'a') + "\xc3\xbc 1");
    CHECK(e.message.find("bad metric name \"1" + std::string(58, 'a') + "\"...") != std::string::npos);
    e = error_of("a{b=\"\xe2\x82\xac \xff\"} 1");
    CHECK(e.message.find("not valid UTF-8: \"\\xe2\\x82\\xac \\xff\"") != std::string::npos);
  }

  TEST_CASE("garbage is reported, never thrown") {
    const std::string nul_in_value{"a 1\0", 4};
    CHECK_FALSE(parse(nul_in_value).has_value());
    CHECK_FALSE(parse("{").has_value());
    CHECK_FALSE(parse("a{").has_value());
    CHECK_FALSE(parse("a{b").has_value());
    CHECK_FALSE(parse("a{b=").has_value());
    CHECK_FALSE(parse("a{b=\"").has_value());
    CHECK_FALSE(parse("a{b=\"\\").has_value());
    CHECK_FALSE(parse("a{b=\"\"").has_value());
    CHECK_FALSE(parse("a{b=\"\",").has_value());
    CHECK_FALSE(parse("\xff\xfe").has_value());
  }

  TEST_CASE("the live recorder's exposition parses: every implemented catalog family, with its type") {
    auto r = make_prometheus_recorder({{"inference-gateway", "1.2.3", "te\"st\\env\n"}, 100});
    RequestOutcome o;
    o.provider = "openai";
    o.model = "gpt-4o";
    o.request_type = request_type::chat_completions;
    o.method = "POST";
    o.route = "/v1/chat/completions";
    o.status_code = 200;
    o.duration_ms = 42;
    o.time_to_first_token = 0.3;
    o.has_usage = true;
    o.prompt_tokens = 10;
    o.completion_tokens = 5;
    o.total_tokens = 15;
    r->request_started("openai");
    o.counted_in_flight = true;
    r->request_finished(o);
    const auto text = r->exposition();
    auto e = parse(text);
    REQUIRE_MESSAGE(e.has_value(), e.error().line, ": ", e.error().message);
    for (const auto& m : metrics()) {
      if (m.status != Status::implemented) continue;
      const Family* f = e->find(m.name);
      REQUIRE_MESSAGE(f != nullptr, m.name);
      CHECK_MESSAGE(to_string(f->type) == to_string(m.type), m.name);
    }
    const Family* info = e->find(metric(Metric::target_info).name);
    REQUIRE(info != nullptr);
    CHECK(info->samples[0].label(label::deployment_environment) == "te\"st\\env\n");
    const Family* duration = e->find(metric(Metric::request_duration).name);
    std::size_t buckets = 0;
    for (const auto& s : duration->samples) buckets += s.name.ends_with(kBucketSuffix);
    CHECK(buckets == metric(Metric::request_duration).buckets.size() + 1);
    CHECK(duration->samples.size() == buckets + 2);
  }

  TEST_CASE("to_string names every type as # TYPE writes it") {
    CHECK(to_string(Type::counter) == "counter");
    CHECK(to_string(Type::gauge) == "gauge");
    CHECK(to_string(Type::histogram) == "histogram");
    CHECK(to_string(Type::summary) == "summary");
    CHECK(to_string(Type::untyped) == "untyped");
    for (const auto t : {Type::counter, Type::gauge, Type::histogram, Type::summary, Type::untyped}) {
      auto r = parse("# TYPE x " + std::string{to_string(t)} + "\n");
      REQUIRE(r.has_value());
      CHECK(r->families[0].type == t);
    }
  }
}
