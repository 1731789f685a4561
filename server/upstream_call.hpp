// One request to a provider: take a pooled connection (or connect, with TLS verification and SNI), send,
// read the response header, then the body in one piece or piece by piece. Failures come back as the
// status and message the client should get (502 unreachable, 504 timeout) plus a reason for metrics.
#pragma once

#include <expected>
#include <optional>
#include <string>

#include "server/asio.hpp"
#include "server/state.hpp"
#include "server/upstream_pool.hpp"
#include "server/upstream_request.hpp"

namespace igw::server {

class UpstreamResponseParser;  // upstream_response.hpp

struct UpstreamFailure {
  int status = 502;
  std::string_view reason;  // request_context.hpp reason::...
  std::string message;
};

class UpstreamCall {
 public:
  UpstreamCall(UpstreamPool& pool, const GatewayState& state, const ProviderRuntime& provider,
               bool streaming);
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Adds Host, the provider credential and headers, then sends req and reads the response header.
  // The caller's Authorization must already be gone; it is removed again here to be sure.
  awaitable<std::optional<UpstreamFailure>> send(UpstreamRequest& req);

  unsigned status() const;
  const ProviderRuntime& provider() const { return provider_; }
  std::string_view content_type() const;
  bool done() const;
  // The body length is unknown (chunked or until close): relay it as it comes.
  bool unknown_length() const;

  // Up to `size` body bytes; 0 at the end of the body. Streams get CLIENT_STREAM_IDLE_TIMEOUT per read,
  // other calls the rest of CLIENT_TIMEOUT.
  // The time spent waiting for the provider is added to `waited`.
  awaitable<std::expected<std::size_t, UpstreamFailure>> read_some(char* data, std::size_t size,
                                                                   std::chrono::steady_clock::duration& waited);
  // The whole body (bounded by CLIENT_TIMEOUT for non-streaming calls).
  awaitable<std::expected<std::string, UpstreamFailure>> read_all();

  // Closes the connection now; pending reads end with operation_aborted. Safe from another coroutine of the
  // same loop.
  void abort();
  // Returns the connection to the pool when the response was read to its end and may be reused.
  void release();

 private:
  awaitable<std::optional<UpstreamFailure>> connect();
  awaitable<error_code> exchange(UpstreamRequest& req);
  void prepare(UpstreamRequest& req) const;
  UpstreamFailure failure(const error_code& ec, std::string_view phase) const;
  void arm_read_timer();
  // timed_out_error() when ec came from the connection's deadline passing.
  error_code timed_out_as(const error_code& ec) const;
  // The response's parser (on the connection); only while the connection is held.
  UpstreamResponseParser& parser() const;

  UpstreamPool& pool_;
  const GatewayState& state_;
  const ProviderRuntime& provider_;
  bool streaming_;
  std::chrono::steady_clock::time_point deadline_;
  std::unique_ptr<UpstreamConnection> conn_;
  // Read off the response head, so they outlive the connection's return to the pool.
  unsigned status_ = 0;
  std::string content_type_;
  bool unknown_length_ = false;
  bool done_ = false;  // the body was read to its end (kept after release)
  bool aborted_ = false;
};

}  // namespace igw::server
