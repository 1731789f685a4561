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

// A nested message: written into `scratch`, then appended with its length.
template <typename Fill>
void put_message(std::string& out, unsigned field, Fill&& fill) {
  std::string body;
  fill(body);
  put_bytes(out, field, body.data(), body.size());
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
  put_message(out, field, [&](std::string& kv) {
    put_string(kv, 1, key);
    put_message(kv, 2, [&](std::string& any) { put_any_value(any, value); });
  });
}

void put_span(std::string& out, const SpanData& s) {
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
    put_message(out, 15, [&](std::string& st) {
      put_string(st, 2, s.status_message);
      put_tag(st, 3, varint);
      put_varint(st, static_cast<std::uint64_t>(s.status));
    });
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
  put_message(out, 1, [&](std::string& rs) {  // ExportTraceServiceRequest.resource_spans
    put_message(rs, 1, [&](std::string& res) {  // ResourceSpans.resource
      for (const auto& [k, v] : resource.attributes) put_key_value(res, 1, k, AttributeValue{v});
    });
    put_message(rs, 2, [&](std::string& ss) {  // ResourceSpans.scope_spans
      put_message(ss, 1, [&](std::string& sc) {  // ScopeSpans.scope
        put_string(sc, 1, scope.name);
        put_string(sc, 2, scope.version);
      });
      for (const auto& s : spans) put_message(ss, 2, [&](std::string& sp) { put_span(sp, s); });
    });
  });
  return out;
}

std::string encode_json(const Resource& resource, const Scope& scope, std::span<const SpanData> spans) {
  std::string out = "{\"resourceSpans\":[{\"resource\":{";
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
  return out;
}

}  // namespace igw::telemetry::otlp
