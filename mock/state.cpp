#include "mock/state.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace igw::mock {

double unix_ms_now() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) /
         1000.0;
}

void State::record(RecordedRequest request) {
  if (keep_ <= 0) return;
  if (request.body.size() > kMaxRecordedBody) request.body.resize(kMaxRecordedBody);
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
  while (requests_.size() > static_cast<std::size_t>(keep_)) requests_.pop_front();
}

void State::clear_requests() {
  std::lock_guard lock(mutex_);
  requests_.clear();
}

void State::stream_cancelled(std::string target, int events_sent) {
  --open_streams_;
  ++cancelled_streams_;
  std::lock_guard lock(mutex_);
  cancellations_.push_back({unix_ms_now(), std::move(target), events_sent});
  while (cancellations_.size() > kMaxCancellations) cancellations_.pop_front();
}

std::string State::open_mcp_session() {
  std::lock_guard lock(mcp_mutex_);
  std::string id;
  do id = fmt::format("{:016x}{:016x}", session_rng_(), session_rng_());
  while (mcp_sessions_.contains(id));
  mcp_sessions_.insert(id);
  mcp_session_order_.push_back(id);
  while (mcp_sessions_.size() > kMaxMcpSessions) {
    mcp_sessions_.erase(mcp_session_order_.front());
    mcp_session_order_.pop_front();
  }
  return id;
}

bool State::mcp_session_known(std::string_view id) const {
  std::lock_guard lock(mcp_mutex_);
  return mcp_sessions_.contains(std::string(id));
}

bool State::close_mcp_session(std::string_view id) {
  std::lock_guard lock(mcp_mutex_);
  if (!mcp_sessions_.erase(std::string(id))) return false;
  mcp_session_order_.erase(std::ranges::find(mcp_session_order_, id));
  return true;
}

std::string State::requests_json() const {
  auto list = nlohmann::ordered_json::array();
  std::lock_guard lock(mutex_);
  for (const auto& r : requests_) {
    nlohmann::ordered_json headers = nlohmann::ordered_json::object();
    for (const auto& [k, v] : r.headers) headers[k] = v;  // names are lower-case
    list.push_back({{"unix_ms", r.unix_ms},
                    {"method", r.method},
                    {"path", r.target},
                    {"headers", std::move(headers)},
                    {"body", r.body},
                    {"body_size", r.body_size}});
  }
  return nlohmann::ordered_json{{"requests", std::move(list)}}.dump(-1, ' ', false,
                                                                    nlohmann::json::error_handler_t::replace);
}

std::string State::stats_json() const {
  auto cancels = nlohmann::ordered_json::array();
  {
    std::lock_guard lock(mutex_);
    for (const auto& c : cancellations_)
      cancels.push_back({{"unix_ms", c.unix_ms}, {"path", c.target}, {"events_sent", c.events_sent}});
  }
  std::size_t mcp_sessions = 0;
  {
    std::lock_guard lock(mcp_mutex_);
    mcp_sessions = mcp_sessions_.size();
  }
  nlohmann::ordered_json j{{"requests_total", requests_total_.load()},
                           {"errors_injected", errors_injected_.load()},
                           {"connections_open", connections_open_.load()},
                           {"connections_total", connections_total_.load()},
                           {"open_streams", open_streams_.load()},
                           {"completed_streams", completed_streams_.load()},
                           {"cancelled_streams", cancelled_streams_.load()},
                           {"failed_streams", failed_streams_.load()},
                           {"mcp_requests", mcp_requests_.load()},
                           {"mcp_sessions", mcp_sessions},
                           {"mcp_tool_calls", mcp_tool_calls_.load()},
                           {"mcp_tool_errors", mcp_tool_errors_.load()},
                           {"cancellations", std::move(cancels)}};
  return j.dump();
}

}  // namespace igw::mock
