#include "telemetry/otlp_encode.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "telemetry/log.hpp"

namespace igw::telemetry::otlp {
namespace {

using trace::Attribute;
using trace::AttributeValue;
using trace::SpanData;

// ---- protobuf -----------------------------------------------------------------------------------

enum Wire : unsigned { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

// Span.flags: the W3C trace flags in bits 0-7, then whether the parent's remoteness is known and is.
constexpr std::uint32_t kFlagHasIsRemote = 0x100;
constexpr std::uint32_t kFlagIsRemote = 0x200;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>(v | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_tag(std::string& out, unsigned field, Wire wire) { put_varint(out, std::uint64_t{field} << 3 | wire); }

template <typename T>
void put_fixed(std::string& out, T v) {
  static_assert(std::endian::native == std::endian::little, "protobuf fixed fields are little-endian");
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_bytes(std::string& out, unsigned field, const void* data, std::size_t size) {
  put_tag(out, field, length_delimited);
  put_varint(out, size);
  out.append(static_cast<const char*>(data), size);
}

void put_string(std::string& out, unsigned field, std::string_view s) {
  if (!s.empty()) put_bytes(out, field, s.data(), s.size());
}


// Sizes, so nested messages are written in place: their length first, then their fields, without a
// temporary buffer per message (a batch holds hundreds of spans of about ten attributes each).
std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::size_t tag_size(unsigned field, Wire wire) { return varint_size(std::uint64_t{field} << 3 | wire); }
std::size_t len_field_size(unsigned field, std::size_t len) {
  return tag_size(field, length_delimited) + varint_size(len) + len;
}
std::size_t string_field_size(unsigned field, std::string_view s) { return s.empty() ? 0 : len_field_size(field, s.size()); }

std::size_t any_value_size(const AttributeValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return len_field_size(1, s->size());
  if (std::holds_alternative<bool>(v)) return tag_size(2, varint) + 1;
  if (auto* i = std::get_if<std::int64_t>(&v)) return tag_size(3, varint) + varint_size(static_cast<std::uint64_t>(*i));
  return tag_size(4, fixed64) + 8;
}

std::size_t key_value_size(std::string_view key, const AttributeValue& value) {  // KeyValue, without its own tag
  return string_field_size(1, key) + len_field_size(2, any_value_size(value));
}

std::size_t status_size(const SpanData& s) {
  return string_field_size(2, s.status_message) + tag_size(3, varint) + varint_size(static_cast<std::uint64_t>(s.status));
}

std::size_t span_size(const SpanData& s) {  // Span, without its own tag
  std::size_t n = len_field_size(1, s.trace_id.bytes.size()) + len_field_size(2, s.span_id.bytes.size()) +
                  string_field_size(3, s.trace_state) + string_field_size(5, s.name) + tag_size(6, varint) +
                  varint_size(static_cast<std::uint64_t>(s.kind)) + tag_size(7, fixed64) + 8 + tag_size(8, fixed64) + 8 +
                  tag_size(16, fixed32) + 4;
  if (s.parent_span_id.valid()) n += len_field_size(4, s.parent_span_id.bytes.size());
  for (const auto& a : s.attributes) n += len_field_size(9, key_value_size(a.key, a.value));
  if (s.status != trace::StatusCode::unset) n += len_field_size(15, status_size(s));
  return n;
}

void put_any_value(std::string& out, const AttributeValue& v) {  // AnyValue
  if (auto* s = std::get_if<std::string>(&v)) {
    put_bytes(out, 1, s->data(), s->size());  // string_value (present even when empty)
  } else if (auto* b = std::get_if<bool>(&v)) {
    put_tag(out, 2, varint);
    put_varint(out, *b ? 1 : 0);
  } else if (auto* i = std::get_if<std::int64_t>(&v)) {
    put_tag(out, 3, varint);
    put_varint(out, static_cast<std::uint64_t>(*i));
  } else if (auto* d = std::get_if<double>(&v)) {
    put_tag(out, 4, fixed64);
    put_fixed(out, *d);
  }
}

void put_key_value(std::string& out, unsigned field, std::string_view key, const AttributeValue& value) {
  put_tag(out, field, length_delimited);
  put_varint(out, key_value_size(key, value));
  put_string(out, 1, key);
  put_tag(out, 2, length_delimited);
  put_varint(out, any_value_size(value));
  put_any_value(out, value);
}

void put_span(std::string& out, const SpanData& s) {  // Span, with its tag (ScopeSpans.spans = 2)
  put_tag(out, 2, length_delimited);
  put_varint(out, span_size(s));
  put_bytes(out, 1, s.trace_id.bytes.data(), s.trace_id.bytes.size());
  put_bytes(out, 2, s.span_id.bytes.data(), s.span_id.bytes.size());
  put_string(out, 3, s.trace_state);
  if (s.parent_span_id.valid()) put_bytes(out, 4, s.parent_span_id.bytes.data(), s.parent_span_id.bytes.size());
  put_string(out, 5, s.name);
  put_tag(out, 6, varint);
  put_varint(out, static_cast<std::uint64_t>(s.kind));
  put_tag(out, 7, fixed64);
  put_fixed(out, s.start_unix_ns);
  put_tag(out, 8, fixed64);
  put_fixed(out, s.end_unix_ns);
  for (const auto& a : s.attributes) put_key_value(out, 9, a.key, a.value);
  if (s.status != trace::StatusCode::unset) {
    put_tag(out, 15, length_delimited);
    put_varint(out, status_size(s));
    put_string(out, 2, s.status_message);
    put_tag(out, 3, varint);
    put_varint(out, static_cast<std::uint64_t>(s.status));
  }
  std::uint32_t flags = (s.sampled ? 1u : 0u) | kFlagHasIsRemote | (s.parent_remote ? kFlagIsRemote : 0u);
  put_tag(out, 16, fixed32);
  put_fixed(out, flags);
}

// ---- JSON ---------------------------------------------------------------------------------------

void json_string(std::string& out, std::string_view s) {
  out += '"';
  log::append_json_escaped(out, s);
  out += '"';
}

void json_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void json_any_value(std::string& out, const AttributeValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) {
    out += "{\"stringValue\":";
    json_string(out, *s);
  } else if (auto* b = std::get_if<bool>(&v)) {
    out += *b ? "{\"boolValue\":true" : "{\"boolValue\":false";
  } else if (auto* i = std::get_if<std::int64_t>(&v)) {
    // int64 is a JSON string in proto3's JSON mapping.
    out += "{\"intValue\":\"";
    out += std::to_string(*i);
    out += '"';
  } else if (auto* d = std::get_if<double>(&v)) {
    out += "{\"doubleValue\":";
    if (std::isnan(*d)) {
      out += "\"NaN\"";  // proto3's JSON mapping spells the non-finite doubles as strings
    } else if (std::isinf(*d)) {
      out += *d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    } else {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
      out.append(buf, end);
    }
  }
  out += '}';
}

template <typename Attributes>
void json_attributes(std::string& out, const Attributes& attributes) {
  out += "\"attributes\":[";
  bool first = true;
  for (const auto& [key, value] : attributes) {
    if (!first) out += ',';
    first = false;
    out += "{\"key\":";
    json_string(out, key);
    out += ",\"value\":";
    json_any_value(out, AttributeValue{value});
    out += '}';
  }
  out += ']';
}

void json_span(std::string& out, const SpanData& s) {
  out += "{\"traceId\":\"" + s.trace_id.hex() + "\",\"spanId\":\"" + s.span_id.hex() + '"';
  if (!s.trace_state.empty()) {
    out += ",\"traceState\":";
    json_string(out, s.trace_state);
  }
  if (s.parent_span_id.valid()) out += ",\"parentSpanId\":\"" + s.parent_span_id.hex() + '"';
  std::uint32_t flags = (s.sampled ? 1u : 0u) | kFlagHasIsRemote | (s.parent_remote ? kFlagIsRemote : 0u);
  out += ",\"flags\":";
  json_number(out, flags);
  out += ",\"name\":";
  json_string(out, s.name);
  out += ",\"kind\":";
  json_number(out, static_cast<std::uint64_t>(s.kind));
  out += ",\"startTimeUnixNano\":\"";
  json_number(out, s.start_unix_ns);
  out += "\",\"endTimeUnixNano\":\"";
  json_number(out, s.end_unix_ns);
  out += "\",";
  std::vector<std::pair<std::string_view, const AttributeValue&>> attrs;
  for (const Attribute& a : s.attributes) attrs.emplace_back(a.key, a.value);
  json_attributes(out, attrs);
  if (s.status != trace::StatusCode::unset) {
    out += ",\"status\":{";
    if (!s.status_message.empty()) {
      out += "\"message\":";
      json_string(out, s.status_message);
      out += ',';
    }
    out += "\"code\":";
    json_number(out, static_cast<std::uint64_t>(s.status));
    out += '}';
  }
  out += '}';
}

}  // namespace

std::string encode_protobuf(const Resource& resource, const Scope& scope, std::span<const SpanData> spans) {
  std::string out;
  encode_protobuf(resource, scope, spans, out);
  return out;
}

void encode_protobuf(const Resource& resource, const Scope& scope, std::span<const SpanData> spans, std::string& out) {
  std::size_t resource_size = 0;
  for (const auto& [k, v] : resource.attributes) resource_size += len_field_size(1, key_value_size(k, AttributeValue{v}));
  const std::size_t scope_size = string_field_size(1, scope.name) + string_field_size(2, scope.version);
  std::size_t scope_spans_size = len_field_size(1, scope_size);
  for (const auto& s : spans) scope_spans_size += len_field_size(2, span_size(s));
  const std::size_t resource_spans_size = len_field_size(1, resource_size) + len_field_size(2, scope_spans_size);

  out.clear();
  out.reserve(len_field_size(1, resource_spans_size));
  put_tag(out, 1, length_delimited);  // ExportTraceServiceRequest.resource_spans
  put_varint(out, resource_spans_size);
  put_tag(out, 1, length_delimited);  // ResourceSpans.resource
  put_varint(out, resource_size);
  for (const auto& [k, v] : resource.attributes) put_key_value(out, 1, k, AttributeValue{v});
  put_tag(out, 2, length_delimited);  // ResourceSpans.scope_spans
  put_varint(out, scope_spans_size);
  put_tag(out, 1, length_delimited);  // ScopeSpans.scope
  put_varint(out, scope_size);
  put_string(out, 1, scope.name);
  put_string(out, 2, scope.version);
  for (const auto& s : spans) put_span(out, s);
}

std::string encode_json(const Resource& resource, const Scope& scope, std::span<const SpanData> spans) {
  std::string out;
  encode_json(resource, scope, spans, out);
  return out;
}

void encode_json(const Resource& resource, const Scope& scope, std::span<const SpanData> spans, std::string& out) {
  out = "{\"resourceSpans\":[{\"resource\":{";
  json_attributes(out, resource.attributes);
  out += "},\"scopeSpans\":[{\"scope\":{\"name\":";
  json_string(out, scope.name);
  out += ",\"version\":";
  json_string(out, scope.version);
  out += "},\"spans\":[";
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i) out += ',';
    json_span(out, spans[i]);
  }
  out += "]}]}]}";
}

}  // namespace igw::telemetry::otlp
