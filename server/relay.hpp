// Relaying an upstream response to the client: buffered JSON, SSE event by event (with usage and tool
// calls picked out as they pass, the client's disconnect closing the upstream at once, and a broken
// upstream reported as an in-stream error event), or raw bytes for passthrough routes (usage picked out of
// the answers whose shape the route expects).
#pragma once

#include "server/exchange.hpp"
#include "server/response_observer.hpp"
#include "server/upstream_call.hpp"

namespace igw::server {

// 502/504 to the client for a call that failed before a response (and the reason on the context).
awaitable<void> respond_failure(Exchange& ex, const UpstreamFailure& failure);

// Sends the request (its client span started, traceparent set), counting the wait as upstream time; the
// failure, if any, is noted on the context (reason, span, log line) and returned, nothing written.
awaitable<std::optional<UpstreamFailure>> start_upstream(Exchange& ex, UpstreamCall& call, UpstreamRequest& req);
// start_upstream, and on failure the 502/504 to the client; returns whether the call is under way.
awaitable<bool> send_upstream(Exchange& ex, UpstreamCall& call, UpstreamRequest& req);
// A call that failed after the response began: the reason on the context, the client span ended, a warn line.
void note_upstream_failure(Exchange& ex, const UpstreamFailure& failure);
// Reads the whole upstream body into `body` and releases the connection; on failure answers the client and
// returns false.
awaitable<bool> read_upstream_body(Exchange& ex, UpstreamCall& call, std::string& body);

// An upstream error status: the same status, {"error":"<upstream body>"}.
awaitable<void> relay_upstream_error(Exchange& ex, UpstreamCall& call);

// A buffered OpenAI JSON response (observed for usage and tool calls) with the upstream's status.
awaitable<void> relay_json(Exchange& ex, UpstreamCall& call);

// A 2xx event stream, event by event, usage (and a chat stream's tool calls) picked out of events of `shape`.
awaitable<void> relay_sse(Exchange& ex, UpstreamCall& call, AnswerShape shape);

// Passthrough: status, content type and body as the upstream sent them; event streams and bodies of
// unknown length are relayed as they arrive. Usage is picked out of 2xx event streams and JSON bodies of
// `shape` (a JSON body of unknown length only up to kMaxObservedBody).
inline constexpr std::size_t kMaxObservedBody = 1u << 20;
awaitable<void> relay_verbatim(Exchange& ex, UpstreamCall& call, AnswerShape shape);

}  // namespace igw::server
