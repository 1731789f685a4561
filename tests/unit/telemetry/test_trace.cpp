#include <doctest/doctest.h>

#include <set>
#include <string>
#include <thread>

#include "telemetry/trace.hpp"

using namespace igw::telemetry::trace;

namespace {

// The example of the W3C Trace Context recommendation.
constexpr std::string_view kTraceHex = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpanHex = "00f067aa0ba902b7";
const std::string kValid = "00-" + std::string{kTraceHex} + "-" + std::string{kSpanHex} + "-01";

std::string with_flags(std::string_view flags) {
  return "00-" + std::string{kTraceHex} + "-" + std::string{kSpanHex} + "-" + std::string{flags};
}

SpanContext parent(bool sampled) {
  SpanContext p;
  p.trace_id = new_trace_id();
  p.span_id = new_span_id();
  p.sampled = sampled;
  return p;
}

// The share of `n` fresh trace ids a sampler without a parent records.
double sampled_share(const Sampler& s, int n) {
  int yes = 0;
  for (int i = 0; i < n; ++i) yes += s.should_sample(std::nullopt, new_trace_id()) ? 1 : 0;
  return static_cast<double>(yes) / n;
}

}  // namespace

TEST_SUITE("telemetry/trace") {
  TEST_CASE("hex() is lowercase, two digits per byte, in byte order") {
    TraceId t;
    for (std::size_t i = 0; i < 16; ++i) t.bytes[i] = static_cast<std::uint8_t>(i * 17);  // 00 11 22 .. ff
    CHECK(t.hex() == "00112233445566778899aabbccddeeff");
    SpanId s;
    s.bytes = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x0a, 0xff};
    CHECK(s.hex() == "deadbeef00010aff");
    CHECK_FALSE(TraceId{}.valid());
    CHECK_FALSE(SpanId{}.valid());
    CHECK(TraceId{}.hex() == std::string(32, '0'));
    CHECK(t.valid());
    CHECK(s.valid());
  }

  TEST_CASE("a valid version 00 traceparent") {
    auto ctx = parse_traceparent(kValid);
    REQUIRE(ctx.has_value());
    CHECK(ctx->trace_id.hex() == kTraceHex);
    CHECK(ctx->span_id.hex() == kSpanHex);
    CHECK(ctx->sampled);
    CHECK(ctx->trace_state.empty());
  }

  TEST_CASE("the sampled flag is bit 0 of trace-flags; other bits do not matter") {
    CHECK_FALSE(parse_traceparent(with_flags("00"))->sampled);
    CHECK(parse_traceparent(with_flags("01"))->sampled);
    CHECK_FALSE(parse_traceparent(with_flags("02"))->sampled);
    CHECK(parse_traceparent(with_flags("03"))->sampled);
    CHECK(parse_traceparent(with_flags("ff"))->sampled);
    CHECK_FALSE(parse_traceparent(with_flags("fe"))->sampled);
    CHECK_FALSE(parse_traceparent(with_flags("0g")).has_value());
    CHECK_FALSE(parse_traceparent(with_flags("0A")).has_value());  // uppercase
  }

  TEST_CASE("uppercase hex is rejected") {
    CHECK_FALSE(parse_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").has_value());
    CHECK_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01").has_value());
    CHECK_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e473A-00f067aa0ba902b7-01").has_value());
    CHECK_FALSE(parse_traceparent("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").has_value());
  }

  TEST_CASE("an all-zero trace id or parent id is invalid") {
    CHECK_FALSE(parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01").has_value());
    CHECK_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01").has_value());
  }

  TEST_CASE("version ff is invalid; version 00 is exactly 55 characters") {
    CHECK_FALSE(parse_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").has_value());
    CHECK_FALSE(parse_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz").has_value());
    CHECK_FALSE(parse_traceparent(kValid + "-xyz").has_value());
    CHECK_FALSE(parse_traceparent(kValid + "-").has_value());
    CHECK_FALSE(parse_traceparent(kValid + "0").has_value());
    CHECK_FALSE(parse_traceparent(kValid + " ").has_value());
  }

  TEST_CASE("a future version is read as version 00, extra '-' fields ignored") {
    const std::string v01 = "01-" + std::string{kTraceHex} + "-" + std::string{kSpanHex} + "-01";
    auto exact = parse_traceparent(v01);
    REQUIRE(exact.has_value());
    CHECK(exact->trace_id.hex() == kTraceHex);
    auto extended = parse_traceparent(v01 + "-xyz");
    REQUIRE(extended.has_value());
    CHECK(extended->trace_id.hex() == kTraceHex);
    CHECK(extended->span_id.hex() == kSpanHex);
    CHECK(extended->sampled);
    auto cc =
        parse_traceparent("cc-" + std::string{kTraceHex} + "-" + std::string{kSpanHex} + "-00-what-ever");
    REQUIRE(cc.has_value());
    CHECK_FALSE(cc->sampled);
    // After the flags, a later version's next field must start with '-'.
    CHECK_FALSE(parse_traceparent(v01 + "xyz").has_value());
  }

  TEST_CASE("dashes in the wrong place, short and empty strings are invalid") {
    CHECK_FALSE(parse_traceparent("").has_value());
    CHECK_FALSE(parse_traceparent("00").has_value());
    CHECK_FALSE(parse_traceparent("00-").has_value());
    CHECK_FALSE(parse_traceparent(kValid.substr(0, 54)).has_value());
    CHECK_FALSE(parse_traceparent(kValid.substr(1)).has_value());
    // Each separator replaced.
    for (std::size_t pos : {2u, 35u, 52u}) {
      std::string bad = kValid;
      bad[pos] = '_';
      CHECK_MESSAGE(!parse_traceparent(bad).has_value(), bad);
    }
    // Separators shifted by one: a 31-digit trace id and a 17-digit parent id.
    CHECK_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01").has_value());
    // A 3-digit version.
    CHECK_FALSE(parse_traceparent("000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1").has_value());
    // A dash inside a field where a hex digit belongs.
    CHECK_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e-736-00f067aa0ba902b7-01").has_value());
  }

  TEST_CASE("tracestate is kept when plausible, dropped when too long or with control characters") {
    const std::string state = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
    auto kept = parse_traceparent(kValid, state);
    REQUIRE(kept.has_value());
    CHECK(kept->trace_state == state);

    std::string at_limit = "a=" + std::string(510, 'b');
    REQUIRE(at_limit.size() == 512);
    CHECK(parse_traceparent(kValid, at_limit)->trace_state == at_limit);

    // Dropped, but the traceparent itself is still honoured.
    auto too_long = parse_traceparent(kValid, at_limit + "b");
    REQUIRE(too_long.has_value());
    CHECK(too_long->trace_state.empty());
    CHECK(too_long->trace_id.hex() == kTraceHex);
    for (std::string_view bad :
         {std::string_view{"a=b\nc=d"}, std::string_view{"a=b\tc"}, std::string_view{"a=\x01"},
          std::string_view{"a=\x7f"}, std::string_view{"a=\xc3\xa9"}}) {
      auto ctx = parse_traceparent(kValid, bad);
      REQUIRE(ctx.has_value());
      CHECK_MESSAGE(ctx->trace_state.empty(), bad);
    }
    // A tracestate never rescues an invalid traceparent.
    CHECK_FALSE(parse_traceparent("garbage", state).has_value());
  }

  TEST_CASE("format_traceparent is the version 00 form parse_traceparent reads back") {
    TraceId t;
    for (std::size_t i = 0; i < 16; ++i) t.bytes[i] = static_cast<std::uint8_t>(i * 17);
    SpanId s;
    s.bytes = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x0a, 0xff};
    CHECK(format_traceparent(t, s, true) == "00-00112233445566778899aabbccddeeff-deadbeef00010aff-01");
    CHECK(format_traceparent(t, s, false) == "00-00112233445566778899aabbccddeeff-deadbeef00010aff-00");
    for (bool sampled : {true, false}) {
      auto trace = new_trace_id();
      auto span = new_span_id();
      auto text = format_traceparent(trace, span, sampled);
      CHECK(text.size() == 55);
      auto back = parse_traceparent(text);
      REQUIRE(back.has_value());
      CHECK(back->trace_id == trace);
      CHECK(back->span_id == span);
      CHECK(back->sampled == sampled);
    }
  }

  TEST_CASE("new ids are valid and distinct, also across threads") {
    std::set<std::string> traces, spans;
    for (int i = 0; i < 2000; ++i) {
      auto t = new_trace_id();
      auto s = new_span_id();
      CHECK(t.valid());
      CHECK(s.valid());
      traces.insert(t.hex());
      spans.insert(s.hex());
    }
    CHECK(traces.size() == 2000);
    CHECK(spans.size() == 2000);
    // Each thread has its own generator: two threads must not repeat each other's sequence.
    std::string a, b;
    std::thread ta([&] { a = new_trace_id().hex() + new_span_id().hex(); });
    std::thread tb([&] { b = new_trace_id().hex() + new_span_id().hex(); });
    ta.join();
    tb.join();
    CHECK(a != b);
    CHECK(traces.count(a.substr(0, 32)) == 0);
  }

  TEST_CASE("make_sampler: OTEL_TRACES_SAMPLER names") {
    struct Case {
      std::string_view name;
      SamplerKind kind;
    };
    for (auto [name, kind] :
         {Case{"always_on", SamplerKind::always_on}, Case{"always_off", SamplerKind::always_off},
          Case{"traceidratio", SamplerKind::traceidratio},
          Case{"parentbased_always_on", SamplerKind::parentbased_always_on},
          Case{"parentbased_always_off", SamplerKind::parentbased_always_off},
          Case{"parentbased_traceidratio", SamplerKind::parentbased_traceidratio}}) {
      auto s = make_sampler(name, "");
      REQUIRE_MESSAGE(s.has_value(), name);
      CHECK(s->kind == kind);
    }
    auto unknown = make_sampler("bogus", "");
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().find("bogus") != std::string::npos);
    CHECK_FALSE(make_sampler("", "").has_value());
    CHECK_FALSE(make_sampler("AlwaysOn", "").has_value());
    CHECK_FALSE(make_sampler("ALWAYS_ON", "").has_value());
  }

  TEST_CASE("make_sampler: the ratio argument") {
    CHECK(make_sampler("traceidratio", "0.25")->ratio == 0.25);
    CHECK(make_sampler("parentbased_traceidratio", "0")->ratio == 0.0);
    CHECK(make_sampler("traceidratio", "1")->ratio == 1.0);
    CHECK(make_sampler("traceidratio", "")->ratio == 1.0);  // the specification's default
    for (std::string_view bad : {"1.5", "-0.1", "x", "0.5x", "nan", "inf", "2"}) {
      auto s = make_sampler("traceidratio", bad);
      REQUIRE_FALSE_MESSAGE(s.has_value(), bad);
      CHECK(s.error().find(std::string{bad}) != std::string::npos);
      CHECK_FALSE(make_sampler("parentbased_traceidratio", bad).has_value());
    }
    // Samplers without an argument ignore it.
    CHECK(make_sampler("always_on", "garbage").has_value());
    CHECK(make_sampler("parentbased_always_off", "2").has_value());
  }

  TEST_CASE("always_on and always_off ignore the parent") {
    Sampler on{SamplerKind::always_on};
    Sampler off{SamplerKind::always_off};
    for (int i = 0; i < 20; ++i) {
      auto t = new_trace_id();
      CHECK(on.should_sample(std::nullopt, t));
      CHECK(on.should_sample(parent(false), t));
      CHECK_FALSE(off.should_sample(std::nullopt, t));
      CHECK_FALSE(off.should_sample(parent(true), t));
    }
  }

  TEST_CASE("parentbased samplers follow the parent's sampled flag, else their root sampler") {
    Sampler pb_on{SamplerKind::parentbased_always_on};
    Sampler pb_off{SamplerKind::parentbased_always_off};
    Sampler pb_none{SamplerKind::parentbased_traceidratio, 0.0};
    Sampler pb_all{SamplerKind::parentbased_traceidratio, 1.0};
    for (int i = 0; i < 20; ++i) {
      auto t = new_trace_id();
      CHECK(pb_on.should_sample(std::nullopt, t));
      CHECK(pb_on.should_sample(parent(true), t));
      CHECK_FALSE(pb_on.should_sample(parent(false), t));

      CHECK_FALSE(pb_off.should_sample(std::nullopt, t));
      CHECK(pb_off.should_sample(parent(true), t));
      CHECK_FALSE(pb_off.should_sample(parent(false), t));

      CHECK_FALSE(pb_none.should_sample(std::nullopt, t));
      CHECK(pb_none.should_sample(parent(true), t));
      CHECK(pb_all.should_sample(std::nullopt, t));
      CHECK_FALSE(pb_all.should_sample(parent(false), t));
    }
  }

  TEST_CASE("traceidratio: 0 never, 1 always, 0.25 about a quarter; the parent does not count") {
    CHECK(sampled_share(Sampler{SamplerKind::traceidratio, 0.0}, 2000) == 0.0);
    CHECK(sampled_share(Sampler{SamplerKind::traceidratio, 1.0}, 2000) == 1.0);
    // 10000 draws at p = 0.25: one standard deviation is 0.0043, so 0.2..0.3 is more than 11 of them.
    double quarter = sampled_share(Sampler{SamplerKind::traceidratio, 0.25}, 10000);
    CHECK(quarter > 0.2);
    CHECK(quarter < 0.3);
    double rooted = sampled_share(Sampler{SamplerKind::parentbased_traceidratio, 0.25}, 10000);
    CHECK(rooted > 0.2);
    CHECK(rooted < 0.3);
    // Not parent-based: a sampled parent does not force recording, an unsampled one does not prevent it.
    Sampler none{SamplerKind::traceidratio, 0.0};
    Sampler all{SamplerKind::traceidratio, 1.0};
    auto t = new_trace_id();
    CHECK_FALSE(none.should_sample(parent(true), t));
    CHECK(all.should_sample(parent(false), t));
  }

  TEST_CASE(
      "traceidratio decides from the trace id alone: same id, same answer; lower ratios sample a subset") {
    Sampler quarter{SamplerKind::traceidratio, 0.25};
    Sampler half{SamplerKind::traceidratio, 0.5};
    int differs_from_first = 0;
    bool first = false;
    for (int i = 0; i < 2000; ++i) {
      auto t = new_trace_id();
      bool a = quarter.should_sample(std::nullopt, t);
      if (i == 0) first = a;
      differs_from_first += a != first;
      CHECK(a == quarter.should_sample(std::nullopt, t));
      CHECK(a == quarter.should_sample(parent(!a), t));
      TraceId copy = t;
      CHECK(a == Sampler{SamplerKind::traceidratio, 0.25}.should_sample(std::nullopt, copy));
      if (a) CHECK(half.should_sample(std::nullopt, t));
    }
    CHECK(differs_from_first > 0);  // not one constant answer
  }
}
