#include "telemetry/trace.hpp"

#include <chrono>
#include <charconv>
#include <random>

namespace igw::telemetry::trace {
namespace {

constexpr char kHex[] = "0123456789abcdef";

template <std::size_t N>
bool any_set(const std::array<std::uint8_t, N>& bytes) {
  for (auto b : bytes)
    if (b != 0) return true;
  return false;
}

template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& bytes) {
  std::string out(2 * N, '0');
  for (std::size_t i = 0; i < N; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

int hex_digit(char c) {  // lowercase only, as W3C trace context requires
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <std::size_t N>
bool from_hex(std::string_view text, std::array<std::uint8_t, N>& out) {
  if (text.size() != 2 * N) return false;
  for (std::size_t i = 0; i < N; ++i) {
    int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::mt19937_64& generator() {
  thread_local std::mt19937_64 gen{[] {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) ^ rd();
  }()};
  return gen;
}

template <std::size_t N>
void fill_random(std::array<std::uint8_t, N>& bytes) {
  do {
    for (std::size_t i = 0; i < N; i += 8) {
      std::uint64_t r = generator()();
      for (std::size_t j = 0; j < 8 && i + j < N; ++j) bytes[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
    }
  } while (!any_set(bytes));
}

// tracestate: list-members of printable ASCII, at most 512 bytes (W3C's limit for what must be kept).
bool plausible_trace_state(std::string_view s) {
  if (s.size() > 512) return false;
  for (char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

bool sample_ratio(double ratio, const TraceId& trace) {
  if (ratio >= 1.0) return true;
  if (ratio <= 0.0) return false;
  // The trace id's last 8 bytes are random in every W3C-conformant id: compare them with the ratio.
  std::uint64_t x = 0;
  for (std::size_t i = 8; i < 16; ++i) x = x << 8 | trace.bytes[i];
  x >>= 1;
  return static_cast<double>(x) < ratio * 9223372036854775808.0;
}

}  // namespace

bool TraceId::valid() const { return any_set(bytes); }
std::string TraceId::hex() const { return to_hex(bytes); }
bool SpanId::valid() const { return any_set(bytes); }
std::string SpanId::hex() const { return to_hex(bytes); }

TraceId new_trace_id() {
  TraceId id;
  fill_random(id.bytes);
  return id;
}

SpanId new_span_id() {
  SpanId id;
  fill_random(id.bytes);
  return id;
}

std::optional<SpanContext> parse_traceparent(std::string_view tp, std::string_view tracestate) {
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 = 55 characters.
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return std::nullopt;
  std::array<std::uint8_t, 1> version{}, flags{};
  if (!from_hex(tp.substr(0, 2), version) || version[0] == 0xff) return std::nullopt;
  // Version 00 is exactly 55 characters; a later version may add fields after another '-'.
  if (version[0] == 0 ? tp.size() != 55 : (tp.size() > 55 && tp[55] != '-')) return std::nullopt;
  SpanContext ctx;
  if (!from_hex(tp.substr(3, 32), ctx.trace_id.bytes) || !from_hex(tp.substr(36, 16), ctx.span_id.bytes) ||
      !from_hex(tp.substr(53, 2), flags))
    return std::nullopt;
  if (!ctx.trace_id.valid() || !ctx.span_id.valid()) return std::nullopt;
  ctx.sampled = (flags[0] & 1) != 0;
  if (plausible_trace_state(tracestate)) ctx.trace_state = std::string{tracestate};
  return ctx;
}

std::string format_traceparent(const TraceId& trace, const SpanId& span, bool sampled) {
  std::string out;
  out.reserve(55);
  out += "00-";
  out += trace.hex();
  out += '-';
  out += span.hex();
  out += sampled ? "-01" : "-00";
  return out;
}

bool Sampler::should_sample(const std::optional<SpanContext>& parent, const TraceId& trace) const {
  switch (kind) {
    case SamplerKind::always_on: return true;
    case SamplerKind::always_off: return false;
    case SamplerKind::traceidratio: return sample_ratio(ratio, trace);
    case SamplerKind::parentbased_always_on: return parent ? parent->sampled : true;
    case SamplerKind::parentbased_always_off: return parent ? parent->sampled : false;
    case SamplerKind::parentbased_traceidratio: return parent ? parent->sampled : sample_ratio(ratio, trace);
  }
  return true;
}

std::expected<Sampler, std::string> make_sampler(std::string_view name, std::string_view arg) {
  Sampler s;
  struct Named {
    std::string_view name;
    SamplerKind kind;
  };
  static constexpr Named kNames[] = {
      {"always_on", SamplerKind::always_on},
      {"always_off", SamplerKind::always_off},
      {"traceidratio", SamplerKind::traceidratio},
      {"parentbased_always_on", SamplerKind::parentbased_always_on},
      {"parentbased_always_off", SamplerKind::parentbased_always_off},
      {"parentbased_traceidratio", SamplerKind::parentbased_traceidratio},
  };
  bool found = false;
  for (const auto& n : kNames) {
    if (n.name == name) {
      s.kind = n.kind;
      found = true;
    }
  }
  if (!found) return std::unexpected("unknown sampler \"" + std::string{name} + "\"");
  if (s.kind != SamplerKind::traceidratio && s.kind != SamplerKind::parentbased_traceidratio) return s;
  while (!arg.empty() && (arg.front() == ' ' || arg.front() == '\t')) arg.remove_prefix(1);
  while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\t')) arg.remove_suffix(1);
  if (arg.empty()) return s;  // the ratio defaults to 1.0
  double ratio = -1;
  auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), ratio);
  if (ec != std::errc{} || ptr != arg.data() + arg.size() || !(ratio >= 0.0 && ratio <= 1.0))
    return std::unexpected("sampler ratio \"" + std::string{arg} + "\" is not a number from 0 to 1");
  s.ratio = ratio;
  return s;
}

std::uint64_t unix_now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace igw::telemetry::trace
