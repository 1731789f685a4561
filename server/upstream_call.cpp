#include "server/upstream_call.hpp"

#include <array>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server/errors.hpp"
#include "server/http_read.hpp"
#include "server/request_context.hpp"
#include "server/upstream_connection.hpp"
#include "server/wire.hpp"

namespace igw::server {
namespace {

bool is_stale_connection_error(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == http::error::partial_message;
}

constexpr std::size_t kMaxBufferedBody = 256u << 20;

}  // namespace

UpstreamCall::UpstreamCall(UpstreamPool& pool, const GatewayState& state, const ProviderRuntime& provider,
                           bool streaming)
    : pool_(pool),
      state_(state),
      provider_(provider),
      streaming_(streaming),
      deadline_(std::chrono::steady_clock::now() + state.limits.client_timeout) {}

UpstreamCall::~UpstreamCall() {
  if (conn_) conn_->stream.close();
}

UpstreamResponseParser& UpstreamCall::parser() const {
  return *conn_->parser;
}

unsigned UpstreamCall::status() const {
  return status_;
}
std::string_view UpstreamCall::content_type() const {
  return content_type_;
}
bool UpstreamCall::done() const {
  if (conn_ && conn_->parser) return conn_->parser->is_done();
  return done_;
}
bool UpstreamCall::unknown_length() const {
  return unknown_length_;
}

void UpstreamCall::abort() {
  aborted_ = true;
  if (conn_) conn_->stream.close();
}

void UpstreamCall::release() {
  if (!conn_) return;
  done_ = done();
  if (!aborted_ && done_ && parser().keep_alive() && conn_->stream.socket().is_open()) {
    conn_->stream.expires_never();
    pool_.give_back(std::move(conn_));
    return;
  }
  conn_->stream.close();
  conn_.reset();
}

void UpstreamCall::prepare(UpstreamRequest& req) const {
  req.set("Host", provider_.url.host_header());
  req.erase("Authorization");
  req.erase("x-api-key");
  switch (provider_.def->auth) {
    case config::AuthStyle::bearer:
      if (!provider_.key.empty()) req.set_owned("Authorization", "Bearer " + provider_.key);
      break;
    case config::AuthStyle::x_api_key:
      if (!provider_.key.empty()) req.set("x-api-key", provider_.key);
      break;
    case config::AuthStyle::none:
      break;
  }
  for (const auto& h : provider_.def->extra_headers)
    if (!req.has(h.name)) req.set(h.name, h.value);
}

UpstreamFailure UpstreamCall::failure(const error_code& ec, std::string_view phase) const {
  std::string_view id = provider_.def->id;
  if (ec == timed_out_error()) return {504, reason::timeout, errors::upstream_timeout(id, phase)};
  if (ec.category() == asio::error::get_ssl_category() || ec == ssl::error::stream_truncated) {
    if (conn_ && conn_->stream.tls()) {
      long verify = SSL_get_verify_result(conn_->stream.tls()->native_handle());
      if (verify != X509_V_OK)
        return {502, reason::tls, errors::upstream_certificate(id, X509_verify_cert_error_string(verify))};
    }
    return {502, reason::tls, errors::upstream_unreachable(id, "TLS: " + ec.message())};
  }
  std::string_view why = phase == std::string_view{"connecting"} ? reason::connect : reason::reset;
  // Beast's HTTP errors are protocol violations, but for a connection the provider closed (cut short or
  // before a response began), which are resets.
  if (ec.category() == error_code{http::error::bad_version}.category() && ec != http::error::end_of_stream &&
      ec != http::error::partial_message)
    why = reason::protocol;
  const std::string detail = std::string{phase} + ": " + ec.message();
  // Once the answer began, the provider was reached: it broke off.
  const bool answering =
      phase == std::string_view{"between stream events"} || phase == std::string_view{"reading the body"};
  return {502, why,
          answering ? errors::upstream_broke(id, detail) : errors::upstream_unreachable(id, detail)};
}

awaitable<std::optional<UpstreamFailure>> UpstreamCall::connect() {
  const auto& url = provider_.url;
  auto& gate = pool_.connect_gate();
  if (!co_await gate.acquire(provider_.url.origin(), deadline_))
    co_return UpstreamFailure{504, reason::timeout,
                              errors::upstream_timeout(provider_.def->id, "waiting to connect")};
  ConnectTurn turn{gate, provider_.url.origin()};
  auto exec = co_await asio::this_coro::executor;
  // A copy: the cache entry may be refreshed by another call while this one connects.
  EndpointCache::Endpoints endpoints;
  auto& cache = pool_.endpoints();
  if (const auto* known = cache.find(url.origin(), std::chrono::steady_clock::now())) {
    endpoints = *known;
  } else {
    error_code numeric_ec;
    auto address = asio::ip::make_address(url.host, numeric_ec);
    if (!numeric_ec) {
      endpoints.emplace_back(address, url.port);
    } else {
      Resolver resolver{exec};
      auto [rec, results] =
          co_await resolver.async_resolve(url.host, std::to_string(url.port), as_tuple_awaitable);
      if (rec) co_return failure(rec, "connecting");
      for (const auto& r : results) endpoints.push_back(r.endpoint());
    }
    cache.store(url.origin(), endpoints, !numeric_ec, std::chrono::steady_clock::now());
  }
  if (url.tls)
    conn_ = std::make_unique<UpstreamConnection>(AnyStream{Socket{exec}, *state_.client_tls}, url.origin());
  else
    conn_ = std::make_unique<UpstreamConnection>(AnyStream{Socket{exec}}, url.origin());
  auto& stream = conn_->stream;
  stream.expires_after(state_.limits.connect_timeout);  // the TCP connect and the TLS handshake together
  auto [cec, ep] = co_await asio::async_connect(stream.socket(), endpoints, as_tuple_awaitable);
  (void)ep;
  if (cec) {
    cache.forget(url.origin());
    co_return failure(timed_out_as(cec), "connecting");
  }
  tune_socket(stream.socket());
  if (auto* tls = stream.tls()) {
    SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str());
    tls->set_verify_callback(ssl::host_name_verification(url.host));
    auto [hec] = co_await tls->async_handshake(ssl::stream_base::client, as_tuple_awaitable);
    if (hec) co_return failure(timed_out_as(hec), "in the TLS handshake");
  }
  stream.expires_never();
  co_return std::nullopt;
}

