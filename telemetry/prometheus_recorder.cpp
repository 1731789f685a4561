// The Recorder behind `/metrics`: prometheus-cpp families registered from the catalog, and per-thread
// caches of label sets so a request takes no lock once its label set has been seen on its thread.
#include <atomic>
#include <charconv>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "telemetry/build_info.hpp"
#include "telemetry/catalog.hpp"
#include "telemetry/log.hpp"
#include "telemetry/process_stats.hpp"
#include "telemetry/recorder.hpp"

namespace igw::telemetry {
namespace {

using Values = std::initializer_list<std::string_view>;

// The cache key of a label set: the values, each followed by a unit separator.
void build_key(std::string& key, Values values) {
  key.clear();
  for (auto v : values) {
    key += v;
    key += '\x1f';
  }
}

// Folds client-supplied label values past a per-scope limit into "other" (warning once per scope).
class LabelCap {
 public:
  explicit LabelCap(std::size_t max) : max_(max) {}

  // True when value may be used as is; false when it must become "other".
  bool admit(std::string_view scope, std::string_view value, bool& first_overflow) {
    std::lock_guard lock(mutex_);
    auto& seen = seen_[std::string{scope}];
    if (seen.contains(std::string{value})) return true;
    if (seen.size() < max_) {
      seen.emplace(value);
      return true;
    }
    first_overflow = warned_.emplace(scope).second;
    return false;
  }

 private:
  std::size_t max_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_set<std::string>> seen_;
  std::unordered_set<std::string> warned_;
};

std::atomic<std::uint64_t> g_next_recorder_id{1};

class PrometheusRecorder final : public Recorder {
 public:
  explicit PrometheusRecorder(const RecorderOptions& options)
      : id_(g_next_recorder_id++), models_(options.max_models_per_provider),
        tools_(options.max_models_per_provider) {
    for (const auto& def : metrics())
      if (def.status == Status::implemented) register_family(def);
    const auto& b = build_info();
    gauge(Metric::target_info, {options.service.service_name, options.service.service_version,
                                options.service.deployment_environment})
        .Set(1);
    gauge(Metric::build_info, {b.version, b.revision, b.compiler}).Set(1);
    gauge(Metric::process_start_time_seconds, {}).Set(process_start_time_seconds());
  }

  void request_started(std::string_view provider) override { gauge(Metric::requests_in_flight, {provider}).Increment(); }

  void request_finished(const RequestOutcome& o) override {
    const std::string_view provider = o.provider.empty() ? kUnknownProvider : o.provider;
    bool first = false;
    Series& s = series_for(provider, o, first);
    s.requests->Increment();
    s.responses->Increment();
    s.duration->Observe(o.duration_ms);
    s.overhead->Observe(o.overhead_seconds);
    if (s.capped && !first) s.capped->Increment();  // the first one was counted when the cap decided
    if (o.has_usage) {
      if (!s.prompt) {
        s.prompt = &counter(Metric::usage_prompt_tokens, {provider, s.model});
        s.completion = &counter(Metric::usage_completion_tokens, {provider, s.model});
        s.total = &counter(Metric::usage_total_tokens, {provider, s.model});
      }
      s.prompt->Increment(static_cast<double>(o.prompt_tokens));
      s.completion->Increment(static_cast<double>(o.completion_tokens));
      s.total->Increment(static_cast<double>(o.total_tokens));
    }
    if (o.time_to_first_token) {
      if (!s.ttft) s.ttft = &histogram(Metric::time_to_first_token, {provider, s.model});
      s.ttft->Observe(*o.time_to_first_token);
    }
    for (const auto& call : o.tool_calls) record_tool_call(provider, s.model, call);
    if (!o.upstream_error_reason.empty())
      counter(Metric::upstream_errors_total, {provider, o.upstream_error_reason}).Increment();
    if (o.client_disconnected) counter(Metric::client_disconnects_total, {provider}).Increment();
    if (!o.internal_error.empty()) counter(Metric::internal_errors_total, {o.internal_error}).Increment();
    if (!o.auth_failure.empty()) counter(Metric::auth_failures_total, {o.auth_failure}).Increment();
    if (o.counted_in_flight) s.in_flight->Decrement();
  }

  void tool_call(std::string_view provider, std::string_view model, const ToolCallOutcome& call) override {
    record_tool_call(provider, capped_model(provider, model), call);
  }

  void tool_server_up(std::string_view tool_type, std::string_view server, bool up) override {
    gauge(Metric::tool_server_up, {tool_type, server}).Set(up ? 1 : 0);
  }

