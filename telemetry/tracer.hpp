// The gateway's tracer: the sampler that decides which requests are recorded, and the batch processor
// that exports their spans over OTLP. Made once at start-up when TELEMETRY_ENABLE=true and an OTLP
// endpoint is set; null otherwise (the data plane then makes no ids and no spans).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "telemetry/otlp_encode.hpp"
#include "telemetry/otlp_transport.hpp"
#include "telemetry/recorder.hpp"
#include "telemetry/span_processor.hpp"
#include "telemetry/trace.hpp"

namespace igw::telemetry {

struct TracerOptions {
  otlp::Protocol protocol = otlp::Protocol::http_protobuf;
  otlp::Endpoint endpoint;
  trace::Sampler sampler;
  BatchOptions batch;
  otlp::Resource resource;
};

class Tracer {
 public:
  // Starts the exporter thread. `recorder` (may be null) counts dropped spans and exports.
  Tracer(const TracerOptions& options, Recorder* recorder);
  // For tests: any processor.
  Tracer(trace::Sampler sampler, std::unique_ptr<BatchProcessor> processor);

  const trace::Sampler& sampler() const { return sampler_; }
  // Queues a finished span for export (never blocks on the collector).
  void end(trace::SpanData&& span) { processor_->submit(std::move(span)); }
  void flush(std::chrono::milliseconds timeout) { processor_->flush(timeout); }
  // Exports what is queued, within `timeout`, and stops the exporter.
  void shutdown(std::chrono::milliseconds timeout) { processor_->shutdown(timeout); }
  BatchProcessor::Stats stats() const { return processor_->stats(); }

 private:
  trace::Sampler sampler_;
  std::unique_ptr<BatchProcessor> processor_;
};

// "http://collector:4318" + "/v1/traces" for the HTTP protocols (OTEL_EXPORTER_OTLP_ENDPOINT is a base);
// gRPC takes the base as it is.
std::string traces_url(std::string_view base_endpoint, otlp::Protocol protocol);

}  // namespace igw::telemetry
