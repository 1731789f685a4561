// Reading HTTP/1.x messages: Beast's parser fed from plain reads of an AnyStream. No composed operation
// and no timer per read: the stream's Deadline bounds the reads, set by the caller. Internal to server/.
#pragma once

#include "server/beast.hpp"

namespace igw::server {

// Parses what `buffer` holds, reading more when the parser needs it, until one more element of the message
// (the header, a body piece, a chunk header) is parsed. need_buffer from a buffer_body whose buffer is full
// comes back as is. end_of_stream when the peer closed before a message began; a timeout (the deadline
// passed) comes back as timed_out_error().
template <bool isRequest>
awaitable<error_code> http_read_some(AnyStream& stream, beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser);

// Until the header is complete.
template <bool isRequest>
awaitable<error_code> http_read_header(AnyStream& stream, beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser);

// Until the message is complete.
template <bool isRequest>
awaitable<error_code> http_read_message(AnyStream& stream, beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser);

}  // namespace igw::server