  void auth_keys_loaded(bool loaded) override { gauge(Metric::auth_keys_loaded, {}).Set(loaded ? 1 : 0); }

  void spans_dropped(std::string_view reason, std::uint64_t count) override {
    counter(Metric::spans_dropped_total, {reason}).Increment(static_cast<double>(count));
  }

  void trace_export(bool ok) override {
    counter(Metric::trace_exports_total, {ok ? export_outcome::success : export_outcome::failure}).Increment();
  }

  std::string exposition() override {
    update_process_metrics();
    auto families = registry_.Collect();
    std::string text = prometheus::TextSerializer{}.Serialize(families);
    // Families without series yet still announce themselves, so `metrics check` and scrapers see the
    // whole catalog from the first scrape.
    for (const auto& def : metrics()) {
      if (def.status != Status::implemented) continue;
      bool present = false;
      for (const auto& f : families) present = present || (f.name == def.name && !f.metric.empty());
      if (!present)
        text += "# HELP " + std::string{def.name} + " " + std::string{def.help} + "\n# TYPE " + std::string{def.name} +
                " " + std::string{to_string(def.type)} + "\n";
    }
    return text;
  }

 private:
  // Keys are looked up as views of a per-thread scratch string: no allocation once a label set is known.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using CacheMap = std::unordered_map<std::string, void*, KeyHash, std::equal_to<>>;
  struct ThreadCache {
    std::uint64_t recorder_id = 0;
    std::array<CacheMap, kMetricCount> by_metric;
  };

  void register_family(const MetricDef& def) {
    const std::string name{def.name};
    const std::string help{def.help};
    auto i = static_cast<std::size_t>(def.id);
    switch (def.type) {
      case MetricType::counter:
        families_[i] = &prometheus::BuildCounter().Name(name).Help(help).Register(registry_);
        break;
      case MetricType::gauge: families_[i] = &prometheus::BuildGauge().Name(name).Help(help).Register(registry_); break;
      case MetricType::histogram:
        families_[i] = &prometheus::BuildHistogram().Name(name).Help(help).Register(registry_);
        break;
    }
  }

  // The series one request touches, resolved once per thread and label set (provider, request type,
  // method, route, status, model): a request then costs one lookup instead of one per metric. Usage and
  // time-to-first-token series are resolved on first use, so no empty series appears early.
  struct Series {
    prometheus::Counter* requests = nullptr;
    prometheus::Counter* responses = nullptr;
    prometheus::Histogram* duration = nullptr;
    prometheus::Histogram* overhead = nullptr;
    prometheus::Gauge* in_flight = nullptr;
    prometheus::Counter* capped = nullptr;  // set when the model is recorded as "other"
    std::string_view model;                 // the model label value (points into `model_text`)
    std::string model_text;
    prometheus::Counter* prompt = nullptr;
    prometheus::Counter* completion = nullptr;
    prometheus::Counter* total = nullptr;
    prometheus::Histogram* ttft = nullptr;
  };

  Series& series_for(std::string_view provider, const RequestOutcome& o, bool& first) {
    thread_local std::uint64_t owner = 0;
    thread_local std::unordered_map<std::string, std::unique_ptr<Series>, KeyHash, std::equal_to<>> cache;
    thread_local std::string key;
    if (owner != id_) owner = id_, cache.clear();
    char status[16];
    auto [status_end, ec] = std::to_chars(status, status + sizeof status, o.status_code);
    (void)ec;
    const std::string_view status_text{status, static_cast<std::size_t>(status_end - status)};
    build_key(key, {provider, o.request_type, o.method, o.route, status_text, o.model});
    if (auto it = cache.find(std::string_view{key}); it != cache.end()) return *it->second;
    first = true;
    auto s = std::make_unique<Series>();
    const std::string_view model = capped_model(provider, o.model);
    s->model_text = std::string{model};
    s->model = s->model_text;
    if (model.data() != o.model.data()) s->capped = &counter(Metric::label_values_capped_total, {label::model});
    s->requests = &counter(Metric::requests_total, {provider, o.request_type});
    s->responses = &counter(Metric::responses_total, {provider, o.method, o.route, status_text});
    s->duration = &histogram(Metric::request_duration, {provider, o.method, o.route});
    s->overhead = &histogram(Metric::gateway_overhead, {provider});
    s->in_flight = &gauge(Metric::requests_in_flight, {provider});
    return *cache.emplace(key, std::move(s)).first->second;
  }

