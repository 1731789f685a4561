#include <doctest/doctest.h>

#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "telemetry/otlp_encode.hpp"

using namespace igw::telemetry;
using trace::SpanData;

namespace {

// ---- a minimal protobuf wire reader (independent of the encoder) -------------------------------

enum Wire : unsigned { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

struct PbField {
  unsigned number = 0;
  unsigned wire = 0;
  std::uint64_t value = 0;       // varint, fixed32, fixed64
  std::string_view bytes;        // length-delimited
  std::size_t encoded_size = 0;  // bytes the value took on the wire (varint length, 4, 8, or the payload)
};

std::uint64_t read_varint(std::string_view in, std::size_t& pos, std::size_t* used = nullptr) {
  std::uint64_t v = 0;
  const std::size_t start = pos;
  for (unsigned shift = 0;; shift += 7) {
    REQUIRE(pos < in.size());
    REQUIRE(shift < 64);
    auto b = static_cast<unsigned char>(in[pos++]);
    v |= std::uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) break;
  }
  if (used) *used = pos - start;
  return v;
}

std::uint64_t read_fixed(std::string_view in, std::size_t& pos, std::size_t n) {
  REQUIRE(pos + n <= in.size());
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[pos + i])} << (8 * i);
  pos += n;
  return v;
}

// Every field of one message, in order. Fails the test on a malformed message (all bytes must be used).
std::vector<PbField> parse(std::string_view in) {
  std::vector<PbField> out;
  std::size_t pos = 0;
  while (pos < in.size()) {
    PbField f;
    const std::uint64_t tag = read_varint(in, pos);
    f.number = static_cast<unsigned>(tag >> 3);
    f.wire = static_cast<unsigned>(tag & 7);
    REQUIRE(f.number > 0);
    switch (f.wire) {
      case varint:
        f.value = read_varint(in, pos, &f.encoded_size);
        break;
      case fixed64:
        f.value = read_fixed(in, pos, 8);
        f.encoded_size = 8;
        break;
      case fixed32:
        f.value = read_fixed(in, pos, 4);
        f.encoded_size = 4;
        break;
      case length_delimited: {
        const std::uint64_t n = read_varint(in, pos);
        REQUIRE(pos + n <= in.size());
        f.bytes = in.substr(pos, n);
        f.encoded_size = n;
        pos += n;
        break;
      }
      default:
        FAIL("unexpected wire type " << f.wire);
    }
    out.push_back(f);
  }
  return out;
}

std::vector<PbField> all(const std::vector<PbField>& msg, unsigned number) {
  std::vector<PbField> out;
  for (const auto& f : msg)
    if (f.number == number) out.push_back(f);
  return out;
}

bool has(const std::vector<PbField>& msg, unsigned number) {
  return !all(msg, number).empty();
}

// The one field `number` of `msg`, of wire type `wire`.
PbField one(const std::vector<PbField>& msg, unsigned number, unsigned wire) {
  auto found = all(msg, number);
  REQUIRE_MESSAGE(found.size() == 1, "field " << number);
  REQUIRE_MESSAGE(found[0].wire == wire, "field " << number);
  return found[0];
}

std::vector<PbField> sub(const std::vector<PbField>& msg, unsigned number) {
  return parse(one(msg, number, length_delimited).bytes);
}

std::string_view str(const std::vector<PbField>& msg, unsigned number) {
  return one(msg, number, length_delimited).bytes;
}

template <std::size_t N>
std::string_view raw(const std::array<std::uint8_t, N>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), N};
}

// ---- fixtures ----------------------------------------------------------------------------------

otlp::Resource resource() {
  return {{{"service.name", "igw-test"}, {"service.version", "1.2.3"}}};
}
otlp::Scope scope() {
  return {"igw", "9.9.9"};
}

SpanData root_span() {
  SpanData s;
  for (std::size_t i = 0; i < 16; ++i) s.trace_id.bytes[i] = static_cast<std::uint8_t>(0xa0 + i);
  for (std::size_t i = 0; i < 8; ++i) s.span_id.bytes[i] = static_cast<std::uint8_t>(0x10 + i);
  s.name = "POST /v1/chat/completions";
  s.kind = trace::SpanKind::server;
  s.start_unix_ns = 1'700'000'000'123'456'789ULL;
  s.end_unix_ns = 1'700'000'000'987'654'321ULL;
  s.attributes.push_back({trace::attr::http_request_method, std::string{"POST"}});
  s.attributes.push_back({trace::attr::http_response_status_code, std::int64_t{200}});
  return s;
}

