#include <doctest/doctest.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/request_context.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/tracer.hpp"

using namespace igw::server;
namespace telemetry = igw::telemetry;
namespace tr = igw::telemetry::trace;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kInboundTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kInboundSpan = "00f067aa0ba902b7";

std::string inbound(std::string_view flags) {
  return "00-" + std::string{kInboundTrace} + "-" + std::string{kInboundSpan} + "-" + std::string{flags};
}

struct OkTransport : telemetry::otlp::Transport {
  telemetry::otlp::SendResult send(std::string_view) override { return {true, false, {}}; }
};

// What the tracer exported: the encoder copies the spans instead of encoding them.
struct Exported {
  std::mutex mutex;
  std::vector<tr::SpanData> spans;
};

struct TracedRequest {
  std::shared_ptr<Exported> exported = std::make_shared<Exported>();
  telemetry::Tracer tracer;

  explicit TracedRequest(tr::SamplerKind kind = tr::SamplerKind::parentbased_always_on)
      : tracer(tr::Sampler{kind, 1.0}, make_processor(exported)) {}

  static std::unique_ptr<telemetry::BatchProcessor> make_processor(std::shared_ptr<Exported> out) {
    telemetry::BatchOptions o;
    o.schedule_delay = 10s;  // exported by flush() only
    auto encode = [out](std::span<const tr::SpanData> spans, std::string& body) {
      std::lock_guard lock(out->mutex);
      out->spans.insert(out->spans.end(), spans.begin(), spans.end());
      body.clear();
    };
    return std::make_unique<telemetry::BatchProcessor>(o, encode, std::make_unique<OkTransport>(), nullptr,
                                                       "test");
  }

  std::vector<tr::SpanData> spans() {
    tracer.flush(2s);
    std::lock_guard lock(exported->mutex);
    return exported->spans;
  }
};

// A chat completion request as the handler fills it.
void chat_request(RequestContext& ctx) {
  ctx.request_id = "req-123";
  ctx.method = "POST";
  ctx.path = "/v1/chat/completions";
  ctx.route = "/v1/chat/completions";
  ctx.request_type = telemetry::request_type::chat_completions;
  ctx.provider = "openai";
  ctx.model = "gpt-4o-mini";
}

const tr::SpanData* find_kind(const std::vector<tr::SpanData>& spans, tr::SpanKind kind) {
  for (const auto& s : spans)
    if (s.kind == kind) return &s;
  return nullptr;
}

const tr::AttributeValue* attr(const tr::SpanData& s, std::string_view key) {
  const tr::AttributeValue* found = nullptr;
  int n = 0;
  for (const auto& a : s.attributes) {
    if (a.key == key) {
      found = &a.value;
      ++n;
    }
  }
  CHECK_MESSAGE(n <= 1, "attribute set twice: " << key);
  return found;
}

std::string str_attr(const tr::SpanData& s, std::string_view key) {
  auto* v = attr(s, key);
  REQUIRE_MESSAGE(v, "no attribute " << key);
  auto* text = std::get_if<std::string>(v);
  REQUIRE_MESSAGE(text, "not a string: " << key);
  return *text;
}

std::int64_t int_attr(const tr::SpanData& s, std::string_view key) {
  auto* v = attr(s, key);
  REQUIRE_MESSAGE(v, "no attribute " << key);
  auto* i = std::get_if<std::int64_t>(v);
  REQUIRE_MESSAGE(i, "not an int: " << key);
  return *i;
}

}  // namespace

