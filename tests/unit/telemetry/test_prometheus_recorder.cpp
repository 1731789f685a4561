#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "telemetry/catalog.hpp"
#include "telemetry/recorder.hpp"

using namespace igw::telemetry;

namespace {

RecorderOptions options(std::size_t max_models = 100) {
  return {{"inference-gateway", "1.2.3", "test"}, max_models};
}

RequestOutcome chat(std::string_view model, int status = 200) {
  RequestOutcome o;
  o.provider = "openai";
  o.model = model;
  o.request_type = request_type::chat_completions;
  o.method = "POST";
  o.route = "/v1/chat/completions";
  o.status_code = status;
  o.duration_ms = 42;
  o.overhead_seconds = 0.00002;
  o.has_usage = true;
  o.prompt_tokens = 10;
  o.completion_tokens = 5;
  o.total_tokens = 15;
  o.counted_in_flight = true;
  return o;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_SUITE("telemetry/recorder") {
  TEST_CASE("every implemented catalog metric family is exposed with its type") {
    auto r = make_prometheus_recorder(options());
    r->request_started("openai");
    r->request_finished(chat("gpt-4o"));
    auto text = r->exposition();
    for (const auto& m : metrics()) {
      if (m.status != Status::implemented) continue;
      std::string type_line = "# TYPE " + std::string{m.name} + " " + std::string{to_string(m.type)};
      CHECK_MESSAGE(text.find(type_line) != std::string::npos, type_line);
    }
    CHECK(has_line(text, "target_info{deployment_environment=\"test\",service_name=\"inference-gateway\","
                         "service_version=\"1.2.3\"} 1"));
  }

  TEST_CASE("a finished request lands in the page's metrics with the page's labels") {
    auto r = make_prometheus_recorder(options());
    r->request_started("openai");
    r->request_finished(chat("gpt-4o"));
    r->request_started("openai");
    r->request_finished(chat("gpt-4o", 502));
    auto text = r->exposition();
    CHECK(has_line(text, "llm_requests_total{provider=\"openai\",request_type=\"chat_completions\"} 2"));
    CHECK(has_line(text, "llm_responses_total{provider=\"openai\",request_method=\"POST\","
                         "request_path=\"/v1/chat/completions\",status_code=\"502\"} 1"));
    CHECK(has_line(text, "llm_usage_total_tokens{model=\"gpt-4o\",provider=\"openai\"} 30"));
    CHECK(has_line(text, "llm_usage_prompt_tokens{model=\"gpt-4o\",provider=\"openai\"} 20"));
    CHECK(has_line(text, "llm_request_duration_bucket{provider=\"openai\",request_method=\"POST\","
                         "request_path=\"/v1/chat/completions\",le=\"50\"} 2"));
    CHECK(has_line(text, "llm_request_duration_bucket{provider=\"openai\",request_method=\"POST\","
                         "request_path=\"/v1/chat/completions\",le=\"25\"} 0"));
    CHECK(has_line(text, "igw_requests_in_flight{provider=\"openai\"} 0"));
  }

  TEST_CASE("tool calls, upstream errors, disconnects and internal errors") {
    auto r = make_prometheus_recorder(options());
    std::vector<ToolCallOutcome> calls{{tool_type::function, "get_weather", true, {}, std::nullopt},
                                       {tool_type::mcp, "search", false, "timeout", 12.5}};
    auto o = chat("gpt-4o");
    o.tool_calls = calls;
    o.upstream_error_reason = "reset";
    o.client_disconnected = true;
    o.internal_error = internal_error::relay;
    o.counted_in_flight = false;
    r->request_finished(o);
    auto text = r->exposition();
    CHECK(has_line(text, "llm_tool_calls_total{model=\"gpt-4o\",provider=\"openai\",tool_name=\"get_weather\","
                         "tool_type=\"function\"} 1"));
    CHECK(has_line(text, "llm_tool_calls_failure_total{error_type=\"timeout\",model=\"gpt-4o\",provider=\"openai\","
                         "tool_name=\"search\",tool_type=\"mcp\"} 1"));
    // Only the calls igw ran itself have a duration.
    CHECK(has_line(text, "llm_tool_call_duration_count{model=\"gpt-4o\",provider=\"openai\",tool_name=\"search\","
                         "tool_type=\"mcp\"} 1"));
    CHECK(has_line(text, "llm_tool_call_duration_sum{model=\"gpt-4o\",provider=\"openai\",tool_name=\"search\","
                         "tool_type=\"mcp\"} 12.5"));
    CHECK(text.find("llm_tool_call_duration_count{model=\"gpt-4o\",provider=\"openai\",tool_name=\"get_weather\"") ==
          std::string::npos);
    CHECK(has_line(text, "igw_upstream_errors_total{provider=\"openai\",reason=\"reset\"} 1"));
    CHECK(has_line(text, "igw_internal_errors_total{where=\"relay\"} 1"));
    CHECK(has_line(text, "igw_client_disconnects_total{provider=\"openai\"} 1"));
  }

  TEST_CASE("the tool server gauge: one series per server, 1 up, 0 down") {
    auto r = make_prometheus_recorder(options());
    r->tool_server_up(tool_type::mcp, "http://a/mcp", true);
    r->tool_server_up(tool_type::a2a, "http://b", true);
    r->tool_server_up(tool_type::a2a, "http://b", false);
    auto text = r->exposition();
    CHECK(has_line(text, "igw_tool_server_up{server=\"http://a/mcp\",tool_type=\"mcp\"} 1"));
    CHECK(has_line(text, "igw_tool_server_up{server=\"http://b\",tool_type=\"a2a\"} 0"));
  }

  TEST_CASE("model values past the cap fold into other, across threads") {
    auto r = make_prometheus_recorder(options(2));
    auto run = [&] {  // three rounds: the first decides, the others take the per-thread caches
      for (int round = 0; round < 3; ++round)
        for (auto m : {"a", "b", "c", "d"}) r->request_finished(chat(m));
    };
    std::thread t1(run), t2(run);
    t1.join();
    t2.join();
    auto text = r->exposition();
    CHECK(has_line(text, "llm_usage_total_tokens{model=\"a\",provider=\"openai\"} 90"));
    CHECK(has_line(text, "llm_usage_total_tokens{model=\"b\",provider=\"openai\"} 90"));
    CHECK(has_line(text, "llm_usage_total_tokens{model=\"other\",provider=\"openai\"} 180"));
    CHECK(text.find("model=\"c\"") == std::string::npos);
    CHECK(has_line(text, "igw_label_values_capped_total{label=\"model\"} 12"));
    CHECK(has_line(text, "llm_requests_total{provider=\"openai\",request_type=\"chat_completions\"} 24"));
  }

  TEST_CASE("planned metrics are neither registered nor announced; implemented ones are announced from the start") {
    auto r = make_prometheus_recorder(options());
    auto text = r->exposition();
    for (const auto& def : metrics()) {
      bool announced = text.find("# TYPE " + std::string{def.name} + " ") != std::string::npos;
      CHECK_MESSAGE(announced == (def.status == Status::implemented), def.name);
    }
  }

  TEST_CASE("process metrics are live") {
    auto r = make_prometheus_recorder(options());
    auto text = r->exposition();
    auto pos = text.find("\nprocess_resident_memory_bytes ");
    REQUIRE(pos != std::string::npos);
    CHECK(std::stod(text.substr(pos + 31)) > 1e6);
    pos = text.find("\nprocess_open_fds ");
    REQUIRE(pos != std::string::npos);
    CHECK(std::stod(text.substr(pos + 18)) >= 3);
    pos = text.find("\nprocess_start_time_seconds ");
    REQUIRE(pos != std::string::npos);
    CHECK(std::stod(text.substr(pos + 28)) > 1.7e9);
  }
}