SpanData child_span(const SpanData& parent) {
  SpanData s;
  s.trace_id = parent.trace_id;
  for (std::size_t i = 0; i < 8; ++i) s.span_id.bytes[i] = static_cast<std::uint8_t>(0x20 + i);
  s.parent_span_id = parent.span_id;
  s.parent_remote = true;
  s.trace_state = "congo=t61rcWkgMzE";
  s.name = "chat gpt-4o-mini";
  s.kind = trace::SpanKind::client;
  s.start_unix_ns = 1'700'000'000'200'000'000ULL;
  s.end_unix_ns = 1'700'000'000'900'000'000ULL;
  s.attributes.push_back({trace::attr::gen_ai_usage_input_tokens, std::int64_t{-5}});
  s.attributes.push_back({trace::attr::gen_ai_request_model, std::string{}});
  s.attributes.push_back({trace::attr::error_type, true});
  s.attributes.push_back({trace::attr::enduser_id, false});
  s.attributes.push_back({trace::attr::server_port, 0.5});
  s.status = trace::StatusCode::error;
  s.status_message = "upstream timed out";
  return s;
}

// The spans of a request with one ResourceSpans and one ScopeSpans, after checking that envelope.
// (The fields point into `body`, which must outlive them.)
std::vector<std::vector<PbField>> spans_of(const std::string& body) {
  auto request = parse(body);
  CHECK(request.size() == 1);  // resource_spans only
  auto resource_spans = sub(request, 1);
  auto scope_spans = sub(resource_spans, 2);
  std::vector<std::vector<PbField>> out;
  for (const auto& f : all(scope_spans, 2)) {
    REQUIRE(f.wire == length_delimited);
    out.push_back(parse(f.bytes));
  }
  return out;
}

std::vector<std::vector<PbField>> spans_of(std::string&&) = delete;

// The AnyValue of the attribute `key` in a list of KeyValue fields.
std::vector<PbField> attribute(const std::vector<PbField>& msg, unsigned number, std::string_view key) {
  for (const auto& f : all(msg, number)) {
    REQUIRE(f.wire == length_delimited);
    auto kv = parse(f.bytes);
    if (str(kv, 1) == key) return sub(kv, 2);
  }
  FAIL("no attribute " << key);
  return {};
}

double as_double(std::uint64_t bits) {
  return std::bit_cast<double>(bits);
}

}  // namespace

