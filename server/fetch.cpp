#include "server/fetch.hpp"

#include <openssl/ssl.h>

#include "server/ascii.hpp"
#include "server/beast.hpp"
#include "server/http_read.hpp"
#include "server/upstream_url.hpp"
#include "server/wire.hpp"

namespace igw::server {
namespace {

using Clock = std::chrono::steady_clock;

// The phase a failure happened in decides its kind (a timeout is a timeout in any phase).
awaitable<std::optional<FetchErrorKind>> connect(AnyStream& stream, const UpstreamUrl& url, error_code& ec) {
  Resolver resolver{co_await asio::this_coro::executor};
  auto [rec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), as_tuple_awaitable);
  if (rec) {
    ec = rec;
    co_return FetchErrorKind::connect;
  }
  auto [cec, ep] = co_await asio::async_connect(stream.socket(), results, as_tuple_awaitable);
  (void)ep;
  if (cec) {
    ec = cec;
    co_return FetchErrorKind::connect;
  }
  tune_socket(stream.socket());
  if (auto* tls = stream.tls()) {
    SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str());
    tls->set_verify_callback(ssl::host_name_verification(url.host));
    auto [hec] = co_await tls->async_handshake(ssl::stream_base::client, as_tuple_awaitable);
    if (hec) {
      ec = hec;
      co_return FetchErrorKind::tls;
    }
  }
  co_return std::nullopt;
}

// The request target of a URL: its path and query as written ("/" when empty), without the fragment.
std::string target_of(std::string_view url) {
  auto scheme_end = url.find("://");
  auto rest = url.substr(scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  auto start = rest.find_first_of("/?#");
  std::string_view target = start == std::string_view::npos ? std::string_view{} : rest.substr(start);
  target = target.substr(0, target.find('#'));
  std::string out{target};
  if (out.empty() || out.front() == '?') out.insert(0, "/");
  return out;
}

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

std::string_view HttpAnswer::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return {};
}

awaitable<std::expected<HttpAnswer, FetchError>> http_call(const HttpCall& call, ssl::context* tls,
                                                           const FetchLimits& limits) {
  const std::string what = std::string{call.method} + " " + std::string{call.url};
  auto error = [&](FetchErrorKind kind, std::string text) {
    return std::unexpected(FetchError{kind, what + ": " + std::move(text)});
  };
  for (char c : call.url)  // the URL goes into the request line as it is
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      co_return error(FetchErrorKind::bad_url, "the URL holds a space or control character");
  for (const auto& [name, value] : call.headers)
    if (name.empty() || has_control(name) || has_control(value) || name.find(':') != std::string::npos)
      co_return error(FetchErrorKind::bad_url, "header " + name + " holds a control character");
  auto url = parse_upstream_url(call.url);
  if (!url) co_return error(FetchErrorKind::bad_url, url.error());
  if (url->tls && !tls) co_return error(FetchErrorKind::bad_url, "https is not available here");
  auto exec = co_await asio::this_coro::executor;
  std::optional<AnyStream> holder;  // (no ?: with class temporaries in coroutines: GCC 12 destroys them twice)
  if (url->tls)
    holder.emplace(Socket{exec}, *tls);
  else
    holder.emplace(Socket{exec});
  AnyStream& stream = *holder;
  const auto deadline = Clock::now() + limits.timeout;  // one limit for the whole call
  auto connect_deadline = deadline;
  if (limits.connect_timeout.count() > 0) connect_deadline = std::min(deadline, Clock::now() + limits.connect_timeout);
  stream.expires_at(connect_deadline);
  auto fail = [&](FetchErrorKind kind, const error_code& ec) {
    if (stream.timed_out()) return error(FetchErrorKind::timeout, "timed out");
    return error(kind, ec.message());
  };
  error_code cec;
  if (auto kind = co_await connect(stream, *url, cec)) co_return fail(*kind, cec);
  stream.expires_at(deadline);

  std::string head = std::string{call.method} + " " + target_of(call.url) + " HTTP/1.1\r\n";
  wire::append_field(head, "Host", url->host_header());
  wire::append_field(head, "User-Agent", "igw");
  bool accept_set = false;
  for (const auto& [name, value] : call.headers) {
    accept_set = accept_set || iequals(name, "Accept");
    wire::append_field(head, name, value);
  }
  if (!accept_set) wire::append_field(head, "Accept", "application/json");
  if (!call.body.empty() || call.method != "GET")
    wire::append_field(head, "Content-Length", std::to_string(call.body.size()));
  head += "Connection: close\r\n\r\n";
  std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(call.body.data(), call.body.size())};
  if (auto ec = co_await write_all(stream, out, deadline - Clock::now())) co_return fail(FetchErrorKind::io, ec);
  stream.expires_at(deadline);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.max_body);
  if (auto ec = co_await http_read_message(stream, buffer, parser)) {
    if (ec == http::error::body_limit)
      co_return error(FetchErrorKind::too_large, "the answer is larger than " + std::to_string(limits.max_body) + " bytes");
    co_return fail(FetchErrorKind::io, ec);
  }
  stream.close();
  auto& res = parser.get();
  HttpAnswer answer;
  answer.status = res.result_int();
  for (const auto& f : res) answer.headers.emplace_back(std::string{f.name_string()}, std::string{f.value()});
  answer.body = std::move(res.body());
  co_return answer;
}

awaitable<std::expected<std::string, std::string>> fetch(std::string_view url, ssl::context* tls,
                                                         const FetchLimits& limits) {
  // (a named call, not a temporary in the co_await: GCC 12 destroys aggregate temporaries there twice)
  const HttpCall request{"GET", url, {}, {}};
  auto answer = co_await http_call(request, tls, limits);
  if (!answer) co_return std::unexpected(std::move(answer.error().message));
  if (answer->status != 200)
    co_return std::unexpected("GET " + std::string{url} + ": status " + std::to_string(answer->status));
  co_return std::move(answer->body);
}

}  // namespace igw::server
