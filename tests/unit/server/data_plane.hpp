// For the data-plane tests: a gateway loop (GatewayState loaded from an environment, a Worker whose
// io_context runs everything), one client connection (the gateway's end an AnyStream, the client's a plain
// socket), an Exchange for a request parsed from text, a fake upstream on 127.0.0.1:0 answering with canned
// bytes, and a parser of what the client received.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "server/beast.hpp"
#include "server/exchange.hpp"
#include "server/request_parser.hpp"
#include "server/state.hpp"
#include "server/worker.hpp"

namespace igw::server::testing {

using namespace std::chrono_literals;

// One request (head and body) parsed from text as the connection loop parses it.
class ParsedRequest {
 public:
  explicit ParsedRequest(std::string_view text) : parser_(&arena_) {
    error_code ec;
    while (!text.empty() && !parser_.is_done()) {
      std::size_t used = parser_.put(asio::buffer(text.data(), text.size()), ec);
      REQUIRE_FALSE(ec);
      REQUIRE(used > 0);
      text.remove_prefix(used);
    }
    REQUIRE(parser_.is_done());
  }
  Request& get() { return parser_.get(); }

 private:
  std::pmr::monotonic_buffer_resource arena_;
  RequestParser parser_;
};

// A response as the client saw it.
struct Reply {
  http::response_header<> head;
  std::string body;                 // de-chunked
  std::vector<std::string> chunks;  // a chunked body's chunks, as framed
  bool complete = false;            // ended properly: last chunk, full length, or the close (close-delimited)
  bool keep_alive = false;
  unsigned status() const { return head.result_int(); }
  std::string field(std::string_view name) const {
    auto v = head[beast::string_view{name.data(), name.size()}];
    return std::string{v.data(), v.size()};
  }
  bool has(std::string_view name) const {
    return head.find(beast::string_view{name.data(), name.size()}) != head.end();
  }
};

// The responses in `bytes`, in order; the last may be incomplete (then parsing stops there).
inline std::vector<Reply> parse_replies(std::string_view bytes) {
  std::vector<Reply> out;
  while (!bytes.empty()) {
    Reply r;
    std::string piece;
    http::response_parser<http::string_body> p;
    p.body_limit(boost::none);
    auto on_chunk = [&](std::uint64_t remain, beast::string_view data, error_code&) -> std::size_t {
      piece.append(data.data(), data.size());
      r.body.append(data.data(), data.size());
      if (remain == data.size()) r.chunks.push_back(std::exchange(piece, {}));
      return data.size();
    };
    p.on_chunk_body(on_chunk);
    error_code ec;
    while (!bytes.empty() && !p.is_done()) {
      std::size_t used = p.put(asio::buffer(bytes.data(), bytes.size()), ec);
      bytes.remove_prefix(used);
      if (ec || used == 0) break;
    }
    if (ec == http::error::need_more) ec = {};
    if (!ec && !p.is_done()) p.put_eof(ec);
    r.complete = !ec && p.is_done();
    if (p.is_header_done()) {
      r.head = p.get().base();
      r.keep_alive = p.keep_alive();
      if (!p.chunked()) r.body = p.get().body();
    }
    out.push_back(std::move(r));
    if (!out.back().complete) break;
  }
  return out;
}

// The next request on an upstream connection; nullopt when the peer closed first.
inline awaitable<std::optional<http::request<http::string_body>>> read_request(Socket& socket,
                                                                               beast::flat_buffer& buffer) {
  http::request<http::string_body> req;
  auto [ec, n] = co_await http::async_read(socket, buffer, req, as_tuple_awaitable);
  (void)n;
  if (ec) co_return std::nullopt;
  co_return req;
}

inline awaitable<void> send(Socket& socket, std::string_view bytes) {
  co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()), as_tuple_awaitable);
}

inline awaitable<void> pause(std::chrono::milliseconds d) {
  Timer t{co_await asio::this_coro::executor, d};
  co_await t.async_wait(as_tuple_awaitable);
}

// Completes when the peer closes `socket` (or resets it); bytes read meanwhile are dropped.
inline awaitable<void> wait_closed(Socket& socket) {
  char buf[512];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), as_tuple_awaitable);
    (void)n;
    if (ec) co_return;
  }
}

// "<size hex>\r\n<data>\r\n": one chunk of a chunked body, as an upstream writes it.
inline std::string chunk(std::string_view data) {
  char size[20];
  int len = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string{size, static_cast<std::size_t>(len)} + std::string{data} + "\r\n";
}

// A provider on 127.0.0.1:0: every accepted connection runs the script given to serve().
class FakeUpstream {
 public:
  // `index` counts the connections from 0.
  using Script = std::function<awaitable<void>(Socket& socket, int index)>;

