#include "telemetry/tracer.hpp"

#include "telemetry/build_info.hpp"

namespace igw::telemetry {

namespace {

std::unique_ptr<otlp::Transport> make_transport(const TracerOptions& o) {
  if (o.protocol == otlp::Protocol::grpc) return otlp::make_grpc_transport(o.endpoint);
  return otlp::make_http_transport(o.endpoint, o.protocol);
}

Encoder make_encoder(const TracerOptions& o) {
  otlp::Scope scope{"igw", std::string{build_info().version}};
  if (o.protocol == otlp::Protocol::http_json)
    return [resource = o.resource, scope](std::span<const trace::SpanData> spans, std::string& body) {
      otlp::encode_json(resource, scope, spans, body);
    };
  return [resource = o.resource, scope](std::span<const trace::SpanData> spans, std::string& body) {
    otlp::encode_protobuf(resource, scope, spans, body);
  };
}

}  // namespace

Tracer::Tracer(const TracerOptions& options, Recorder* recorder)
    : sampler_(options.sampler),
      processor_(std::make_unique<BatchProcessor>(options.batch, make_encoder(options), make_transport(options),
                                                  recorder, options.endpoint.url)) {}

Tracer::Tracer(trace::Sampler sampler, std::unique_ptr<BatchProcessor> processor)
    : sampler_(sampler), processor_(std::move(processor)) {}

std::string traces_url(std::string_view base, otlp::Protocol protocol) {
  std::string url{base};
  if (protocol == otlp::Protocol::grpc) return url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/v1/traces";
}

}  // namespace igw::telemetry