  // The metric of family m for these label values (in the catalog's label order), cached per thread.
  template <class T>
  T& lookup(Metric m, Values values) {
    thread_local ThreadCache cache;
    if (cache.recorder_id != id_) {
      cache.recorder_id = id_;
      for (auto& slot : cache.by_metric) slot.clear();
    }
    thread_local std::string key;
    build_key(key, values);
    auto& slot = cache.by_metric[static_cast<std::size_t>(m)];
    if (auto it = slot.find(std::string_view{key}); it != slot.end()) return *static_cast<T*>(it->second);
    const MetricDef& def = metric(m);
    prometheus::Labels labels;
    auto value = values.begin();
    for (auto name : def.labels) labels.emplace(std::string{name}, std::string{value != values.end() ? *value++ : ""});
    auto* family = static_cast<prometheus::Family<T>*>(families_[static_cast<std::size_t>(m)]);
    T* metric_ptr = nullptr;
    if constexpr (std::is_same_v<T, prometheus::Histogram>) {
      metric_ptr = &family->Add(labels, prometheus::Histogram::BucketBoundaries(def.buckets.begin(), def.buckets.end()));
    } else {
      metric_ptr = &family->Add(labels);
    }
    slot.emplace(key, metric_ptr);
    return *metric_ptr;
  }

  prometheus::Counter& counter(Metric m, Values v) { return lookup<prometheus::Counter>(m, v); }
  prometheus::Gauge& gauge(Metric m, Values v) { return lookup<prometheus::Gauge>(m, v); }
  prometheus::Histogram& histogram(Metric m, Values v) { return lookup<prometheus::Histogram>(m, v); }

  std::string_view capped(LabelCap& cap, std::string_view scope, std::string_view label_name, std::string_view value) {
    bool first_overflow = false;
    if (cap.admit(scope, value, first_overflow)) return value;
    counter(Metric::label_values_capped_total, {label_name}).Increment();
    if (first_overflow)
      log::warn(log::logger::telemetry, "label value limit reached; further values are recorded as \"other\"",
                {{"label", label_name}, {"scope", scope}});
    return kOtherLabelValue;
  }

  // Model names come from clients: each provider keeps at most max_models distinct values. The verdict
  // for a (provider, model) pair is cached per thread, so only a pair's first request takes the cap's lock.
  std::string_view capped_model(std::string_view provider, std::string_view model) {
    thread_local std::uint64_t owner = 0;
    thread_local std::unordered_map<std::string, bool, KeyHash, std::equal_to<>> folded;  // (provider, model) -> other?
    thread_local std::string key;
    if (owner != id_) owner = id_, folded.clear();
    build_key(key, {provider, model});
    if (auto it = folded.find(std::string_view{key}); it != folded.end()) {
      if (!it->second) return model;
      counter(Metric::label_values_capped_total, {label::model}).Increment();
      return kOtherLabelValue;
    }
    auto label = capped(models_, provider, label::model, model);
    folded.emplace(key, label.data() != model.data());
    return label;
  }

  void record_tool_call(std::string_view provider, std::string_view model, const ToolCallOutcome& call) {
    const std::string_view name = capped(tools_, call.tool_type, label::tool_name, call.name);
    counter(Metric::tool_calls_total, {provider, model, call.tool_type, name}).Increment();
    if (call.success)
      counter(Metric::tool_calls_success_total, {provider, model, call.tool_type, name}).Increment();
    else
      counter(Metric::tool_calls_failure_total, {provider, model, call.tool_type, name, call.error_type}).Increment();
    if (call.duration_ms) histogram(Metric::tool_call_duration, {provider, model, call.tool_type, name}).Observe(*call.duration_ms);
  }

  void update_process_metrics() {
    std::lock_guard lock(process_mutex_);
    ProcessStats s = read_process_stats();
    auto& cpu = counter(Metric::process_cpu_seconds_total, {});
    if (s.cpu_seconds > cpu_seen_) cpu.Increment(s.cpu_seconds - cpu_seen_), cpu_seen_ = s.cpu_seconds;
    gauge(Metric::process_resident_memory_bytes, {}).Set(s.resident_bytes);
    gauge(Metric::process_open_fds, {}).Set(s.open_fds);
  }

  std::uint64_t id_;
  prometheus::Registry registry_;
  std::array<void*, kMetricCount> families_{};
  LabelCap models_;
  LabelCap tools_;
  std::mutex process_mutex_;
  double cpu_seen_ = 0;
};

}  // namespace

std::unique_ptr<Recorder> make_prometheus_recorder(const RecorderOptions& options) {
  return std::make_unique<PrometheusRecorder>(options);
}

}  // namespace igw::telemetry
