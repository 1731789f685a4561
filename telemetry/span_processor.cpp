#include "telemetry/span_processor.hpp"

#include <algorithm>

#include "telemetry/catalog.hpp"
#include "telemetry/log.hpp"

namespace igw::telemetry {

namespace lg = log;
using Clock = std::chrono::steady_clock;

BatchProcessor::BatchProcessor(BatchOptions options, Encoder encode, std::unique_ptr<otlp::Transport> transport,
                               Recorder* recorder, std::string endpoint)
    : options_(options), encode_(std::move(encode)), transport_(std::move(transport)), recorder_(recorder),
      endpoint_(std::move(endpoint)) {
  options_.max_queue_size = std::max<std::size_t>(options_.max_queue_size, 1);
  options_.max_export_batch_size = std::clamp<std::size_t>(options_.max_export_batch_size, 1, options_.max_queue_size);
  queue_.reserve(options_.max_queue_size);
  thread_ = std::thread([this] { run(); });
}

BatchProcessor::~BatchProcessor() { shutdown(options_.export_timeout); }

bool BatchProcessor::submit(trace::SpanData&& span) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.max_queue_size) {
      dropped_full_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(span));
    ++submitted_;
    // Only the span that completes a batch wakes the exporter: no futex call per span.
    wake = queue_.size() == options_.max_export_batch_size;
  }
  if (wake) wake_.notify_one();
  return true;
}

void BatchProcessor::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  flush_target_ = submitted_;
  wake_.notify_one();
  flushed_.wait_for(lock, timeout, [&] { return done_ >= flush_target_; });
}

void BatchProcessor::shutdown(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = Clock::now() + timeout;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

BatchProcessor::Stats BatchProcessor::stats() const {
  return {exported_.load(), dropped_.load() + dropped_full_.load(), exports_failed_.load()};
}

void BatchProcessor::run() {
  std::vector<trace::SpanData> batch;
  batch.reserve(options_.max_queue_size);  // batch and queue swap buffers: both hold a full queue
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.schedule_delay, [&] {
        return stopping_ || queue_.size() >= options_.max_export_batch_size ||
               (flush_target_ > done_ && !queue_.empty());
      });
      stopping = stopping_;
      if (stopping && queue_.empty()) break;
      if (queue_.size() <= options_.max_export_batch_size) {
        batch.swap(queue_);  // the usual case: take everything, and leave the emptied buffer to the queue
      } else {
        const auto n = static_cast<std::ptrdiff_t>(options_.max_export_batch_size);
        std::move(queue_.begin(), queue_.begin() + n, std::back_inserter(batch));
        queue_.erase(queue_.begin(), queue_.begin() + n);
      }
    }
    if (!batch.empty()) {
      if (stopping && Clock::now() >= stop_deadline_) {
        dropped_ += batch.size();
        unlogged_dropped_ += batch.size();
        if (recorder_) recorder_->spans_dropped(span_drop::shutdown, batch.size());
      } else {
        export_batch(batch);
      }
    }
    // Before the batch counts as done: a flush() that returns has had every queue_full drop reported.
    account_drops(false);
    if (!batch.empty()) {
      {
        std::lock_guard lock(mutex_);
        done_ += batch.size();
      }
      flushed_.notify_all();
      batch.clear();
    }
  }
  account_drops(true);
  flushed_.notify_all();
}

void BatchProcessor::export_batch(std::vector<trace::SpanData>& batch) {
  encode_(batch, body_);
  const std::string& body = body_;
  auto deadline = Clock::now() + options_.export_timeout;
  auto backoff = options_.retry_backoff;
  bool last_try = false;  // a shutdown cut the backoff short
  for (;;) {
    auto result = transport_->send(body);
    if (recorder_) recorder_->trace_export(result.ok);
    if (result.ok) {
      exported_ += batch.size();
      return;
    }
    ++exports_failed_;
    last_error_ = result.error;
    if (!result.retryable || last_try) break;
    std::unique_lock lock(mutex_);
    const auto limit = stopping_ ? std::min(deadline, stop_deadline_) : deadline;
    if (Clock::now() + backoff >= limit) break;
    // A shutdown cuts the wait short: what is left is sent once more, then given up.
    if (wake_.wait_for(lock, backoff, [&] { return stopping_; })) {
      if (Clock::now() >= stop_deadline_) break;
      last_try = true;
    }
    backoff *= 2;
  }
  dropped_ += batch.size();
  unlogged_dropped_ += batch.size();
  if (recorder_) recorder_->spans_dropped(span_drop::export_failed, batch.size());
}

void BatchProcessor::account_drops(bool force_log) {
  const std::uint64_t full = dropped_full_.load(std::memory_order_relaxed);
  if (full > dropped_full_reported_) {
    const std::uint64_t n = full - dropped_full_reported_;
    dropped_full_reported_ = full;
    unlogged_dropped_ += n;
    if (recorder_) recorder_->spans_dropped(span_drop::queue_full, n);
    if (last_error_.empty()) last_error_ = "the span queue was full (" + std::to_string(options_.max_queue_size) + " spans)";
  }
  if (unlogged_dropped_ == 0) return;
  const auto now = Clock::now();
  if (!force_log && logged_once_ && now - last_log_ < options_.log_interval) return;
  lg::warn(lg::logger::telemetry, "trace spans dropped",
           {{"dropped_spans", unlogged_dropped_}, {lg::field::url, endpoint_}, {lg::field::error, last_error_}});
  unlogged_dropped_ = 0;
  last_log_ = now;
  logged_once_ = true;
}

}  // namespace igw::telemetry
