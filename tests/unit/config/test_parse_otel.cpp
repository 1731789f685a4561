#include <doctest/doctest.h>

#include "config/loader.hpp"
#include "config/parse.hpp"

using namespace igw::config;
using namespace std::chrono_literals;

namespace {
std::string error_of(const Environment& env) {
  auto c = Config::load(env);
  return c ? std::string{} : c.error().message();
}
}  // namespace

TEST_SUITE("config/parse") {
  TEST_CASE("parse_milliseconds: a bare number is milliseconds (OpenTelemetry), or a duration") {
    CHECK(parse_milliseconds("10000").value() == 10s);
    CHECK(parse_milliseconds("0").value() == 0ms);
    CHECK(parse_milliseconds(" 1500 ").value() == 1500ms);
    CHECK(parse_milliseconds("10s").value() == 10s);
    CHECK(parse_milliseconds("250ms").value() == 250ms);
    CHECK(parse_milliseconds("1m30s").value() == 90s);
    for (auto bad : {"-1", "abc", "", "10x", "1.5", "-5s"}) {
      auto r = parse_milliseconds(bad);
      REQUIRE_FALSE_MESSAGE(r.has_value(), bad);
      CHECK(r.error().find("milliseconds") != std::string::npos);
    }
  }

  TEST_CASE("parse_ratio: a number from 0 to 1") {
    CHECK(parse_ratio("0").value() == 0.0);
    CHECK(parse_ratio("1").value() == 1.0);
    CHECK(parse_ratio("0.25").value() == 0.25);
    CHECK(parse_ratio("1.0").value() == 1.0);
    for (auto bad : {"1.5", "-0.1", "x", "", "0.5x", "nan", "inf", "1e9"}) {
      auto r = parse_ratio(bad);
      REQUIRE_FALSE_MESSAGE(r.has_value(), bad);
      CHECK(r.error().find("0 to 1") != std::string::npos);
    }
  }

  TEST_CASE("check_pairs: key=value members separated by commas") {
    CHECK(check_pairs("a=b,c=d").has_value());
    CHECK(check_pairs("api-key=secret").has_value());
    CHECK(check_pairs("").has_value());
    CHECK(check_pairs("auth=Basic%20abc=").has_value());  // '=' inside a value
    for (auto bad : {"novalue", "=x", "a=b,novalue", "a=b,=c", " =x"}) {
      auto r = check_pairs(bad);
      REQUIRE_FALSE_MESSAGE(r.has_value(), bad);
      CHECK(r.error().find("key=value") != std::string::npos);
    }
  }
}

TEST_SUITE("config/loader") {
  TEST_CASE("OpenTelemetry exporter settings: defaults and accepted values") {
    auto c = Config::load({}).value();
    CHECK(c.duration(Key::otel_exporter_otlp_timeout) == 10s);
    CHECK(c.duration(Key::otel_bsp_schedule_delay) == 5s);
    CHECK(c.duration(Key::otel_bsp_export_timeout) == 30s);
    CHECK(c.text(Key::otel_traces_sampler) == "parentbased_always_on");

    auto set = Config::load({{"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                             {"OTEL_BSP_SCHEDULE_DELAY", "250ms"},
                             {"OTEL_TRACES_SAMPLER", "traceidratio"},
                             {"OTEL_TRACES_SAMPLER_ARG", "0.25"},
                             {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret,team=llm"}});
    REQUIRE_MESSAGE(set.has_value(), (set ? std::string{} : set.error().message()));
    CHECK(set->duration(Key::otel_exporter_otlp_timeout) == 2500ms);
    CHECK(set->duration(Key::otel_bsp_schedule_delay) == 250ms);
    CHECK(set->text(Key::otel_traces_sampler) == "traceidratio");
    CHECK(set->text(Key::otel_traces_sampler_arg) == "0.25");
  }

  TEST_CASE("a bad OTEL_EXPORTER_OTLP_TIMEOUT: one line naming the variable and the value") {
    auto e = error_of({{"OTEL_EXPORTER_OTLP_TIMEOUT", "abc"}});
    CHECK(e.starts_with("invalid OTEL_EXPORTER_OTLP_TIMEOUT=\"abc\": expected "));
    CHECK(e.find("milliseconds") != std::string::npos);
    CHECK(e.find('\n') == std::string::npos);
    CHECK(
        error_of({{"OTEL_BSP_SCHEDULE_DELAY", "-1"}}).starts_with("invalid OTEL_BSP_SCHEDULE_DELAY=\"-1\""));
  }

  TEST_CASE("an unknown OTEL_TRACES_SAMPLER lists the samplers") {
    auto e = error_of({{"OTEL_TRACES_SAMPLER", "bogus"}});
    CHECK(e.starts_with("invalid OTEL_TRACES_SAMPLER=\"bogus\": expected one of "));
    for (auto name : {"always_on", "always_off", "traceidratio", "parentbased_always_on",
                      "parentbased_always_off", "parentbased_traceidratio"}) {
      CHECK_MESSAGE(e.find(name) != std::string::npos, name);
    }
  }

  TEST_CASE("OTEL_TRACES_SAMPLER_ARG must be a ratio") {
    auto e = error_of({{"OTEL_TRACES_SAMPLER_ARG", "2"}});
    CHECK(e.starts_with("invalid OTEL_TRACES_SAMPLER_ARG=\"2\": expected "));
    CHECK(e.find("0 to 1") != std::string::npos);
    CHECK(error_of({{"OTEL_TRACES_SAMPLER_ARG", "half"}})
              .starts_with("invalid OTEL_TRACES_SAMPLER_ARG=\"half\""));
  }

  TEST_CASE("malformed OTEL_EXPORTER_OTLP_HEADERS: an error that does not show the secret") {
    auto e = error_of({{"OTEL_EXPORTER_OTLP_HEADERS", "broken"}});
    CHECK(e.starts_with("invalid OTEL_EXPORTER_OTLP_HEADERS=\"" + mask_secret("broken") + "\": expected "));
    CHECK(e.find("key=value") != std::string::npos);
    CHECK(e.find("broken") == std::string::npos);
    // A long one keeps only its first characters.
    const std::string token = "Authorization Bearer sk-live-0123456789";
    auto long_error = error_of({{"OTEL_EXPORTER_OTLP_HEADERS", token}});
    CHECK(long_error.starts_with("invalid OTEL_EXPORTER_OTLP_HEADERS=\"Aut****\""));
    CHECK(long_error.find("sk-live") == std::string::npos);
  }
}
