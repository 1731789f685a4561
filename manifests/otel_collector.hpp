// The OpenTelemetry Collector configuration of the page: OTLP gRPC and HTTP receivers, memory_limiter and
// batch processors, otlp/jaeger and debug exporters, one traces pipeline.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "manifests/options.hpp"

namespace igw::manifests {

// OTLP's conventional ports (gRPC, HTTP) and the collector's names in generated stacks.
inline constexpr std::uint16_t kOtlpGrpcPort = 4317;
inline constexpr std::uint16_t kOtlpHttpPort = 4318;
inline constexpr std::string_view kCollectorName = "otel-collector";
inline constexpr std::string_view kCollectorConfigFile = "config.yaml";
inline constexpr std::string_view kCollectorImage = "otel/opentelemetry-collector-contrib:0.104.0";

nlohmann::ordered_json collector_config(const Options& options);
std::string collector_config_yaml(const Options& options);

}  // namespace igw::manifests
