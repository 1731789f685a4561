#include "server/fetch.hpp"

#include <openssl/ssl.h>

#include "server/beast.hpp"
#include "server/http_read.hpp"
#include "server/upstream_url.hpp"
#include "server/wire.hpp"

namespace igw::server {
namespace {

awaitable<error_code> connect(AnyStream& stream, const UpstreamUrl& url) {
  Resolver resolver{co_await asio::this_coro::executor};
  auto [rec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), as_tuple_awaitable);
  if (rec) co_return rec;
  auto [cec, ep] = co_await asio::async_connect(stream.socket(), results, as_tuple_awaitable);
  (void)ep;
  if (cec) co_return cec;
  tune_socket(stream.socket());
  if (auto* tls = stream.tls()) {
    SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str());
    tls->set_verify_callback(ssl::host_name_verification(url.host));
    auto [hec] = co_await tls->async_handshake(ssl::stream_base::client, as_tuple_awaitable);
    if (hec) co_return hec;
  }
  co_return error_code{};
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

}  // namespace

awaitable<std::expected<std::string, std::string>> fetch(std::string_view url_text, ssl::context* tls,
                                                         const FetchLimits& limits) {
  const std::string what = "GET " + std::string{url_text};
  for (char c : url_text)  // the URL goes into the request line as it is
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      co_return std::unexpected(what + ": the URL holds a space or control character");
  auto url = parse_upstream_url(url_text);
  if (!url) co_return std::unexpected(what + ": " + url.error());
  if (url->tls && !tls) co_return std::unexpected(what + ": https is not available here");
  auto exec = co_await asio::this_coro::executor;
  std::optional<AnyStream> holder;  // (no ?: with class temporaries in coroutines: GCC 12 destroys them twice)
  if (url->tls)
    holder.emplace(Socket{exec}, *tls);
  else
    holder.emplace(Socket{exec});
  AnyStream& stream = *holder;
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;  // one limit for the whole call
  stream.expires_at(deadline);
  auto fail = [&](const error_code& ec) {
    return std::unexpected(what + ": " + (stream.timed_out() ? std::string{"timed out"} : ec.message()));
  };
  if (auto ec = co_await connect(stream, *url)) co_return fail(ec);

  std::string head = "GET " + target_of(url_text) + " HTTP/1.1\r\n";
  wire::append_field(head, "Host", url->host_header());
  wire::append_field(head, "Accept", "application/json");
  wire::append_field(head, "User-Agent", "igw");
  head += "Connection: close\r\n\r\n";
  if (auto ec = co_await write_all(stream, asio::buffer(head), deadline - std::chrono::steady_clock::now()))
    co_return fail(ec);
  stream.expires_at(deadline);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.max_body);
  if (auto ec = co_await http_read_message(stream, buffer, parser)) {
    if (ec == http::error::body_limit)
      co_return std::unexpected(what + ": the answer is larger than " + std::to_string(limits.max_body) + " bytes");
    co_return fail(ec);
  }
  stream.close();
  auto& res = parser.get();
  if (res.result_int() != 200) co_return std::unexpected(what + ": status " + std::to_string(res.result_int()));
  co_return std::move(res.body());
}

}  // namespace igw::server