  explicit FakeUpstream(asio::io_context& io)
      : acceptor_(io.get_executor(), tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}) {}

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url(std::string_view base_path = "/v1") const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string{base_path};
  }
  int accepted() const { return accepted_; }

  void serve(Script script) {
    asio::co_spawn(
        acceptor_.get_executor(),
        [this, script]() -> awaitable<void> {
          for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(as_tuple_awaitable);
            if (ec) co_return;
            int index = accepted_++;
            socket.set_option(tcp::no_delay(true), ec);  // each send() its own segment
            asio::co_spawn(
                acceptor_.get_executor(),
                [script, index, s = std::move(socket)]() mutable -> awaitable<void> {
                  co_await script(s, index);
                },
                asio::detached);
          }
        },
        asio::detached);
  }

 private:
  Acceptor acceptor_;
  int accepted_ = 0;
};

// The message of an error body in OpenAI's shape {"error":{"message":..}}, Anthropic's
// {"type":"error","error":{..}} or {"error":"<message>"}; "" when the body is none of these.
inline std::string error_message(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("error")) return {};
  const auto& e = doc["error"];
  if (e.is_string()) return e.get<std::string>();
  if (e.is_object() && e.contains("message") && e["message"].is_string())
    return e["message"].get<std::string>();
  return {};
}

// "HTTP/1.1 <status> X" with a Content-Length body, as a provider answers.
inline std::string canned_response(unsigned status, std::string_view body,
                                   std::string_view content_type = "application/json") {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  if (!content_type.empty()) out += "Content-Type: " + std::string{content_type} + "\r\n";
  return out + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string{body};
}

using SeenRequest = http::request<http::string_body>;
using SeenRequests = std::vector<SeenRequest>;

// Every request on every connection is kept in `seen` and answered with respond(request) (the whole
// response, as bytes). `seen` must outlive the io_context.
inline FakeUpstream::Script record_and_answer(SeenRequests& seen,
                                              std::function<std::string(const SeenRequest&)> respond) {
  return [&seen, respond](Socket& s, int) -> awaitable<void> {
    beast::flat_buffer buffer;
    while (auto req = co_await read_request(s, buffer)) {
      seen.push_back(*req);
      co_await send(s, respond(*req));
    }
  };
}

inline config::Config load_config(const config::Environment& env) {
  auto config = config::Config::load(env);
  if (!config) FAIL(config.error().message());
  return std::move(*config);
}

// The gateway side of one client connection, with a fake upstream ready to be given a script.
struct Gateway {
  GatewayState state;
  RequestContext ctx;
  std::optional<ParsedRequest> request;
  std::optional<Exchange> ex;
  // Its io_context runs everything; it goes before the state and the context the coroutines point to,
  // and after the sockets below.
  std::optional<Worker> worker;
  std::optional<FakeUpstream> upstream;
  std::optional<AnyStream> ours;
  std::optional<Socket> client;

  Gateway() {
    worker.emplace(state, nullptr);
    upstream.emplace(io());
    Acceptor acceptor{io().get_executor(), tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    client.emplace(io().get_executor());
    client->connect(acceptor.local_endpoint());
    Socket accepted = acceptor.accept();
    tune_socket(accepted);  // as serve_connection does
    ours.emplace(std::move(accepted));
  }

  asio::io_context& io() { return worker->ioc; }

  // Loads the state from `env` (defaults for everything else).
  void load(const config::Environment& env) {
    auto loaded = load_state(load_config(env), state);
    if (!loaded) FAIL(loaded.error());
  }

  const ProviderRuntime& provider(std::string_view id) {
    for (const auto& p : state.providers)
      if (p.def->id == id) return p;
    FAIL("no provider " << id);
    throw std::logic_error("unreachable");
  }

  // The exchange of a request parsed from `text`, as the connection loop builds it.
  Exchange& start(std::string_view text) {
    ex.reset();
    request.emplace(text);
    Request& req = request->get();
    ctx.request_id = "req-test-1";
    ctx.method = std::string{req.method_string()};
    ex.emplace(*worker, *ours, req, ctx, req.keep_alive());
    ctx.path = std::string{ex->path};
    return *ex;
  }

  // Runs the loop until pred() holds or `limit` passes.
  template <class Pred>
  void run_until(Pred pred, std::chrono::milliseconds limit = 2000ms) {
    auto end = std::chrono::steady_clock::now() + limit;
    io().restart();
    while (!pred() && std::chrono::steady_clock::now() < end) io().run_one_for(10ms);
  }

  // Runs `op` (a callable returning awaitable<void>) to its end, failing the test after `limit`.
  template <class Op>
  void run(Op op, std::chrono::milliseconds limit = 2000ms) {
    bool done = false;
    std::exception_ptr error;
    asio::co_spawn(
        io(), [&]() -> awaitable<void> { co_await op(); },
        [&](std::exception_ptr e) {
          error = e;
          done = true;
        });
    run_until([&] { return done; }, limit);
    if (error) std::rethrow_exception(error);
    REQUIRE_MESSAGE(done, "the operation did not finish in time");
  }

  // Everything the client received until the gateway's end closes (closed here first).
  std::string client_received() {
    ours->close();
    std::string out;
    char buf[4096];
    for (;;) {
      error_code ec;
      std::size_t n = client->read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
    return out;
  }

  std::vector<Reply> replies() {
    return parse_replies(client_received());
  }
  Reply reply() {
    auto all = replies();
    REQUIRE(all.size() == 1);
    return all.front();
  }
};

}  // namespace igw::server::testing
