// The batch span processor: the data plane hands finished spans over without waiting (a short lock and a
// move; a full queue drops the span and counts it), and one exporter thread sends them to the collector in
// batches. A dead or slow collector only costs dropped spans, counted and logged at most once a minute.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/otlp_transport.hpp"
#include "telemetry/recorder.hpp"
#include "telemetry/trace.hpp"

namespace igw::telemetry {

// OTEL_BSP_* settings.
struct BatchOptions {
  std::size_t max_queue_size = 2048;
  std::size_t max_export_batch_size = 512;
  std::chrono::milliseconds schedule_delay{5000};
  std::chrono::milliseconds export_timeout{30000};  // one export, its retries included
  std::chrono::milliseconds retry_backoff{200};     // first wait before retrying a retryable failure
  std::chrono::seconds log_interval{60};            // at most one warn line per interval about losses
};

// Writes the export request for a batch into `body` (replacing what it held; its capacity is reused).
using Encoder = std::function<void(std::span<const trace::SpanData>, std::string& body)>;

class BatchProcessor {
 public:
  // `recorder` may be null; `endpoint` names the collector in log lines.
  BatchProcessor(BatchOptions options, Encoder encode, std::unique_ptr<otlp::Transport> transport,
                 Recorder* recorder, std::string endpoint);
  ~BatchProcessor();  // shutdown() with the export timeout
  BatchProcessor(const BatchProcessor&) = delete;
  BatchProcessor& operator=(const BatchProcessor&) = delete;

  // Any thread; never blocks on the collector. False when the span was dropped (queue full).
  bool submit(trace::SpanData&& span);
  // Exports everything queued so far and waits for it, up to `timeout`.
  void flush(std::chrono::milliseconds timeout);
  // Exports what is queued (within `timeout`; the rest is dropped as "shutdown") and stops the thread.
  void shutdown(std::chrono::milliseconds timeout);

  struct Stats {
    std::uint64_t exported = 0;       // spans the collector accepted
    std::uint64_t dropped = 0;        // every reason
    std::uint64_t exports_failed = 0; // export attempts that failed (a retried batch counts each attempt)
  };
  Stats stats() const;

 private:
  void run();
  void export_batch(std::vector<trace::SpanData>& batch);
  void account_drops(bool force_log);

  BatchOptions options_;
  Encoder encode_;
  std::unique_ptr<otlp::Transport> transport_;
  Recorder* recorder_;
  std::string endpoint_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;       // the exporter: a full batch, a flush or the stop
  std::condition_variable flushed_;    // flush() callers
  std::vector<trace::SpanData> queue_;
  std::uint64_t submitted_ = 0;        // spans accepted into the queue, ever
  std::uint64_t done_ = 0;             // of those, exported or dropped
  std::uint64_t flush_target_ = 0;     // a flush asked for everything up to here
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_{};

  std::atomic<std::uint64_t> dropped_full_{0};  // counted on the data plane, reported by the exporter
  std::uint64_t dropped_full_reported_ = 0;
  std::atomic<std::uint64_t> exported_{0}, dropped_{0}, exports_failed_{0};  // dropped_: export_failed, shutdown

  // Losses not yet logged (exporter thread only).
  std::uint64_t unlogged_dropped_ = 0;
  std::string last_error_;
  std::chrono::steady_clock::time_point last_log_{};
  bool logged_once_ = false;

  std::string body_;  // the export request being sent (exporter thread); kept to reuse its buffer
  std::thread thread_;
};

}  // namespace igw::telemetry
