// The service's resource attributes (service.name, service.version, deployment.environment) as
// OpenTelemetry defines them: OTEL_RESOURCE_ATTRIBUTES, with OTEL_SERVICE_NAME taking precedence.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/recorder.hpp"

namespace igw::telemetry {

// "k1=v1,k2=v2" with percent-encoded values (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS);
// malformed members are skipped.
std::vector<std::pair<std::string, std::string>> parse_key_values(std::string_view text);

struct ServiceInputs {
  std::optional<std::string> service_name;  // OTEL_SERVICE_NAME when set explicitly
  std::string default_service_name;
  std::string resource_attributes;          // OTEL_RESOURCE_ATTRIBUTES
  std::string environment;                  // ENVIRONMENT, when deployment.environment is not given
  std::string version;                      // the build's version, when service.version is not given
};

ServiceAttributes resolve_service(const ServiceInputs& in);

}  // namespace igw::telemetry