awaitable<error_code> UpstreamCall::exchange(UpstreamRequest& req) {
  auto& stream = conn_->stream;
  conn_->parser.reset();
  std::string head;
  head.reserve(512);
  req.append_head(head);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(req.body())};
  if (auto wec = co_await write_all(stream, buffers, state_.limits.header_timeout)) co_return wec;
  auto& parser = conn_->parser.emplace();
  parser.skip(req.method() == "HEAD");  // the answer to a HEAD has a head only, whatever its Content-Length
  // A stream's headers come before its first token; a non-streaming answer's come with the whole answer,
  // so only the call's total limit applies to them.
  if (streaming_)
    stream.expires_after(state_.limits.header_timeout);
  else
    stream.expires_at(deadline_);
  auto ec = co_await http_read_header(stream, conn_->buffer, parser);
  if (!ec) {
    status_ = parser.status();
    content_type_ = parser.take_content_type();
    unknown_length_ = !parser.content_length() && !parser.is_done();
  }
  co_return ec;
}

awaitable<std::optional<UpstreamFailure>> UpstreamCall::send(UpstreamRequest& req) {
  prepare(req);
  for (int attempt = 0; attempt < 2; ++attempt) {
    conn_ = pool_.take(provider_.url.origin());
    if (!conn_) {
      if (auto f = co_await connect()) co_return f;
    }
    bool reused = conn_->reused;
    error_code ec = co_await exchange(req);
    if (!ec) co_return std::nullopt;
    if (aborted_) co_return UpstreamFailure{499, reason::reset, "client went away"};
    conn_->stream.close();
    // A pooled connection the provider closed meanwhile: retry once on a fresh one.
    if (reused && is_stale_connection_error(ec) && (!conn_->parser || !conn_->parser->got_some())) continue;
    co_return failure(ec, streaming_ ? "waiting for response headers" : "waiting for its answer");
  }
  co_return UpstreamFailure{502, reason::reset,
                            errors::upstream_unreachable(provider_.def->id, "connection closed")};
}

void UpstreamCall::arm_read_timer() {
  if (streaming_)
    conn_->stream.expires_after(state_.limits.stream_idle_timeout);
  else
    conn_->stream.expires_at(deadline_);
}

error_code UpstreamCall::timed_out_as(const error_code& ec) const {
  return ec && conn_ && conn_->stream.timed_out() ? timed_out_error() : ec;
}

awaitable<std::expected<std::size_t, UpstreamFailure>> UpstreamCall::read_some(char* data, std::size_t size,
                                                                               Clock::duration& waited) {
  if (!conn_ || !conn_->parser) co_return std::size_t{0};  // released: the body was read to its end
  while (!parser().is_done()) {
    parser().body_target(data, size);
    arm_read_timer();
    error_code ec;
    {
      WaitTimer t{waited};
      ec = co_await http_read_some(conn_->stream, conn_->buffer, parser());
    }
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return std::unexpected(failure(ec, streaming_ ? "between stream events" : "reading the body"));
    std::size_t got = size - parser().body_room();
    if (got > 0) co_return got;
  }
  co_return std::size_t{0};
}

awaitable<std::expected<std::string, UpstreamFailure>> UpstreamCall::read_all() {
  // Read straight into the result: no bounce buffer on the coroutine frame.
  constexpr std::size_t kStep = 16384;
  std::string out;
  if (!conn_ || !conn_->parser) co_return out;  // released: the body was read to its end
  if (auto len = parser().content_length())
    out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(std::max<std::uint64_t>(*len, 1), 1u << 24)));
  std::size_t used = 0;
  for (;;) {
    if (parser().is_done()) break;
    if (used == out.size()) out.resize(out.size() + kStep);
    Clock::duration waited{};  // the caller times the whole read
    auto n = co_await read_some(out.data() + used, out.size() - used, waited);
    if (!n) co_return std::unexpected(n.error());
    if (*n == 0) break;
    used += *n;
    if (used > kMaxBufferedBody)
      co_return std::unexpected(UpstreamFailure{
          502, reason::protocol, errors::upstream_unreachable(provider_.def->id, "response body too large")});
  }
  out.resize(used);
  co_return out;
}

}  // namespace igw::server
