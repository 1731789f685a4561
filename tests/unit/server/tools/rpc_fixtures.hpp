// What the tools tests share: canned HTTP answers and JSON-RPC results for the fake servers, accessors of the
// requests they saw, and a runner for one coroutine on an io_context, bounded in time.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../data_plane.hpp"

namespace igw::server::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline std::string http_response(unsigned status, std::string_view body, std::string_view content_type = "application/json",
                          const Headers& extra = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  if (!content_type.empty()) out += "Content-Type: " + std::string{content_type} + "\r\n";
  for (const auto& [n, v] : extra) out += n + ": " + v + "\r\n";
  return out + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string{body};
}

inline std::string result_text(const nlohmann::json& id, const nlohmann::json& result) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}.dump();
}

inline nlohmann::json body_of(const SeenRequest& r) {
  return nlohmann::json::parse(r.body(), nullptr, false);
}

inline std::string field(const SeenRequest& r, std::string_view name) {
  auto v = r[beast::string_view{name.data(), name.size()}];
  return std::string{v.data(), v.size()};
}

inline bool has(const SeenRequest& r, std::string_view name) {
  return r.find(beast::string_view{name.data(), name.size()}) != r.end();
}

inline std::string target_of(const SeenRequest& r) {
  return std::string{r.target().data(), r.target().size()};
}

template <class Op>
auto run(asio::io_context& io, Op op, std::chrono::milliseconds limit = 3000ms) {
  using T = typename decltype(op())::value_type;
  std::optional<T> out;
  std::exception_ptr error;
  bool done = false;
  io.restart();
  asio::co_spawn(
      io, [&]() -> awaitable<void> { out.emplace(co_await op()); },
      [&](std::exception_ptr e) {
        error = e;
        done = true;
      });
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < end) io.run_one_for(10ms);
  if (error) std::rethrow_exception(error);
  REQUIRE_MESSAGE(done, "the operation did not finish in time");
  REQUIRE(out);
  return std::move(*out);
}

inline std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor a{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

}  // namespace igw::server::testing
