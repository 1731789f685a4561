#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock/state.hpp"

using namespace igw::mock;
using nlohmann::json;

namespace {

RecordedRequest recorded(std::string target, std::string body = "{}") {
  auto size = body.size();
  return {1700000000123, "POST", std::move(target), {{"authorization", "Bearer k"}}, std::move(body), size};
}

json requests(const State& s) {
  return json::parse(s.requests_json())["requests"];
}

json stats(const State& s) {
  return json::parse(s.stats_json());
}

}  // namespace

TEST_SUITE("mock/state") {
  TEST_CASE("requests are listed oldest first with every recorded field") {
    State s(10);
    s.record(recorded("/v1/models", ""));
    s.record(recorded("/v1/chat/completions", R"({"model":"m"})"));
    auto list = requests(s);
    REQUIRE(list.size() == 2);
    CHECK(list[0]["path"] == "/v1/models");
    CHECK(list[1] == json{{"unix_ms", 1700000000123},
                          {"method", "POST"},
                          {"path", "/v1/chat/completions"},
                          {"headers", {{"authorization", "Bearer k"}}},
                          {"body", R"({"model":"m"})"},
                          {"body_size", 13}});
  }

  TEST_CASE("only the last N requests are kept; N = 0 keeps none") {
    State s(3);
    for (int i = 0; i < 5; ++i) s.record(recorded("/r" + std::to_string(i)));
    auto list = requests(s);
    REQUIRE(list.size() == 3);
    CHECK(list[0]["path"] == "/r2");
    CHECK(list[2]["path"] == "/r4");
    State none(0);
    none.record(recorded("/x"));
    CHECK(requests(none).empty());
    State negative(-1);
    negative.record(recorded("/x"));
    CHECK(requests(negative).empty());
  }

  TEST_CASE("clear_requests empties the list and recording starts again") {
    State s(2);
    s.record(recorded("/a"));
    s.clear_requests();
    CHECK(requests(s).empty());
    s.record(recorded("/b"));
    CHECK(requests(s).size() == 1);
  }

  TEST_CASE("a body over the cap is cut, but body_size tells the real size") {
    State s(1);
    std::string big(State::kMaxRecordedBody + 10, 'x');
    s.record(recorded("/big", big));
    auto r = requests(s)[0];
    CHECK(r["body"].get<std::string>().size() == State::kMaxRecordedBody);
    CHECK(r["body_size"] == State::kMaxRecordedBody + 10);
  }

  TEST_CASE("a body that is not UTF-8 still gives valid JSON") {
    State s(1);
    s.record(recorded("/bin", std::string("a\xff\xfe"
                                          "b",
                                          4)));
    auto list = requests(s);  // parse would throw on invalid output
    CHECK(list[0]["body_size"] == 4);
    CHECK(list[0]["body"].get<std::string>().starts_with("a"));
  }

  TEST_CASE("a header repeated keeps its last value") {
    State s(1);
    auto r = recorded("/h");
    r.headers = {{"x-a", "1"}, {"x-a", "2"}};
    s.record(r);
    CHECK(requests(s)[0]["headers"] == json{{"x-a", "2"}});
  }

  TEST_CASE("counters start at zero") {
    State s(1);
    auto j = stats(s);
    for (auto key : {"requests_total", "errors_injected", "connections_open", "connections_total",
                     "open_streams", "completed_streams", "cancelled_streams", "failed_streams"})
      CHECK_MESSAGE(j[key] == 0, key);
    CHECK(j["cancellations"].empty());
  }

  TEST_CASE("connections: open goes up and down, total only up") {
    State s(1);
    s.connection_opened();
    s.connection_opened();
    s.connection_closed();
    s.connection_opened();
    auto j = stats(s);
    CHECK(j["connections_open"] == 2);
    CHECK(j["connections_total"] == 3);
  }

  TEST_CASE("streams end completed, failed on purpose or cancelled; each leaves open_streams") {
    State s(1);
    for (int i = 0; i < 4; ++i) s.stream_opened();
    s.stream_completed();
    s.stream_failed_on_purpose();
    s.stream_cancelled("/v1/messages", 2);
    auto j = stats(s);
    CHECK(j["open_streams"] == 1);
    CHECK(j["completed_streams"] == 1);
    CHECK(j["failed_streams"] == 1);
    CHECK(j["cancelled_streams"] == 1);
    s.request_served();
    s.request_served();
    s.error_injected();
    j = stats(s);
    CHECK(j["requests_total"] == 2);
    CHECK(j["errors_injected"] == 1);
  }

  TEST_CASE("cancellations record path, events sent and when, in order") {
    State s(1);
    double before = unix_ms_now();
    s.stream_cancelled("/a", 1);
    s.stream_cancelled("/b", 7);
    double after = unix_ms_now();
    auto c = stats(s)["cancellations"];
    REQUIRE(c.size() == 2);
    CHECK(c[0]["path"] == "/a");
    CHECK(c[1]["path"] == "/b");
    CHECK(c[1]["events_sent"] == 7);
    CHECK(c[0]["unix_ms"].get<double>() >= before);
    CHECK(c[1]["unix_ms"].get<double>() <= after);
    CHECK(c[0]["unix_ms"].get<double>() <= c[1]["unix_ms"].get<double>());
  }

  TEST_CASE("the cancellation list is bounded; the oldest go first") {
    State s(1);
    for (std::size_t i = 0; i < State::kMaxCancellations + 5; ++i)
      s.stream_cancelled("/c", static_cast<int>(i));
    auto j = stats(s);
    auto c = j["cancellations"];
    REQUIRE(c.size() == State::kMaxCancellations);
    CHECK(c[0]["events_sent"] == 5);
    CHECK(j["cancelled_streams"] == State::kMaxCancellations + 5);  // the counter is not capped
  }

  TEST_CASE("unix_ms_now: milliseconds since the epoch with sub-millisecond resolution") {
    double a = unix_ms_now();
    CHECK(a > 1.6e12);  // after 2020
    CHECK(a < 4.1e12);  // before 2100: milliseconds, not microseconds
    double b = a;
    for (int i = 0; i < 1000000 && b == a; ++i) b = unix_ms_now();
    CHECK(b > a);
    CHECK(b - a < 1.0);  // the next distinct reading is less than a millisecond later
  }

  TEST_CASE("counters and records stay exact under concurrent workers") {
    State s(100000);
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; ++t)
      workers.emplace_back([&s] {
        for (int i = 0; i < 1000; ++i) {
          s.connection_opened();
          s.request_served();
          s.record(recorded("/p"));
          s.connection_closed();
        }
      });
    for (auto& w : workers) w.join();
    auto j = stats(s);
    CHECK(j["requests_total"] == 4000);
    CHECK(j["connections_total"] == 4000);
    CHECK(j["connections_open"] == 0);
    CHECK(requests(s).size() == 4000);
  }
}
