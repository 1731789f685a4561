// Beast for the .cpp files that parse or serialize HTTP (the request and response parsers, the reads
// that feed them, the connection loop, the metrics endpoint). Heavy: include it from .cpp files and from
// headers that only those files include, never from a header the handlers see.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/stream.hpp"

namespace igw::server {

namespace beast = boost::beast;
namespace http = boost::beast::http;
// Beast's stream with per-operation timeouts: the metrics endpoint only (the gateway's streams use Deadline).
using TcpStream = beast::basic_stream<tcp, Executor>;

}  // namespace igw::server
