#include "manifests/otel_collector.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifests/yaml.hpp"

namespace igw::manifests {

nlohmann::ordered_json collector_config(const Options& o) {
  using nlohmann::ordered_json;
  auto listen = [](std::uint16_t port) {
    return ordered_json{{"endpoint", fmt::format("0.0.0.0:{}", port)}};
  };
  return {{"receivers",
           {{"otlp", {{"protocols", {{"grpc", listen(kOtlpGrpcPort)}, {"http", listen(kOtlpHttpPort)}}}}}}},
          {"processors",
           {{"batch", {{"send_batch_size", 1024}, {"timeout", "5s"}}},
            {"memory_limiter", {{"check_interval", "2s"}, {"limit_mib", 512}}}}},
          {"exporters",
           {{"otlp/jaeger", {{"endpoint", o.jaeger_endpoint}, {"tls", {{"insecure", true}}}}},
            {"debug", {{"verbosity", "basic"}}}}},
          {"service",
           {{"pipelines",
             {{"traces",
               {{"receivers", {"otlp"}},
                {"processors", {"memory_limiter", "batch"}},
                {"exporters", {"otlp/jaeger"}}}}}}}}};
}

std::string collector_config_yaml(const Options& o) {
  return to_yaml(collector_config(o));
}

}  // namespace igw::manifests
