// The pieces of OTLP/gRPC that are plain data, split from the connection code in otlp_grpc.cpp so the tests
// can check them one by one: where to connect, how a message is framed, how an answer's status is read.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/otlp_transport.hpp"

namespace igw::telemetry::otlp::grpc {

inline constexpr std::string_view kExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
inline constexpr std::uint16_t kDefaultPort = 4317;

// Where the collector listens and whether to speak TLS to it.
struct Target {
  std::string host;  // a name or an address, IPv6 without brackets
  std::uint16_t port = kDefaultPort;
  bool tls = true;
  std::string authority() const;  // host:port, [v6]:port
};

// http:// is h2c, https:// is TLS; without a scheme `insecure` picks h2c. A path is ignored.
std::expected<Target, std::string> parse_target(const Endpoint& endpoint);

// The gRPC length-prefixed message: the compressed flag, the length (4 bytes, big-endian), the bytes.
std::string frame_message(std::string_view message, bool compressed);

// The grpc-timeout value: at most 8 digits and a unit; milliseconds while they fit, else seconds.
std::string grpc_timeout(std::chrono::milliseconds timeout);

// "UNAVAILABLE" for 14; "UNKNOWN" outside the known codes.
std::string_view status_name(int code);

// Whether OTLP lets the client send the same batch again after this status. RESOURCE_EXHAUSTED only when
// the server attached a google.rpc.RetryInfo to its status (grpc-status-details-bin, base64).
bool retryable_status(int code, std::string_view status_details_bin);

// The gRPC status a client assumes for an HTTP answer other than 200 without a grpc-status.
int status_from_http(int http_status);

// gzip (RFC 1952) of the bytes; nullopt when zlib fails.
std::optional<std::string> gzip(std::string_view bytes);

}  // namespace igw::telemetry::otlp::grpc
