// Settings of `igw mock`, the OpenAI-compatible mock provider: what it answers and which faults it injects.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace igw::mock {

using Millis = std::chrono::milliseconds;

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8081;  // 0 picks a free port; the real one is logged
  int workers = 1;            // one io_context (event loop) per worker thread
  int tokens = 16;            // completion tokens per answer (capped by the request's max_tokens)
  int tool_rounds = 1;        // tool calls an agent loop gets before a text answer (see ToolScript)
  Millis token_delay{0};      // between two streamed tokens
  Millis keepalive_timeout{0};  // closes a kept-alive connection idle this long (0: never)
  Millis ttft{0};             // before the first token
  Millis latency{0};          // before the response headers
  double error_rate = 0.0;    // share of chat/messages requests answered with error_status
  int error_status = 500;
  int fail_after_chunks = -1;  // drop the connection after this many stream events (-1: never)
  std::string tls_cert;        // PEM paths; both set -> HTTPS
  std::string tls_key;
  int record = 100;  // requests kept for GET /mock/requests
  // When set, the provider routes (all but /health, /mcp and /mock/*) need `Authorization: Bearer <key>` or
  // `x-api-key: <key>` and answer 401 invalid_api_key otherwise. Empty: any key (or none) is accepted.
  std::string api_key;
  std::uint64_t seed = 1;
};

// Per-request overrides, read from request headers so a test can force one response.
namespace header {
inline constexpr const char* status = "x-mock-status";
inline constexpr const char* tokens = "x-mock-tokens";
inline constexpr const char* fail_after_chunks = "x-mock-fail-after-chunks";
inline constexpr const char* token_delay_ms = "x-mock-token-delay-ms";
inline constexpr const char* ttft_ms = "x-mock-ttft-ms";
inline constexpr const char* latency_ms = "x-mock-latency-ms";
inline constexpr const char* tool = "x-mock-tool";                      // name of an offered tool to call
inline constexpr const char* tool_arguments = "x-mock-tool-arguments";  // JSON object text, verbatim
inline constexpr const char* tool_rounds = "x-mock-tool-rounds";        // N >= 0
}  // namespace header

}  // namespace igw::mock
