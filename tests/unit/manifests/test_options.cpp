#include <doctest/doctest.h>

#include "config/settings.hpp"
#include "manifests/options.hpp"
#include "telemetry/build_info.hpp"

using namespace igw::manifests;
using igw::telemetry::Alert;

TEST_SUITE("manifests.options") {
  TEST_CASE("defaults come from the catalogs") {
    auto o = default_options();
    const auto& settings = igw::config::settings();
    CHECK(o.name == settings[igw::config::index_of(igw::config::Key::otel_service_name)].default_value);
    CHECK(std::to_string(api_port()) ==
          settings[igw::config::index_of(igw::config::Key::server_port)].default_value);
    CHECK(std::to_string(metrics_port()) ==
          settings[igw::config::index_of(igw::config::Key::telemetry_metrics_port)].default_value);
    for (const auto& def : igw::telemetry::alerts()) CHECK(threshold(o, def.id) == def.threshold);
    CHECK(alert_for_seconds(o, Alert::high_error_rate) == 600);
    CHECK(alert_for_seconds(o, Alert::tool_call_failures) == 900);
    CHECK(validate(o).has_value());
  }

  TEST_CASE("the page's contract values") {
    auto o = default_options();
    CHECK(o.name == "inference-gateway");
    CHECK(api_port() == 8080);
    CHECK(metrics_port() == 9464);
    CHECK(o.release == "kube-prometheus-stack");
    CHECK(o.interval == "15s");
    CHECK(o.scrape_timeout == "10s");
  }

  TEST_CASE("--alert-for replaces every alert's for") {
    auto o = default_options();
    o.alert_for = "30s";
    for (const auto& def : igw::telemetry::alerts()) CHECK(alert_for_seconds(o, def.id) == 30);
  }

  TEST_CASE("durations") {
    CHECK(duration_seconds("--interval", "15s").value() == 15);
    CHECK(duration_seconds("--interval", "1h30m").value() == 5400);
    CHECK(duration_seconds("--interval", "1d").value() == 86400);
    for (auto bad : {"", "15", "s", "1.5s", "10x", "0s", "-1m"}) {
      CAPTURE(bad);
      auto d = duration_seconds("--interval", bad);
      REQUIRE_FALSE(d);
      CHECK(d.error().find("--interval") != std::string::npos);
    }
    CHECK(prometheus_duration(600) == "10m");
    CHECK(prometheus_duration(5400) == "1h30m");
    CHECK(prometheus_duration(90) == "1m30s");
    CHECK(prometheus_duration(3605) == "1h5s");
    CHECK(prometheus_duration(15) == "15s");
  }

  TEST_CASE("bad values are refused with the flag, the value and what was expected") {
    struct Case {
      void (*edit)(Options&);
      const char* expect;
    };
    const Case cases[] = {
        {[](Options& o) { o.name = "Bad_Name"; }, "--name \"Bad_Name\": expected a lowercase DNS label"},
        {[](Options& o) { o.ns = ""; }, "--namespace \"\""},
        {[](Options& o) { o.release = "-x"; }, "--release \"-x\""},
        {[](Options& o) { o.interval = "fast"; }, "--interval \"fast\": expected a duration"},
        {[](Options& o) { o.scrape_timeout = "30s"; },
         "--scrape-timeout \"30s\": expected at most --interval \"15s\""},
        {[](Options& o) { o.alert_for = "soon"; }, "--alert-for \"soon\""},
        {[](Options& o) { o.thresholds[0] = 1.5; },
         "--error-rate-threshold 1.5: expected a ratio between 0 and 1"},
        {[](Options& o) { o.thresholds[2] = 0; }, "--tool-failure-threshold 0: expected a ratio"},
        {[](Options& o) { o.thresholds[1] = 10000; },
         "--p95-latency-threshold-ms 10000: expected milliseconds above 1 and below 10000"},
        {[](Options& o) { o.thresholds[1] = -5; }, "--p95-latency-threshold-ms -5"},
        {[](Options& o) { o.drain_timeout = "soon"; }, "--drain-timeout \"soon\": expected a duration"},
        {[](Options& o) { o.image = ""; }, "--image \"\": expected a container image reference"},
    };
    for (const auto& c : cases) {
      auto o = default_options();
      c.edit(o);
      auto result = validate(o);
      REQUIRE_FALSE(result);
      CAPTURE(result.error());
      CHECK(result.error().starts_with(c.expect));
    }
  }

  TEST_CASE("the image defaults to the repository's, tagged with igw's version; never a moving tag") {
    auto o = default_options();
    CHECK(o.image == default_image());
    CHECK(default_image() ==
          "ghcr.io/inference-gateway/igw:" + std::string{igw::telemetry::build_info().version});
    CHECK_FALSE(o.image.ends_with(":latest"));
    CHECK(o.drain_timeout.empty());  // the catalog default, not repeated in the manifests
    o.drain_timeout = "45s";
    CHECK(validate(o));
  }
}
