// How an encoded OTLP trace export reaches the collector: gRPC (HTTP/2, nghttp2) or HTTP/1.1 POST
// (http/protobuf, http/json). A transport is used from the batch processor's export thread only, so its
// calls block; nothing here runs on an event loop.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace igw::telemetry::otlp {

enum class Protocol { grpc, http_protobuf, http_json };

struct Endpoint {
  // http://host:port or https://host:port; for the HTTP protocols the full URL of the traces path
  // (".../v1/traces"), for gRPC the authority only (any path is ignored).
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // OTEL_EXPORTER_OTLP_HEADERS
  std::chrono::milliseconds timeout{10000};                  // one export, connect included
  bool insecure = false;  // gRPC: plaintext HTTP/2 even for a scheme-less endpoint
  std::string ca_file;    // PEM bundle for https; empty uses the system store
  bool gzip = false;      // compress the body (gRPC: grpc-encoding gzip; HTTP: Content-Encoding gzip)
};

struct SendResult {
  bool ok = false;
  bool retryable = false;  // the collector said it may take the same batch later (UNAVAILABLE, 429, 503...)
  std::string error;       // one line for the log when !ok: "connect to 127.0.0.1:4317: Connection refused"
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one ExportTraceServiceRequest, already encoded (protobuf for gRPC and http/protobuf, JSON for
  // http/json), and waits for the answer up to the endpoint's timeout.
  virtual SendResult send(std::string_view body) = 0;
};

std::unique_ptr<Transport> make_grpc_transport(const Endpoint& endpoint);
std::unique_ptr<Transport> make_http_transport(const Endpoint& endpoint, Protocol protocol);

}  // namespace igw::telemetry::otlp
