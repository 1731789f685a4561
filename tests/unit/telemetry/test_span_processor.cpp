#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/catalog.hpp"
#include "telemetry/span_processor.hpp"

using namespace igw::telemetry;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// What the fake transport was sent and what it answers; shared with the test (the processor owns the
// transport).
struct Wire {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> bodies;
  std::deque<otlp::SendResult> script;  // answers in order; then `fallback`
  otlp::SendResult fallback{true, false, {}};
  std::chrono::milliseconds delay{0};    // each send takes this long
  bool gate_closed = false;              // sends wait until it opens
  std::vector<std::size_t> batch_sizes;  // what the encoder was given

  std::size_t sends() {
    std::lock_guard lock(mutex);
    return bodies.size();
  }
  // Waits (bounded) until at least `n` sends started.
  bool wait_sends(std::size_t n, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, limit, [&] { return bodies.size() >= n; });
  }
  void open_gate() {
    {
      std::lock_guard lock(mutex);
      gate_closed = false;
    }
    changed.notify_all();
  }
  std::vector<std::size_t> sizes() {
    std::lock_guard lock(mutex);
    return batch_sizes;
  }
};

struct FakeTransport : otlp::Transport {
  std::shared_ptr<Wire> wire;
  explicit FakeTransport(std::shared_ptr<Wire> w) : wire(std::move(w)) {}
  otlp::SendResult send(std::string_view body) override {
    std::unique_lock lock(wire->mutex);
    wire->bodies.emplace_back(body);
    wire->changed.notify_all();
    wire->changed.wait_for(lock, 5s, [&] { return !wire->gate_closed; });
    auto delay = wire->delay;
    otlp::SendResult r = wire->fallback;
    if (!wire->script.empty()) {
      r = wire->script.front();
      wire->script.pop_front();
    }
    lock.unlock();
    if (delay.count()) std::this_thread::sleep_for(delay);
    return r;
  }
};

// The body is the span names joined with ',' (so the test can read what each export carried).
Encoder recording_encoder(std::shared_ptr<Wire> wire) {
  return [wire](std::span<const trace::SpanData> spans, std::string& body) {
    {
      std::lock_guard lock(wire->mutex);
      wire->batch_sizes.push_back(spans.size());
    }
    body.clear();
    for (const auto& s : spans) body += (body.empty() ? "" : ",") + s.name;
  };
}

struct FakeRecorder : Recorder {
  std::mutex mutex;
  std::map<std::string, std::uint64_t, std::less<>> dropped;
  int exports_ok = 0, exports_failed = 0;

  void request_started(std::string_view) override {}
  void request_finished(const RequestOutcome&) override {}
  void tool_call(std::string_view, std::string_view, const ToolCallOutcome&) override {}
  void auth_keys_loaded(bool) override {}
  std::string exposition() override { return {}; }
  void spans_dropped(std::string_view reason, std::uint64_t count) override {
    std::lock_guard lock(mutex);
    dropped[std::string{reason}] += count;
  }
  void trace_export(bool ok) override {
    std::lock_guard lock(mutex);
    ++(ok ? exports_ok : exports_failed);
  }
  std::uint64_t drops(std::string_view reason) {
    std::lock_guard lock(mutex);
    auto it = dropped.find(reason);
    return it == dropped.end() ? 0 : it->second;
  }
  std::pair<int, int> exports() {
    std::lock_guard lock(mutex);
    return {exports_ok, exports_failed};
  }
};

trace::SpanData span(std::string name) {
  trace::SpanData s;
  s.trace_id = trace::new_trace_id();
  s.span_id = trace::new_span_id();
  s.name = std::move(name);
  return s;
}

otlp::SendResult retryable() {
  return {false, true, "collector said 503"};
}
otlp::SendResult permanent() {
  return {false, false, "collector said 400"};
}

BatchOptions options(std::size_t queue, std::size_t batch, std::chrono::milliseconds delay) {
  BatchOptions o;
  o.max_queue_size = queue;
  o.max_export_batch_size = batch;
  o.schedule_delay = delay;
  o.export_timeout = 2s;
  o.retry_backoff = 10ms;
  return o;
}

struct Fixture {
  std::shared_ptr<Wire> wire = std::make_shared<Wire>();
  FakeRecorder recorder;  // outlives the processor
  std::unique_ptr<BatchProcessor> processor;

  void start(BatchOptions o) {
    processor =
        std::make_unique<BatchProcessor>(o, recording_encoder(wire), std::make_unique<FakeTransport>(wire),
                                         &recorder, "http://collector.test:4318/v1/traces");
  }
  ~Fixture() {
    wire->open_gate();
    processor.reset();
  }
};

std::string names(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += (out.empty() ? "" : ",") + std::string{"s"} + std::to_string(i);
  return out;
}

}  // namespace

