#include <doctest/doctest.h>

#include <limits>

#include "manifests/rules_test.hpp"

using namespace igw::manifests;

TEST_SUITE("manifests.humanize") {
  TEST_CASE("humanize as Prometheus's template functions print") {
    CHECK(humanize(7375) == "7.375k");
    CHECK(humanize(10000) == "10k");
    CHECK(humanize(999) == "999");
    CHECK(humanize(1234567) == "1.235M");
    CHECK(humanize(0.0012) == "1.2m");
    CHECK(humanize(0) == "0");
    CHECK(humanize_percentage(0.0501) == "5.01%");
    CHECK(humanize_percentage(0.1001) == "10.01%");
    CHECK(humanize_percentage(1) == "100%");
  }

  TEST_CASE("humanize: a prefix per factor of 1000, four significant digits, the sign kept") {
    CHECK(humanize(1) == "1");
    CHECK(humanize(1000) == "1k");
    CHECK(humanize(999.99999) == "1000");  // below 1000 before rounding: no prefix, as Prometheus
    CHECK(humanize(-1234) == "-1.234k");
    CHECK(humanize(2.5e9) == "2.5G");
    CHECK(humanize(1e24) == "1Y");
    CHECK(humanize(1e27) == "1000Y");  // no prefix past Y
    CHECK(humanize(0.5) == "500m");
    CHECK(humanize(-0.002) == "-2m");
    CHECK(humanize(3e-6) == "3u");
    CHECK(humanize(1e-24) == "1y");
    CHECK(humanize(12.345678) == "12.35");
  }

  TEST_CASE("humanize_percentage: the ratio times 100, four significant digits") {
    CHECK(humanize_percentage(0) == "0%");
    CHECK(humanize_percentage(0.123456) == "12.35%");
    CHECK(humanize_percentage(2.5) == "250%");
    CHECK(humanize_percentage(-0.05) == "-5%");
    CHECK(humanize_percentage(0.00001) == "0.001%");
  }

  TEST_CASE("annotation templates render with labels and value") {
    CHECK(render_annotation("Tool {{ $labels.tool_name }} at {{ $value | humanizePercentage }}",
                            {{"tool_name", "s"}}, 0.2) == "Tool s at 20%");
    CHECK(render_annotation("p95 {{ $value | humanize }} ms for {{$labels.provider}}",
                            {{"provider", "openai"}}, 7375) == "p95 7.375k ms for openai");
    CHECK(render_annotation("no templates", {}, 1) == "no templates");
  }

  TEST_CASE("annotations: the raw value, repeated actions, text around them") {
    CHECK(render_annotation("v={{ $value }}", {}, 0.25) == "v=0.25");
    CHECK(render_annotation("{{$value}}/{{ $value }}", {}, 3) == "3/3");
    CHECK(render_annotation("[{{ $labels.a }}{{ $labels.b }}]", {{"a", "x"}, {"b", "y"}}, 0) == "[xy]");
    CHECK(render_annotation("", {}, 1).empty());
  }

  TEST_CASE("annotations: unknown actions and unclosed braces are kept verbatim") {
    CHECK(render_annotation("a {{ .Labels.x }} b", {}, 1) == "a {{ .Labels.x }} b");
    CHECK(render_annotation("a {{ $value | printf \"%.2f\" }}", {}, 1) == "a {{ $value | printf \"%.2f\" }}");
    CHECK(render_annotation("open {{ $value", {}, 1) == "open {{ $value");
    CHECK(render_annotation("close }} {{ $value }}", {}, 2) == "close }} 2");
  }

  // Prometheus renders templates with Go's text/template: floats print through Go's %v and %.4g, and a
  // missing map key prints "<no value>".
  TEST_CASE("NaN and infinities as Go prints them") {
    CHECK(humanize(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    CHECK(humanize(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(humanize(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(humanize_percentage(std::numeric_limits<double>::quiet_NaN()) == "NaN%");
  }

  TEST_CASE("{{ $value }} and missing labels as Go's text/template prints them") {
    CHECK(render_annotation("{{ $value }}", {}, 1e6) == "1e+06");
    CHECK(render_annotation("{{ $value }}", {}, 100000) == "100000");
    CHECK(render_annotation("{{ $value }}", {}, 0.0001) == "0.0001");
    CHECK(render_annotation("{{ $value }}", {}, 0.00001) == "1e-05");
    CHECK(render_annotation("{{ $value }}", {}, 0.25) == "0.25");
    CHECK(render_annotation("{{ $value }}", {}, 1234567) == "1.234567e+06");
    CHECK(render_annotation("{{ $labels.missing }}", {}, 0) == "<no value>");
  }
}
