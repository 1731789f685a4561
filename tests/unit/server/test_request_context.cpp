#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "server/request_context.hpp"
#include "telemetry/catalog.hpp"

using namespace igw::server;
namespace telemetry = igw::telemetry;

namespace {

struct FakeRecorder : telemetry::Recorder {
  std::vector<std::string> started;
  int finished = 0;
  std::string provider, model, route, tool;
  int status = 0;
  std::int64_t total = 0;
  bool disconnected = false, counted = false;
  void request_started(std::string_view p) override { started.emplace_back(p); }
  void request_finished(const telemetry::RequestOutcome& o) override {
    ++finished;
    provider = o.provider;
    model = o.model;
    route = o.route;
    status = o.status_code;
    total = o.total_tokens;
    disconnected = o.client_disconnected;
    counted = o.counted_in_flight;
    if (!o.tool_calls.empty()) tool = o.tool_calls.front().name;
  }
  void tool_call(std::string_view, std::string_view, const telemetry::ToolCallOutcome&) override {}
  void auth_keys_loaded(bool) override {}
  std::string exposition() override { return {}; }
};

}  // namespace

TEST_SUITE("request_context") {
  TEST_CASE("the outcome carries provider, model, route, status, usage, tool calls; reported once") {
    FakeRecorder rec;
    RequestContext ctx;
    ctx.method = "POST";
    ctx.route = "/v1/chat/completions";
    ctx.request_type = telemetry::request_type::chat_completions;
    ctx.provider_known("groq", &rec);
    ctx.provider_known("groq", &rec);
    ctx.model = "llama";
    ctx.status = 200;
    ctx.usage = {true, 3, 4, 7};
    ctx.tool_calls.push_back({0, "c", "get_weather", "{}"});
    ctx.client_disconnected = true;
    ctx.finish(&rec);
    ctx.finish(&rec);
    CHECK(rec.started.size() == 1);
    CHECK(rec.finished == 1);
    CHECK(rec.provider == "groq");
    CHECK(rec.model == "llama");
    CHECK(rec.route == "/v1/chat/completions");
    CHECK(rec.status == 200);
    CHECK(rec.total == 7);
    CHECK(rec.tool == "get_weather");
    CHECK(rec.disconnected);
    CHECK(rec.counted);
  }

  TEST_CASE("an unresolved provider is reported as unknown; a null recorder is fine") {
    FakeRecorder rec;
    RequestContext ctx;
    ctx.status = 404;
    ctx.finish(&rec);
    CHECK(rec.provider == std::string{telemetry::kUnknownProvider});
    CHECK_FALSE(rec.counted);
    RequestContext other;
    other.finish(nullptr);
    CHECK(other.finished);
  }
}

TEST_CASE("function tool calls: offered and well-formed succeed; the rest fail with a reason") {
  const std::vector<std::string> offered{"get_weather", "get_time"};
  CHECK(tool_call_error({0, "c1", "get_weather", R"({"city":"Paris"})"}, offered).empty());
  CHECK(tool_call_error({0, "c1", "get_time", ""}, offered).empty());
  CHECK(tool_call_error({0, "c1", "no_such_tool", "{}"}, offered) == telemetry::tool_error::unknown_tool);
  CHECK(tool_call_error({0, "c1", "get_weather", "{}"}, {}) == telemetry::tool_error::unknown_tool);
  CHECK(tool_call_error({0, "c1", "get_weather", R"({"city":)"}, offered) == telemetry::tool_error::invalid_arguments);

  RequestContext ctx;
  ctx.offered_tools = offered;
  ctx.tool_calls = {{0, "a", "get_weather", "{}"}, {1, "b", "nope", "{}"}};
  std::vector<telemetry::ToolCallOutcome> tools;
  auto o = to_outcome(ctx, tools);
  REQUIRE(o.tool_calls.size() == 2);
  CHECK(o.tool_calls[0].success);
  CHECK_FALSE(o.tool_calls[1].success);
  CHECK(o.tool_calls[1].error_type == telemetry::tool_error::unknown_tool);
  CHECK(o.tool_calls[1].tool_type == telemetry::tool_type::function);
  ctx.finished = true;  // nothing to report
}

TEST_CASE("the overhead excludes the waits on the upstream and on the client") {
  using namespace std::chrono;
  RequestContext ctx;
  ctx.start = Clock::now() - milliseconds(100);
  ctx.upstream_wait = milliseconds(60);
  ctx.client_wait = milliseconds(30);
  std::vector<telemetry::ToolCallOutcome> tools;
  auto o = to_outcome(ctx, tools);
  CHECK(o.overhead_seconds >= 0.010);
  CHECK(o.overhead_seconds < 0.050);  // 10 ms plus the time this test takes, not 100 ms
  {
    WaitTimer t{ctx.client_wait};
    std::this_thread::sleep_for(milliseconds(20));
  }
  CHECK(ctx.client_wait >= milliseconds(50));
  ctx.upstream_wait = milliseconds(200);  // more than the wall time: never negative
  CHECK(to_outcome(ctx, tools).overhead_seconds == 0);
  ctx.finished = true;
}
