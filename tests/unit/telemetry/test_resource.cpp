#include <doctest/doctest.h>

#include "telemetry/resource.hpp"

using namespace igw::telemetry;

TEST_SUITE("telemetry/resource") {
  TEST_CASE("OTEL_RESOURCE_ATTRIBUTES: key=value members, percent-decoded, malformed ones skipped") {
    auto a = parse_key_values(" deployment.environment = production,team=llm%20ops,broken,=x,k=");
    REQUIRE(a.size() == 3);
    CHECK(a[0] == std::pair<std::string, std::string>{"deployment.environment", "production"});
    CHECK(a[1] == std::pair<std::string, std::string>{"team", "llm ops"});
    CHECK(a[2] == std::pair<std::string, std::string>{"k", ""});
    CHECK(parse_key_values("").empty());
    CHECK(parse_key_values("a=%zz%4")[0].second == "%zz%4");
  }

  TEST_CASE("service attributes: OTEL_SERVICE_NAME wins, then the resource attributes, then the defaults") {
    ServiceInputs in{std::nullopt, "inference-gateway", "", "development", "1.2.3"};
    auto s = resolve_service(in);
    CHECK(s.service_name == "inference-gateway");
    CHECK(s.service_version == "1.2.3");
    CHECK(s.deployment_environment == "development");

    in.resource_attributes = "service.name=from-attrs,deployment.environment=production,service.version=9";
    s = resolve_service(in);
    CHECK(s.service_name == "from-attrs");
    CHECK(s.deployment_environment == "production");
    CHECK(s.service_version == "9");

    in.service_name = "explicit";
    CHECK(resolve_service(in).service_name == "explicit");
  }
}

TEST_SUITE("telemetry/resource attributes") {
  TEST_CASE("the trace resource: the resolved service attributes first, then the other members once") {
    igw::telemetry::ServiceInputs in;
    in.default_service_name = "inference-gateway";
    in.service_name = "gw";
    in.resource_attributes = "service.name=ignored,team=llm%20ops,deployment.environment.name=staging,zone=a";
    in.environment = "production";
    in.version = "1.2.3";
    auto attrs = igw::telemetry::resource_attributes(in);
    using P = std::pair<std::string, std::string>;
    CHECK(attrs == std::vector<P>{{"service.name", "gw"},
                                  {"service.version", "1.2.3"},
                                  {"deployment.environment", "staging"},
                                  {"team", "llm ops"},
                                  {"zone", "a"}});
  }
}