TEST_SUITE("telemetry/otlp_encode") {
  TEST_CASE("protobuf: resource and scope") {
    std::vector<SpanData> spans{root_span()};
    const auto body = otlp::encode_protobuf(resource(), scope(), spans);
    auto request = parse(body);
    REQUIRE(request.size() == 1);
    auto resource_spans = sub(request, 1);
    auto res = sub(resource_spans, 1);
    auto attrs = all(res, 1);
    REQUIRE(attrs.size() == 2);
    auto first = parse(attrs[0].bytes);
    CHECK(str(first, 1) == "service.name");
    CHECK(str(sub(first, 2), 1) == "igw-test");
    CHECK(str(attribute(res, 1, "service.version"), 1) == "1.2.3");

    auto scope_spans = sub(resource_spans, 2);
    auto sc = sub(scope_spans, 1);
    CHECK(str(sc, 1) == "igw");
    CHECK(str(sc, 2) == "9.9.9");
    CHECK(all(scope_spans, 2).size() == 1);
  }

  TEST_CASE("protobuf: a root span") {
    const SpanData s = root_span();
    std::vector<SpanData> spans{s};
    const auto body = otlp::encode_protobuf(resource(), scope(), spans);
    auto decoded = spans_of(body);
    REQUIRE(decoded.size() == 1);
    const auto& span = decoded[0];
    CHECK(str(span, 1) == raw(s.trace_id.bytes));
    CHECK(str(span, 2) == raw(s.span_id.bytes));
    CHECK_FALSE(has(span, 3));  // no trace_state
    CHECK_FALSE(has(span, 4));  // no parent
    CHECK(str(span, 5) == "POST /v1/chat/completions");
    CHECK(one(span, 6, varint).value == 2);  // SPAN_KIND_SERVER
    CHECK(one(span, 7, fixed64).value == s.start_unix_ns);
    CHECK(one(span, 8, fixed64).value == s.end_unix_ns);
    CHECK(all(span, 9).size() == 2);
    CHECK(str(attribute(span, 9, "http.request.method"), 1) == "POST");
    auto status_code = attribute(span, 9, "http.response.status_code");
    CHECK(one(status_code, 3, varint).value == 200);
    CHECK_FALSE(has(span, 15));  // status unset: omitted
    // Sampled, and the parent is known not to be remote (there is none).
    CHECK(one(span, 16, fixed32).value == (0x01u | 0x100u));
  }

  TEST_CASE("protobuf: a child span of a remote parent, with every attribute type and an error status") {
    const SpanData parent = root_span();
    const SpanData s = child_span(parent);
    std::vector<SpanData> spans{parent, s};
    const auto body = otlp::encode_protobuf(resource(), scope(), spans);
    auto decoded = spans_of(body);
    REQUIRE(decoded.size() == 2);
    const auto& span = decoded[1];
    CHECK(str(span, 1) == raw(parent.trace_id.bytes));
    CHECK(str(span, 2) == raw(s.span_id.bytes));
    CHECK(str(span, 3) == "congo=t61rcWkgMzE");
    CHECK(str(span, 4) == raw(parent.span_id.bytes));
    CHECK(str(span, 5) == "chat gpt-4o-mini");
    CHECK(one(span, 6, varint).value == 3);  // SPAN_KIND_CLIENT

    // A negative int64 is its two's complement as a 10-byte varint.
    auto tokens = one(attribute(span, 9, "gen_ai.usage.input_tokens"), 3, varint);
    CHECK(static_cast<std::int64_t>(tokens.value) == -5);
    CHECK(tokens.encoded_size == 10);
    // An empty string is still a string_value (the oneof says which type the value has).
    auto empty = attribute(span, 9, "gen_ai.request.model");
    REQUIRE(empty.size() == 1);
    CHECK(empty[0].number == 1);
    CHECK(empty[0].wire == length_delimited);
    CHECK(empty[0].bytes.empty());
    CHECK(one(attribute(span, 9, "error.type"), 2, varint).value == 1);
    CHECK(one(attribute(span, 9, "enduser.id"), 2, varint).value == 0);  // false is present too
    CHECK(as_double(one(attribute(span, 9, "server.port"), 4, fixed64).value) == 0.5);

    auto status = sub(span, 15);
    CHECK(str(status, 2) == "upstream timed out");
    CHECK(one(status, 3, varint).value == 2);  // STATUS_CODE_ERROR
    // Sampled, remoteness known, remote.
    CHECK(one(span, 16, fixed32).value == (0x01u | 0x100u | 0x200u));
  }

  TEST_CASE("protobuf: status ok without a message; an unsampled span's flags") {
    SpanData s = root_span();
    s.status = trace::StatusCode::ok;
    s.sampled = false;
    std::vector<SpanData> spans{s};
    const auto body = otlp::encode_protobuf(resource(), scope(), spans);
    auto decoded = spans_of(body);
    REQUIRE(decoded.size() == 1);
    auto status = sub(decoded[0], 15);
    CHECK_FALSE(has(status, 2));
    CHECK(one(status, 3, varint).value == 1);  // STATUS_CODE_OK
    CHECK(one(decoded[0], 16, fixed32).value == 0x100u);
  }

  TEST_CASE("protobuf: no spans still makes a well-formed request") {
    auto body = otlp::encode_protobuf(resource(), scope(), {});
    CHECK(spans_of(body).empty());
  }

  TEST_CASE("JSON: OTLP/JSON names, hex ids, int64 as strings, enums as integers") {
    const SpanData parent = root_span();
    const SpanData child = child_span(parent);
    std::vector<SpanData> spans{parent, child};
    auto j = nlohmann::json::parse(otlp::encode_json(resource(), scope(), spans));
    REQUIRE(j["resourceSpans"].size() == 1);
    const auto& rs = j["resourceSpans"][0];
    const auto& res_attrs = rs["resource"]["attributes"];
    REQUIRE(res_attrs.size() == 2);
    CHECK(res_attrs[0]["key"] == "service.name");
    CHECK(res_attrs[0]["value"]["stringValue"] == "igw-test");
    CHECK(res_attrs[1]["key"] == "service.version");
    REQUIRE(rs["scopeSpans"].size() == 1);
    const auto& ss = rs["scopeSpans"][0];
    CHECK(ss["scope"]["name"] == "igw");
    CHECK(ss["scope"]["version"] == "9.9.9");
    REQUIRE(ss["spans"].size() == 2);

    const auto& root = ss["spans"][0];
    CHECK(root["traceId"] == "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    CHECK(root["spanId"] == "1011121314151617");
    CHECK_FALSE(root.contains("parentSpanId"));
    CHECK_FALSE(root.contains("traceState"));
    CHECK_FALSE(root.contains("status"));
    CHECK(root["name"] == "POST /v1/chat/completions");
    CHECK(root["kind"].is_number_integer());
    CHECK(root["kind"] == 2);
    CHECK(root["startTimeUnixNano"] == "1700000000123456789");
    CHECK(root["endTimeUnixNano"] == "1700000000987654321");
    CHECK(root["flags"] == 0x101);
    CHECK(root["attributes"][0]["key"] == "http.request.method");
    CHECK(root["attributes"][0]["value"]["stringValue"] == "POST");
    CHECK(root["attributes"][1]["value"]["intValue"] == "200");

    const auto& c = ss["spans"][1];
    CHECK(c["parentSpanId"] == "1011121314151617");
    CHECK(c["spanId"] == "2021222324252627");
    CHECK(c["traceState"] == "congo=t61rcWkgMzE");
    CHECK(c["kind"] == 3);
    CHECK(c["flags"] == 0x301);
    const auto& a = c["attributes"];
    REQUIRE(a.size() == 5);
    CHECK(a[0]["key"] == "gen_ai.usage.input_tokens");
    CHECK(a[0]["value"]["intValue"] == "-5");
    CHECK(a[1]["value"]["stringValue"] == "");
    CHECK(a[2]["value"]["boolValue"] == true);
    CHECK(a[3]["value"]["boolValue"] == false);
    CHECK(a[4]["value"]["doubleValue"] == 0.5);
    CHECK(c["status"]["code"].is_number_integer());
    CHECK(c["status"]["code"] == 2);
    CHECK(c["status"]["message"] == "upstream timed out");
  }

  TEST_CASE("JSON: names and values are escaped") {
    SpanData s = root_span();
    s.name = "say \"hi\"\nthen \\ leave";
    s.attributes.push_back({trace::attr::url_path, std::string{"/a\"b\x01"}});
    std::vector<SpanData> spans{s};
    const auto body = otlp::encode_json({{{"k\"ey", "v\nal"}}}, {"ig\"w", "1\t2"}, spans);
    CHECK(body.find('\n') == std::string::npos);
    auto j = nlohmann::json::parse(body);
    const auto& span = j["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    CHECK(span["name"] == "say \"hi\"\nthen \\ leave");
    CHECK(span["attributes"][2]["value"]["stringValue"] == "/a\"b\x01");
    CHECK(j["resourceSpans"][0]["resource"]["attributes"][0]["key"] == "k\"ey");
    CHECK(j["resourceSpans"][0]["resource"]["attributes"][0]["value"]["stringValue"] == "v\nal");
    CHECK(j["resourceSpans"][0]["scopeSpans"][0]["scope"]["name"] == "ig\"w");
    CHECK(j["resourceSpans"][0]["scopeSpans"][0]["scope"]["version"] == "1\t2");
  }

  TEST_CASE("JSON: an ok status has a code and no message; no spans is an empty list") {
    SpanData s = root_span();
    s.status = trace::StatusCode::ok;
    std::vector<SpanData> spans{s};
    auto j = nlohmann::json::parse(otlp::encode_json(resource(), scope(), spans));
    const auto& status = j["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["status"];
    CHECK(status["code"] == 1);
    CHECK_FALSE(status.contains("message"));
    auto empty = nlohmann::json::parse(otlp::encode_json(resource(), scope(), {}));
    CHECK(empty["resourceSpans"][0]["scopeSpans"][0]["spans"].empty());
  }
}
