#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "config/settings.hpp"
#include "manifests/compose_parts.hpp"
#include "manifests/grafana.hpp"
#include "manifests/prometheus.hpp"
#include "manifests/rules.hpp"
#include "telemetry/log.hpp"

using namespace igw::manifests;
using namespace igw::manifests::compose;

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("manifests.compose_parts") {
  TEST_CASE("datasources: Prometheus (the default), Loki and Jaeger at the stack's service names") {
    auto d = grafana_datasources();
    CHECK(d["apiVersion"] == 1);
    auto sources = d["datasources"];
    REQUIRE(sources.size() == 3);
    CHECK(sources[0]["name"] == "Prometheus");
    CHECK(sources[0]["url"] == "http://prometheus:" + std::to_string(kPrometheusPort));
    CHECK(sources[1]["url"] == "http://loki:" + std::to_string(kLokiPort));
    CHECK(sources[2]["url"] == "http://jaeger:" + std::to_string(kJaegerUiPort));
    int defaults = 0;
    for (const auto& s : sources) {
      CHECK(s["access"] == "proxy");
      CHECK(s["uid"] == s["type"]);  // stable uids the dashboard can reference
      defaults += s["isDefault"].get<bool>() ? 1 : 0;
    }
    CHECK(defaults == 1);
    CHECK(sources[0]["isDefault"] == true);
  }

  TEST_CASE("the dashboard provider reads files from the dashboards folder") {
    auto p = grafana_dashboard_provider();
    CHECK(p["apiVersion"] == 1);
    REQUIRE(p["providers"].size() == 1);
    CHECK(p["providers"][0]["type"] == "file");
    CHECK(p["providers"][0]["options"]["path"] == std::string{kDashboardDir});
    CHECK(p["providers"][0]["folder"] == "Inference Gateway");
  }

  TEST_CASE("promtail: the gateway's containers, labelled app=<name>, pushed to Loki") {
    auto o = default_options();
    o.name = "llm-gw";
    auto c = promtail_config(o);
    CHECK(c["clients"][0]["url"] == "http://loki:" + std::to_string(kLokiPort) + "/loki/api/v1/push");
    REQUIRE(c["scrape_configs"].size() == 1);
    auto job = c["scrape_configs"][0];
    CHECK(job["job_name"] == "llm-gw");
    CHECK(job["docker_sd_configs"][0]["filters"][0]["values"] ==
          nlohmann::ordered_json{"com.docker.compose.service=llm-gw"});
    auto app = job["relabel_configs"][0];
    CHECK(app["source_labels"][0] == "__meta_docker_container_label_com_docker_compose_service");
    CHECK(app["target_label"] == "app");
    CHECK(job["relabel_configs"][1]["regex"] == "/(.*)");  // Docker names start with '/'
  }

  TEST_CASE("promtail parses the field names the gateway's JSON log lines carry") {
    namespace field = igw::telemetry::log::field;
    auto stages = promtail_config(default_options())["scrape_configs"][0]["pipeline_stages"];
    auto expressions = stages[0]["json"]["expressions"];
    for (auto name : {field::level, field::logger, field::timestamp}) {
      CAPTURE(name);
      CHECK(expressions[std::string{name}] == std::string{name});
    }
    CHECK(stages[1]["timestamp"]["source"] == std::string{field::timestamp});
    CHECK(stages[1]["timestamp"]["format"] == "RFC3339Nano");
    CHECK(stages[2]["labels"].contains(std::string{field::level}));
    // The gateway's timestamps are RFC 3339 in UTC: what that stage parses.
    auto line =
        igw::telemetry::log::format_line(igw::telemetry::log::Level::info, "http", "m", {}, 1768471200123);
    CHECK(contains(line, R"("timestamp":"2026-01-15T10:00:00.123Z")"));
  }

  TEST_CASE("the README names every service with the host address it is published at") {
    auto o = default_options();
    auto text = readme(o);
    CHECK(text.starts_with("# inference-gateway monitoring stack\n"));
    CHECK(contains(text, "http://localhost:" + std::to_string(api_port())));
    CHECK(contains(text, "http://localhost:" + std::to_string(kPrometheusPort)));
    CHECK(contains(text, "http://localhost:" + std::to_string(kGrafanaPort)));
    CHECK(contains(text, "http://localhost:" + std::to_string(kLokiPort)));
    CHECK(contains(text, "http://localhost:" + std::to_string(kJaegerUiPort)));
    CHECK(contains(text, "`inference-gateway:" + std::to_string(metrics_port()) + "/metrics`"));
    CHECK(contains(text, "promtool check config prometheus/" + std::string{kPrometheusConfigFile}));
    CHECK(contains(text, "promtool check rules prometheus/" + std::string{kRulesFile}));
    CHECK(contains(text, "dashboard `" + std::string{kDashboardFile} + "`"));
  }

  TEST_CASE("the README's LogQL example has single braces and the gateway's name") {
    auto o = default_options();
    o.name = "llm-gw";
    auto text = readme(o);
    CHECK(contains(text, R"(`{app="llm-gw"} | json | level="error"`)"));
    CHECK(contains(text, R"(labelled `app="llm-gw"`)"));
    CHECK_FALSE(contains(text, "{{"));
    CHECK_FALSE(contains(text, "inference-gateway monitoring"));
  }

  TEST_CASE("the README promises traces only when the catalog says tracing is implemented") {
    namespace config = igw::config;
    auto text = readme(default_options());
    bool tracing =
        config::setting(config::Key::otel_exporter_otlp_endpoint).status == config::Status::implemented;
    CHECK(contains(text, "tracing is planned") == !tracing);
    CHECK(contains(text, "the gateway's traces") == tracing);
  }
}
