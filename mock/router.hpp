// The mock's routes as a pure function from a request to a reply (status + body, or a list of SSE events
// with their pacing). The network side (server.cpp) only reads requests and writes replies.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "mock/chat.hpp"
#include "mock/options.hpp"
#include "mock/state.hpp"

namespace igw::mock {

struct Request {
  std::string method;
  std::string target;  // path and query
  Headers headers;     // names lower-case
  std::string body;
  const std::string* header(std::string_view name) const;
  std::string_view path() const;
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";  // empty: no Content-Type (a reply without a body)
  Headers headers;                                // more response headers, e.g. Mcp-Session-Id
  std::string body;
  bool stream = false;
  std::vector<std::string> events;  // when stream: written one by one, paced below
  Millis latency{0};                // before the headers
  Millis ttft{0};                   // before the first event
  Millis token_delay{0};            // before each later event
  int fail_after_chunks = -1;       // close the connection after this many events
};

class Router {
 public:
  Router(const Options& options, State& state) : options_(options), state_(state) {}
  Reply handle(const Request& request, std::mt19937_64& rng);

 private:
  Reply chat(const Request& request, std::mt19937_64& rng, Dialect dialect);
  Reply mock_admin(const Request& request);
  void apply_overrides(const Request& request, Reply& reply, int& tokens) const;

  const Options& options_;
  State& state_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace igw::mock
