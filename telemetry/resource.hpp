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

// "%20" -> " "; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view text);

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

// The resource attribute keys of the three service attributes.
namespace resource_key {
inline constexpr std::string_view service_name = "service.name";
inline constexpr std::string_view service_version = "service.version";
inline constexpr std::string_view deployment_environment = "deployment.environment";
inline constexpr std::string_view deployment_environment_name = "deployment.environment.name";  // newer spelling
}  // namespace resource_key

// The trace resource: the three service attributes as resolve_service settled them, then every other member
// of OTEL_RESOURCE_ATTRIBUTES.
std::vector<std::pair<std::string, std::string>> resource_attributes(const ServiceInputs& in);

}  // namespace igw::telemetry
