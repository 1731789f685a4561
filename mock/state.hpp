// What the mock saw, for tests: the last N requests (GET /mock/requests) and stream/connection counters with
// the times client cancellations were noticed (GET /mock/stats); and the sessions of its MCP server (/mcp).
// Shared by every worker thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace igw::mock {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct RecordedRequest {
  std::int64_t unix_ms;
  std::string method;
  std::string target;
  Headers headers;
  std::string body;  // truncated to kMaxRecordedBody
  std::size_t body_size;
};

struct Cancellation {
  double unix_ms;  // when the mock noticed the client was gone (sub-millisecond)
  std::string target;
  int events_sent;
};

class State {
 public:
  explicit State(int keep_requests) : keep_(keep_requests) {}

  void record(RecordedRequest request);
  void clear_requests();
  std::string requests_json() const;
  std::string stats_json() const;

  void connection_opened() { ++connections_open_, ++connections_total_; }
  void connection_closed() { --connections_open_; }
  void stream_opened() { ++open_streams_; }
  void stream_completed() { --open_streams_, ++completed_streams_; }
  void stream_failed_on_purpose() { --open_streams_, ++failed_streams_; }
  void stream_cancelled(std::string target, int events_sent);
  void request_served() { ++requests_total_; }
  void error_injected() { ++errors_injected_; }

  // MCP sessions (/mcp): opened by initialize, ended by DELETE; past kMaxMcpSessions the oldest is dropped.
  std::string open_mcp_session();  // a fresh id: 32 hex digits
  bool mcp_session_known(std::string_view id) const;
  bool close_mcp_session(std::string_view id);  // false when unknown
  void mcp_request() { ++mcp_requests_; }
  void mcp_tool_called(bool failed) { ++mcp_tool_calls_, mcp_tool_errors_ += failed ? 1 : 0; }

  static constexpr std::size_t kMaxRecordedBody = 1 << 20;
  static constexpr std::size_t kMaxCancellations = 1000;
  static constexpr std::size_t kMaxMcpSessions = 1000;

 private:
  int keep_;
  mutable std::mutex mutex_;
  std::deque<RecordedRequest> requests_;
  std::deque<Cancellation> cancellations_;
  std::atomic<std::int64_t> connections_open_{0}, connections_total_{0};
  std::atomic<std::int64_t> open_streams_{0}, completed_streams_{0}, cancelled_streams_{0},
      failed_streams_{0};
  std::atomic<std::int64_t> requests_total_{0}, errors_injected_{0};
  mutable std::mutex mcp_mutex_;
  std::mt19937_64 session_rng_{std::random_device{}()};  // ids differ from one mock run to the next
  std::deque<std::string> mcp_session_order_;            // oldest first
  std::unordered_set<std::string> mcp_sessions_;
  std::atomic<std::int64_t> mcp_requests_{0}, mcp_tool_calls_{0}, mcp_tool_errors_{0};
};

double unix_ms_now();

}  // namespace igw::mock
