#include "server/http_read.hpp"

namespace igw::server {

template <bool isRequest>
awaitable<error_code> http_read_some(AnyStream& stream, beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser) {
  for (;;) {
    if (buffer.size() > 0) {
      error_code ec;
      buffer.consume(parser.put(buffer.data(), ec));
      if (ec != http::error::need_more) co_return ec;
    }
    const std::size_t room = beast::read_size(buffer, 65536);
    if (room == 0) co_return http::error::buffer_overflow;
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(room), as_tuple_awaitable);
    buffer.commit(n);
    if (ec == asio::error::eof) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      error_code eof_ec;
      parser.put_eof(eof_ec);  // a body delimited by the close ends here; anything else was cut short
      co_return eof_ec;
    }
    if (ec && stream.timed_out()) co_return timed_out_error();
    if (ec) co_return ec;
  }
}

template <bool isRequest>
awaitable<error_code> http_read_header(AnyStream& stream, beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser) {
  while (!parser.is_header_done())
    if (auto ec = co_await http_read_some(stream, buffer, parser)) co_return ec;
  co_return error_code{};
}

template <bool isRequest>
awaitable<error_code> http_read_message(AnyStream& stream, beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser) {
  while (!parser.is_done())
    if (auto ec = co_await http_read_some(stream, buffer, parser)) co_return ec;
  co_return error_code{};
}

template awaitable<error_code> http_read_some(AnyStream&, beast::flat_buffer&, http::basic_parser<true>&);
template awaitable<error_code> http_read_some(AnyStream&, beast::flat_buffer&, http::basic_parser<false>&);
template awaitable<error_code> http_read_header(AnyStream&, beast::flat_buffer&, http::basic_parser<true>&);
template awaitable<error_code> http_read_header(AnyStream&, beast::flat_buffer&, http::basic_parser<false>&);
template awaitable<error_code> http_read_message(AnyStream&, beast::flat_buffer&, http::basic_parser<true>&);
template awaitable<error_code> http_read_message(AnyStream&, beast::flat_buffer&, http::basic_parser<false>&);

}  // namespace igw::server
