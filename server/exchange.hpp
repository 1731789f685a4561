// One request and its response on a client connection, as the handlers see it, plus the helpers that
// write responses (JSON, errors, streams) with the write timeout and the X-Request-Id header.
#pragma once

#include <string>
#include <string_view>

#include "server/request.hpp"
#include "server/request_context.hpp"
#include "server/stream.hpp"
#include "server/worker.hpp"

namespace igw::server {

struct Exchange {
  // The path and query are split off the request's target.
  Exchange(Worker& w, AnyStream& s, Request& r, RequestContext& c, bool keep)
      : worker(w), stream(s), req(r), ctx(c), keep_alive(keep) {
    auto target = r.target();
    auto q = target.find('?');
    path = target.substr(0, q);
    if (q != std::string_view::npos) query = target.substr(q + 1);
  }

  Worker& worker;
  AnyStream& stream;
  Request& req;
  RequestContext& ctx;
  std::string_view path;   // target without the query
  std::string_view query;  // after '?', may be empty
  bool keep_alive = true;  // false once the connection must close after this response
  bool close_delimited = false;  // a streamed body to an HTTP/1.0 client: raw bytes, ended by the close
  std::string extra_fields;      // "Name: value\r\n" lines for the response head (WWW-Authenticate)

  const GatewayState& state() const { return worker.state; }
  telemetry::Recorder* recorder() const { return worker.state.recorder; }
};

// Each returns false when the client could not be written to (the connection is then closed).
awaitable<bool> write_body(Exchange& ex, unsigned status, std::string_view content_type, std::string body);
awaitable<bool> write_json(Exchange& ex, unsigned status, std::string body);
// OpenAI's error shape with status, the type for the status and `code`.
awaitable<bool> write_error(Exchange& ex, unsigned status, std::string_view code, std::string_view message);
// The OpenAI error shape, {"error":{"message","type","param","code"}}, with status.
awaitable<bool> write_openai_error(Exchange& ex, unsigned status, std::string_view message, std::string_view type,
                                   std::string_view code);

// Streams: header (chunked, text/event-stream, no-cache, X-Accel-Buffering: no), chunks, last chunk.
awaitable<bool> write_stream_header(Exchange& ex, unsigned status = 200, std::string_view content_type = {});
awaitable<bool> write_chunk(Exchange& ex, std::string_view data);
awaitable<bool> write_last_chunk(Exchange& ex);

// True when the client has closed its connection (EOF or error); false when the wait was cancelled (the
// other side of a || finished) or the socket was closed here. Bytes the client sends do not end the wait.
awaitable<bool> wait_client_gone(AnyStream& stream);

}  // namespace igw::server