TEST_SUITE("request_trace") {
  TEST_CASE("a valid inbound traceparent is continued") {
    TracedRequest t;
    RequestContext ctx;
    ctx.start_trace(&t.tracer, inbound("01"), "congo=t61rcWkgMzE");
    CHECK(ctx.trace.tracer == &t.tracer);
    CHECK(ctx.trace.sampled);
    CHECK(ctx.trace.trace_id.hex() == kInboundTrace);
    CHECK(ctx.trace.parent_id.hex() == kInboundSpan);
    CHECK(ctx.trace.span_id.valid());
    CHECK(ctx.trace.span_id.hex() != kInboundSpan);
    CHECK(ctx.trace.trace_hex == kInboundTrace);
    CHECK(ctx.trace.span_hex == ctx.trace.span_id.hex());

    chat_request(ctx);
    ctx.status = 200;
    ctx.finish(nullptr);
    auto spans = t.spans();
    REQUIRE(spans.size() == 1);
    const auto& server = spans[0];
    CHECK(server.trace_id.hex() == kInboundTrace);
    CHECK(server.span_id == ctx.trace.span_id);
    CHECK(server.parent_span_id.hex() == kInboundSpan);
    CHECK(server.parent_remote);
    CHECK(server.trace_state == "congo=t61rcWkgMzE");
  }

  TEST_CASE("a malformed traceparent starts a new trace") {
    TracedRequest t;
    RequestContext ctx;
    ctx.start_trace(&t.tracer, "00-" + std::string{kInboundTrace} + "-zz", "congo=t61rcWkgMzE");
    CHECK(ctx.trace.trace_id.valid());
    CHECK(ctx.trace.trace_id.hex() != kInboundTrace);
    CHECK_FALSE(ctx.trace.parent_id.valid());
    CHECK(ctx.trace.sampled);  // parentbased_always_on: a root is sampled
    CHECK(ctx.trace.trace_hex == ctx.trace.trace_id.hex());
    chat_request(ctx);
    ctx.status = 200;
    ctx.finish(nullptr);
    auto spans = t.spans();
    REQUIRE(spans.size() == 1);
    CHECK_FALSE(spans[0].parent_span_id.valid());
    CHECK_FALSE(spans[0].parent_remote);
    CHECK(spans[0].trace_state.empty());  // the caller's tracestate belongs to the trace it did not continue

    // No header at all: a new trace too, a different one.
    RequestContext other;
    other.start_trace(&t.tracer, "", "");
    CHECK(other.trace.trace_id.valid());
    CHECK(other.trace.trace_id != ctx.trace.trace_id);
  }

  TEST_CASE("start_upstream_span: the traceparent sent upstream names the client span") {
    TracedRequest t;
    RequestContext ctx;
    ctx.start_trace(&t.tracer, inbound("01"), "");
    auto sent = std::string{ctx.start_upstream_span("api.openai.com", 443)};
    auto parsed = tr::parse_traceparent(sent);
    REQUIRE(parsed.has_value());
    CHECK(sent.starts_with("00-"));
    CHECK(parsed->trace_id.hex() == kInboundTrace);
    CHECK(parsed->span_id == ctx.trace.client_id);
    CHECK(parsed->span_id != ctx.trace.span_id);
    CHECK(parsed->sampled);
    CHECK(sent.ends_with("-01"));
  }

  TEST_CASE("finish() ends one server span and one client span") {
    TracedRequest t;
    RequestContext ctx;
    ctx.start_trace(&t.tracer, "", "");
    chat_request(ctx);
    ctx.user = "alice";
    ctx.start_upstream_span("api.openai.com", 443);
    ctx.trace.upstream_status = 200;
    ctx.usage = {true, 11, 22, 33};
    ctx.end_upstream_span();
    std::this_thread::sleep_for(20ms);  // the response is relayed after the upstream answer is complete
    ctx.status = 200;
    ctx.finish(nullptr);
    ctx.finish(nullptr);  // idempotent: no second pair of spans

    auto spans = t.spans();
    REQUIRE(spans.size() == 2);
    const auto* server = find_kind(spans, tr::SpanKind::server);
    const auto* client = find_kind(spans, tr::SpanKind::client);
    REQUIRE(server);
    REQUIRE(client);

    CHECK(server->name == "POST /v1/chat/completions");
    CHECK(server->span_id == ctx.trace.span_id);
    CHECK(server->trace_id == ctx.trace.trace_id);
    CHECK(str_attr(*server, tr::attr::http_request_method) == "POST");
    CHECK(str_attr(*server, tr::attr::http_route) == "/v1/chat/completions");
    CHECK(str_attr(*server, tr::attr::url_path) == "/v1/chat/completions");
    CHECK(int_attr(*server, tr::attr::http_response_status_code) == 200);
    CHECK(str_attr(*server, tr::attr::request_id) == "req-123");
    CHECK(str_attr(*server, tr::attr::enduser_id) == "alice");
    CHECK(str_attr(*server, tr::attr::gen_ai_provider_name) == "openai");
    CHECK(str_attr(*server, tr::attr::gen_ai_request_model) == "gpt-4o-mini");
    CHECK(server->status == tr::StatusCode::unset);
    CHECK(attr(*server, tr::attr::error_type) == nullptr);
    CHECK(server->start_unix_ns > 0);
    CHECK(server->end_unix_ns >= server->start_unix_ns);

    CHECK(client->name == "chat gpt-4o-mini");
    CHECK(client->trace_id == ctx.trace.trace_id);
    CHECK(client->span_id == ctx.trace.client_id);
    CHECK(client->parent_span_id == server->span_id);
    CHECK_FALSE(client->parent_remote);
    CHECK(str_attr(*client, tr::attr::gen_ai_operation_name) == "chat");
    CHECK(str_attr(*client, tr::attr::gen_ai_provider_name) == "openai");
    CHECK(str_attr(*client, tr::attr::gen_ai_request_model) == "gpt-4o-mini");
    CHECK(int_attr(*client, tr::attr::gen_ai_usage_input_tokens) == 11);
    CHECK(int_attr(*client, tr::attr::gen_ai_usage_output_tokens) == 22);
    CHECK(str_attr(*client, tr::attr::server_address) == "api.openai.com");
    CHECK(int_attr(*client, tr::attr::server_port) == 443);
    CHECK(int_attr(*client, tr::attr::http_response_status_code) == 200);
    CHECK(client->status == tr::StatusCode::unset);
    // The client span lies within the server span and ended when the upstream answer did.
    CHECK(client->start_unix_ns >= server->start_unix_ns);
    CHECK(client->end_unix_ns >= client->start_unix_ns);
    CHECK(client->end_unix_ns <= server->end_unix_ns);
    CHECK(server->end_unix_ns - client->end_unix_ns >= 10'000'000u);
  }

  TEST_CASE("without usage there are no token attributes") {
    TracedRequest t;
    RequestContext ctx;
    ctx.start_trace(&t.tracer, "", "");
    chat_request(ctx);
    ctx.start_upstream_span("api.openai.com", 443);
    ctx.status = 200;
    ctx.finish(nullptr);
    auto spans = t.spans();
    const auto* client = find_kind(spans, tr::SpanKind::client);
    REQUIRE(client);
    CHECK(attr(*client, tr::attr::gen_ai_usage_input_tokens) == nullptr);
    CHECK(attr(*client, tr::attr::gen_ai_usage_output_tokens) == nullptr);
    CHECK(client->end_unix_ns >= client->start_unix_ns);  // not ended explicitly: ends with the request
  }

  TEST_CASE("error status: 5xx on the server span, the upstream error reason on the client span") {
    TracedRequest t;
    RequestContext ctx;
    ctx.start_trace(&t.tracer, "", "");
    chat_request(ctx);
    ctx.start_upstream_span("api.openai.com", 443);
    ctx.upstream_error_reason = reason::timeout;
    ctx.end_upstream_span();
    ctx.status = 504;
    ctx.finish(nullptr);
    auto spans = t.spans();
    REQUIRE(spans.size() == 2);
    const auto* server = find_kind(spans, tr::SpanKind::server);
    const auto* client = find_kind(spans, tr::SpanKind::client);
    REQUIRE(server);
    REQUIRE(client);
    CHECK(server->status == tr::StatusCode::error);
    CHECK(str_attr(*server, tr::attr::error_type) == "504");
    CHECK(int_attr(*server, tr::attr::http_response_status_code) == 504);
    CHECK(client->status == tr::StatusCode::error);
    CHECK(str_attr(*client, tr::attr::error_type) == "timeout");
  }

  TEST_CASE("a 4xx answer is not a server error; an upstream 5xx is a client span error") {
    TracedRequest t;
    RequestContext ctx;
    ctx.start_trace(&t.tracer, "", "");
    chat_request(ctx);
    ctx.start_upstream_span("api.openai.com", 443);
    ctx.trace.upstream_status = 503;
    ctx.end_upstream_span();
    ctx.status = 429;
    ctx.finish(nullptr);
    auto spans = t.spans();
    const auto* server = find_kind(spans, tr::SpanKind::server);
    const auto* client = find_kind(spans, tr::SpanKind::client);
    REQUIRE(server);
    REQUIRE(client);
    CHECK(server->status == tr::StatusCode::unset);
    CHECK(attr(*server, tr::attr::error_type) == nullptr);
    CHECK(client->status == tr::StatusCode::error);
    CHECK(int_attr(*client, tr::attr::http_response_status_code) == 503);
    CHECK(str_attr(*client, tr::attr::error_type) == "503");
  }

  TEST_CASE("no upstream call: only the server span") {
    TracedRequest t;
    RequestContext ctx;
    ctx.start_trace(&t.tracer, inbound("01"), "");
    ctx.request_id = "req-404";
    ctx.method = "GET";
    ctx.path = "/nope";
    ctx.status = 404;
    ctx.finish(nullptr);
    auto spans = t.spans();
    REQUIRE(spans.size() == 1);
    CHECK(spans[0].kind == tr::SpanKind::server);
    CHECK(spans[0].name == "GET");  // no route template: the method alone
    CHECK(attr(spans[0], tr::attr::http_route) == nullptr);
    CHECK(str_attr(spans[0], tr::attr::url_path) == "/nope");
  }

  TEST_CASE("an unsampled trace exports nothing but still has ids for the logs") {
    TracedRequest t;  // parentbased_always_on: the caller's flag 00 decides
    RequestContext ctx;
    ctx.start_trace(&t.tracer, inbound("00"), "");
    CHECK_FALSE(ctx.trace.sampled);
    CHECK(ctx.trace.trace_hex == kInboundTrace);
    CHECK(ctx.trace.span_hex.size() == 16);
    CHECK(ctx.trace.span_hex == ctx.trace.span_id.hex());
    chat_request(ctx);
    auto sent = std::string{ctx.start_upstream_span("api.openai.com", 443)};
    auto parsed = tr::parse_traceparent(sent);
    REQUIRE(parsed.has_value());
    CHECK_FALSE(parsed->sampled);  // the decision travels upstream
    CHECK(parsed->trace_id.hex() == kInboundTrace);
    ctx.end_upstream_span();
    ctx.status = 200;
    ctx.finish(nullptr);
    CHECK(t.spans().empty());
    CHECK(t.tracer.stats().exported == 0);
    CHECK(t.tracer.stats().dropped == 0);
  }

  TEST_CASE("always_off samples nothing, even under a sampled caller") {
    TracedRequest t(tr::SamplerKind::always_off);
    RequestContext ctx;
    ctx.start_trace(&t.tracer, inbound("01"), "");
    CHECK_FALSE(ctx.trace.sampled);
    CHECK_FALSE(ctx.trace.trace_hex.empty());
    chat_request(ctx);
    ctx.start_upstream_span("api.openai.com", 443);
    ctx.status = 200;
    ctx.finish(nullptr);
    CHECK(t.spans().empty());
  }

  TEST_CASE("tracing off (no tracer): nothing is set and nothing is sent upstream") {
    RequestContext ctx;
    ctx.start_trace(nullptr, inbound("01"), "congo=t61rcWkgMzE");
    CHECK(ctx.trace.tracer == nullptr);
    CHECK_FALSE(ctx.trace.sampled);
    CHECK_FALSE(ctx.trace.trace_id.valid());
    CHECK_FALSE(ctx.trace.span_id.valid());
    CHECK(ctx.trace.trace_hex.empty());
    CHECK(ctx.trace.span_hex.empty());
    CHECK(ctx.trace.trace_state.empty());
    CHECK(ctx.start_upstream_span("api.openai.com", 443).empty());
    CHECK_FALSE(ctx.trace.client_id.valid());
    ctx.end_upstream_span();
    ctx.status = 200;
    ctx.finish(nullptr);
    CHECK(ctx.finished);
  }
}
