// An ExportTraceServiceRequest for a batch of spans, in OTLP's protobuf encoding (gRPC, http/protobuf)
// or its JSON encoding (http/json). Field numbers and JSON names follow opentelemetry-proto's
// trace/v1 and collector/trace/v1 definitions.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/trace.hpp"

namespace igw::telemetry::otlp {

struct Resource {
  std::vector<std::pair<std::string, std::string>> attributes;  // service.name, service.version, ...
};

struct Scope {
  std::string name;     // the instrumentation scope: "igw"
  std::string version;  // igw's version
};

std::string encode_protobuf(const Resource& resource, const Scope& scope, std::span<const trace::SpanData> spans);
std::string encode_json(const Resource& resource, const Scope& scope, std::span<const trace::SpanData> spans);
// The same into `out`, replacing its contents (the exporter reuses one buffer: no large allocation per export).
void encode_protobuf(const Resource& resource, const Scope& scope, std::span<const trace::SpanData> spans,
                     std::string& out);
void encode_json(const Resource& resource, const Scope& scope, std::span<const trace::SpanData> spans,
                 std::string& out);

}  // namespace igw::telemetry::otlp