TEST_SUITE("telemetry/span_processor") {
  TEST_CASE("spans are exported in order, in batches of at most max_export_batch_size") {
    Fixture f;
    f.start(options(100, 4, 10s));
    for (int i = 0; i < 10; ++i) CHECK(f.processor->submit(span("s" + std::to_string(i))));
    f.processor->flush(2s);
    auto sizes = f.wire->sizes();
    REQUIRE(!sizes.empty());
    std::size_t total = 0;
    for (auto n : sizes) {
      CHECK(n >= 1);
      CHECK(n <= 4);
      total += n;
    }
    CHECK(total == 10);
    CHECK(sizes.size() >= 3);
    std::string all;
    {
      std::lock_guard lock(f.wire->mutex);
      for (const auto& b : f.wire->bodies) all += (all.empty() ? "" : ",") + b;
    }
    CHECK(all == names(0, 10));
    CHECK(f.processor->stats().exported == 10);
    CHECK(f.processor->stats().dropped == 0);
  }

  TEST_CASE("a full batch is exported without waiting for schedule_delay; a partial one waits") {
    Fixture f;
    f.start(options(100, 4, 10s));
    for (int i = 0; i < 3; ++i) f.processor->submit(span("s" + std::to_string(i)));
    CHECK_FALSE(f.wire->wait_sends(1, 300ms));  // 3 of 4: the exporter keeps waiting
    const auto t0 = Clock::now();
    f.processor->submit(span("s3"));
    REQUIRE(f.wire->wait_sends(1, 1500ms));
    CHECK(Clock::now() - t0 < 1s);
    CHECK(f.wire->sizes() == std::vector<std::size_t>{4});
  }

  TEST_CASE("schedule_delay exports a partial batch") {
    Fixture f;
    f.start(options(100, 512, 100ms));
    const auto t0 = Clock::now();
    for (int i = 0; i < 3; ++i) f.processor->submit(span("s" + std::to_string(i)));
    REQUIRE(f.wire->wait_sends(1, 2s));
    CHECK(Clock::now() - t0 < 1500ms);
    CHECK(f.wire->sizes() == std::vector<std::size_t>{3});
    std::lock_guard lock(f.wire->mutex);
    CHECK(f.wire->bodies[0] == "s0,s1,s2");
  }

  TEST_CASE("a full queue drops the span: submit returns false and the drop is counted as queue_full") {
    Fixture f;
    f.start(options(4, 4, 10s));
    f.wire->gate_closed = true;
    // The first four make a batch: the exporter takes them and blocks in send.
    for (int i = 0; i < 4; ++i) CHECK(f.processor->submit(span("s" + std::to_string(i))));
    REQUIRE(f.wire->wait_sends(1, 2s));
    // The queue fills again while the export hangs; two more do not fit.
    for (int i = 4; i < 8; ++i) CHECK(f.processor->submit(span("s" + std::to_string(i))));
    CHECK_FALSE(f.processor->submit(span("lost1")));
    CHECK_FALSE(f.processor->submit(span("lost2")));
    CHECK(f.processor->stats().dropped == 2);  // counted at once, on the caller's thread
    f.wire->open_gate();
    f.processor->flush(2s);
    CHECK(f.recorder.drops(span_drop::queue_full) == 2);
    CHECK(f.recorder.drops(span_drop::export_failed) == 0);
    auto stats = f.processor->stats();
    CHECK(stats.exported == 8);
    CHECK(stats.dropped == 2);
    std::lock_guard lock(f.wire->mutex);
    for (const auto& b : f.wire->bodies) CHECK(b.find("lost") == std::string::npos);
  }

  TEST_CASE("once flush() returns, the recorder has every queue_full drop") {
    // No gate: how many of the 12 fit depends on the exporter's timing, but the count must always agree.
    for (int round = 0; round < 30; ++round) {
      Fixture f;
      f.start(options(4, 4, 10s));
      std::uint64_t refused = 0;
      for (int i = 0; i < 12; ++i) refused += f.processor->submit(span("s" + std::to_string(i))) ? 0 : 1;
      f.processor->flush(2s);
      CHECK(f.recorder.drops(span_drop::queue_full) == refused);
      CHECK(f.processor->stats().dropped == refused);
      CHECK(f.processor->stats().exported == 12 - refused);
    }
  }

  TEST_CASE("a retryable failure is retried with the same body until it succeeds") {
    Fixture f;
    f.wire->script = {retryable(), retryable()};
    f.start(options(100, 512, 10s));
    f.processor->submit(span("a"));
    f.processor->submit(span("b"));
    f.processor->flush(2s);
    {
      std::lock_guard lock(f.wire->mutex);
      CHECK(f.wire->bodies == std::vector<std::string>{"a,b", "a,b", "a,b"});
      CHECK(f.wire->batch_sizes.size() == 1);  // encoded once
    }
    CHECK(f.recorder.exports() == std::pair{1, 2});
    CHECK(f.recorder.drops(span_drop::export_failed) == 0);
    CHECK(f.processor->stats().exported == 2);
    CHECK(f.processor->stats().dropped == 0);
  }

  TEST_CASE("a permanent failure is not retried: the spans are dropped as export_failed") {
    Fixture f;
    f.wire->script = {permanent()};
    f.start(options(100, 512, 10s));
    for (int i = 0; i < 3; ++i) f.processor->submit(span("s" + std::to_string(i)));
    f.processor->flush(2s);
    CHECK(f.wire->sends() == 1);
    CHECK(f.recorder.exports() == std::pair{0, 1});
    CHECK(f.recorder.drops(span_drop::export_failed) == 3);
    auto stats = f.processor->stats();
    CHECK(stats.exported == 0);
    CHECK(stats.dropped == 3);
    CHECK(stats.exports_failed == 1);
    // The next batch goes out normally.
    f.processor->submit(span("next"));
    f.processor->flush(2s);
    CHECK(f.wire->sends() == 2);
    CHECK(f.processor->stats().exported == 1);
  }

  TEST_CASE("retries stop at export_timeout: the batch is dropped as export_failed") {
    Fixture f;
    f.wire->fallback = retryable();
    auto o = options(100, 512, 10s);
    o.export_timeout = 300ms;
    o.retry_backoff = 20ms;
    f.start(o);
    f.processor->submit(span("a"));
    const auto t0 = Clock::now();
    f.processor->flush(2500ms);
    CHECK(Clock::now() - t0 < 1500ms);
    CHECK(f.wire->sends() >= 2);
    CHECK(f.recorder.drops(span_drop::export_failed) == 1);
    CHECK(f.processor->stats().dropped == 1);
    CHECK(f.processor->stats().exported == 0);
  }

  TEST_CASE("flush() returns once what was queued is exported") {
    Fixture f;
    f.wire->delay = 200ms;
    f.start(options(100, 512, 10s));
    f.processor->submit(span("a"));
    const auto t0 = Clock::now();
    f.processor->flush(2s);
    CHECK(Clock::now() - t0 >= 150ms);  // it waited for the slow send
    CHECK(Clock::now() - t0 < 1500ms);
    CHECK(f.wire->sends() == 1);
    CHECK(f.processor->stats().exported == 1);
    CHECK(f.recorder.exports() == std::pair{1, 0});
    // Nothing queued: returns at once.
    const auto t1 = Clock::now();
    f.processor->flush(2s);
    CHECK(Clock::now() - t1 < 100ms);
  }

  TEST_CASE("shutdown() exports what is queued, then refuses new spans") {
    Fixture f;
    f.start(options(100, 2, 10s));
    f.wire->gate_closed = true;  // hold the first batch so most spans are still queued at shutdown
    for (int i = 0; i < 5; ++i) f.processor->submit(span("s" + std::to_string(i)));
    REQUIRE(f.wire->wait_sends(1, 2s));
    std::thread release([&] {
      std::this_thread::sleep_for(50ms);
      f.wire->open_gate();
    });
    f.processor->shutdown(2s);
    release.join();
    auto stats = f.processor->stats();
    CHECK(stats.exported == 5);
    CHECK(stats.dropped == 0);
    CHECK(f.wire->sizes() == std::vector<std::size_t>{2, 2, 1});
    CHECK_FALSE(f.processor->submit(span("late")));
  }

  TEST_CASE("shutdown() with a collector that keeps failing returns within its timeout") {
    Fixture f;
    f.wire->fallback = retryable();
    f.wire->delay = 20ms;
    auto o = options(100, 2, 10s);
    o.export_timeout = 30s;
    o.retry_backoff = 100ms;
    f.start(o);
    for (int i = 0; i < 6; ++i) f.processor->submit(span("s" + std::to_string(i)));
    const auto t0 = Clock::now();
    f.processor->shutdown(300ms);
    CHECK(Clock::now() - t0 < 1500ms);
    auto stats = f.processor->stats();
    CHECK(stats.exported == 0);
    CHECK(stats.dropped == 6);
    CHECK(f.recorder.drops(span_drop::export_failed) + f.recorder.drops(span_drop::shutdown) == 6);
  }

  TEST_CASE("shutdown() cuts a retry backoff short: the batch is sent once more, then given up") {
    Fixture f;
    f.wire->fallback = retryable();
    auto o = options(100, 1, 10s);
    o.export_timeout = 30s;
    o.retry_backoff = 2s;
    f.start(o);
    f.processor->submit(span("a"));  // a full batch of one: exported at once
    REQUIRE(f.wire->wait_sends(1, 2s));
    const auto t0 = Clock::now();
    f.processor->shutdown(10s);
    CHECK(Clock::now() - t0 < 1500ms);  // not the 2 s backoff
    CHECK(f.wire->sends() == 2);        // not a burst of retries without backoff
    CHECK(f.recorder.drops(span_drop::export_failed) == 1);
    CHECK(f.processor->stats().dropped == 1);
  }

  TEST_CASE("a null recorder is fine") {
    auto wire = std::make_shared<Wire>();
    wire->script = {permanent()};
    BatchProcessor p(options(2, 2, 10s), recording_encoder(wire), std::make_unique<FakeTransport>(wire),
                     nullptr, "x");
    p.submit(span("a"));
    p.submit(span("b"));
    p.flush(2s);
    p.submit(span("c"));
    p.shutdown(1s);
    CHECK(p.stats().dropped == 2);
    CHECK(p.stats().exported == 1);
  }
}
