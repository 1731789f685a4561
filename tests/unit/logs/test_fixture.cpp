// The "real" half of the log fixture: lines exactly as the gateway writes them, produced by
// telemetry::log::format_line. The e2e tests filter tests/fixtures/logs/gateway.jsonl; this test fails
// when the file drifts from what format_line writes (IGW_REGENERATE_FIXTURES=1 rewrites it).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "logs/line.hpp"
#include "telemetry/log.hpp"

namespace {

namespace log = igw::telemetry::log;
namespace f = log::field;
namespace lg = log::logger;
using log::Level;

std::filesystem::path fixture_path() {
  return std::filesystem::path(IGW_SOURCE_DIR) / "tests" / "fixtures" / "logs" / "gateway.jsonl";
}

// 2026-01-15T10:00:00.000Z; entry i is written i seconds and 7*i ms later.
constexpr std::int64_t kStartMs = 1768471200000;
std::int64_t at(int i) {
  return kStartMs + i * 1000 + i * 7;
}

constexpr std::string_view kChat = "/v1/chat/completions";
constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

std::vector<std::string> gateway_lines() {
  return {
      log::format_line(Level::info, lg::server, "igw listening", {{f::address, "127.0.0.1:8080"}}, at(0)),
      log::format_line(Level::info, lg::config, "configuration loaded", {}, at(1)),
      log::format_line(Level::info, lg::http, "request completed",
                       {{f::request_id, "req-0001"},
                        {f::provider, "openai"},
                        {f::model, "gpt-4o-mini"},
                        {f::method, "POST"},
                        {f::path, kChat},
                        {f::status_code, 200},
                        {f::duration_ms, 812.5},
                        {f::bytes, 1432},
                        {f::trace_id, kTrace},
                        {f::span_id, "00f067aa0ba902b7"}},
                       at(2)),
      log::format_line(Level::debug, lg::proxy, "upstream request",
                       {{f::request_id, "req-0001"},
                        {f::provider, "openai"},
                        {f::model, "gpt-4o-mini"},
                        {f::url, "http://127.0.0.1:18081/v1/chat/completions"}},
                       at(3)),
      log::format_line(Level::warn, lg::proxy, "upstream slow",
                       {{f::request_id, "req-0002"},
                        {f::provider, "anthropic"},
                        {f::model, "claude-3-5-haiku"},
                        {f::duration_ms, 4200.0}},
                       at(4)),
      log::format_line(Level::info, lg::http, "request completed",
                       {{f::request_id, "req-0002"},
                        {f::provider, "anthropic"},
                        {f::model, "claude-3-5-haiku"},
                        {f::method, "POST"},
                        {f::path, kChat},
                        {f::status_code, 200},
                        {f::duration_ms, 4310.25}},
                       at(5)),
      log::format_line(Level::error, lg::proxy, "upstream failed",
                       {{f::request_id, "req-0003"},
                        {f::provider, "openai"},
                        {f::model, "gpt-4o"},
                        {f::status_code, 502},
                        {f::error, "connection reset by peer"}},
                       at(6)),
      log::format_line(Level::info, lg::http, "request completed",
                       {{f::request_id, "req-0003"},
                        {f::provider, "openai"},
                        {f::model, "gpt-4o"},
                        {f::method, "POST"},
                        {f::path, kChat},
                        {f::status_code, 502},
                        {f::duration_ms, 35.0}},
                       at(7)),
      log::format_line(
          Level::warn, lg::auth, "rejected API key",
          {{f::request_id, "req-0004"}, {f::method, "POST"}, {f::path, kChat}, {f::status_code, 401}}, at(8)),
      log::format_line(Level::info, lg::http, "request completed",
                       {{f::request_id, "req-0004"}, {f::status_code, 401}, {f::duration_ms, 0.5}}, at(9)),
      log::format_line(Level::info, lg::mcp_client, "tool call",
                       {{f::request_id, "req-0005"},
                        {f::provider, "openai"},
                        {f::model, "gpt-4o-mini"},
                        {f::url, "http://127.0.0.1:3001/mcp"},
                        {f::duration_ms, 15.0}},
                       at(10)),
      log::format_line(Level::error, lg::mcp_client, "tool call failed",
                       {{f::request_id, "req-0005"},
                        {f::error, "timeout after 5s"},
                        {f::url, "http://127.0.0.1:3001/mcp"}},
                       at(11)),
      log::format_line(Level::info, lg::a2a_client, "agent call",
                       {{f::request_id, "req-0006"}, {f::duration_ms, 120.0}}, at(12)),
      log::format_line(Level::info, lg::http, "request completed",
                       {{f::request_id, "req-0005"},
                        {f::provider, "openai"},
                        {f::model, "gpt-4o-mini"},
                        {f::method, "POST"},
                        {f::path, kChat},
                        {f::status_code, 500},
                        {f::duration_ms, 5003.0}},
                       at(13)),
      log::format_line(Level::error, lg::http, "request completed",
                       {{f::request_id, "req-0007"},
                        {f::provider, "mock"},
                        {f::model, "mock-1"},
                        {f::status_code, 503},
                        {f::duration_ms, 1.25}},
                       at(14)),
      log::format_line(Level::info, lg::telemetry, "metrics endpoint ready", {{f::address, "127.0.0.1:9464"}},
                       at(15)),
      log::format_line(Level::debug, lg::mock, "mock response", {{f::model, "mock-1"}}, at(16)),
      log::format_line(
          Level::info, lg::http, "path \"/v1/nope\" not found\nsecond line",
          {{f::request_id, "req-0008"}, {f::method, "GET"}, {f::path, "/v1/nope"}, {f::status_code, 404}},
          at(17)),
      log::format_line(Level::info, lg::demo, "demo traffic", {{f::provider, "openai"}, {f::bytes, 0}},
                       at(18)),
  };
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_SUITE("logs fixture") {
  TEST_CASE("gateway.jsonl holds exactly the lines format_line writes") {
    std::string want = joined(gateway_lines());
    if (const char* regen = std::getenv("IGW_REGENERATE_FIXTURES"); regen && std::string{regen} == "1") {
      std::ofstream(fixture_path(), std::ios::binary) << want;
    }
    std::ifstream in(fixture_path(), std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing fixture " << fixture_path());
    std::stringstream got;
    got << in.rdbuf();
    CHECK(got.str() == want);
  }

  TEST_CASE("every gateway line scans as a JSON object with the core fields") {
    for (const auto& text : gateway_lines()) {
      igw::logs::Line line;
      REQUIRE_MESSAGE(line.parse(text), text);
      CHECK(line.find(f::timestamp));
      CHECK(line.find(f::level));
      CHECK(line.find(f::logger));
      CHECK(line.find(f::message));
    }
  }
}
