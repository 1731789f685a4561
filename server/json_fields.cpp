#include "server/json_fields.hpp"

#include <algorithm>
#include <vector>

#include <simdjson.h>

#include "server/padded_json.hpp"

#include "telemetry/log.hpp"

namespace igw::server {
namespace {

namespace od = simdjson::ondemand;

std::size_t offset_of(std::string_view body, const char* p) {
  return static_cast<std::size_t>(p - body.data());
}

// The raw token of a scalar may carry trailing whitespace.
std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_json_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// Reads stream_options.include_usage from the object's raw text.
bool include_usage_of(std::string_view raw) {
  thread_local od::parser parser;  // not extract_chat_fields' parser: its document is still being read
  thread_local std::string scratch;
  auto doc = parser.iterate(padded_copy(raw, scratch));
  bool value = false;
  if (doc["include_usage"].get_bool().get(value) != simdjson::SUCCESS) return false;
  return value;
}

std::expected<void, std::string> read_field(std::string_view body, od::field& field, ChatFields& out) {
  // The raw key (escaped, after its opening quote): compared in place, and its position kept.
  od::raw_json_string key = field.key();
  od::value value = field.value();
  if (key.unsafe_is_equal("model")) {
    std::string_view raw = value.raw_json_token();
    std::string_view model;
    if (value.get_string().get(model) != simdjson::SUCCESS) return std::unexpected("model is not a string");
    raw = trim_right(raw);
    out.model = std::string{model};
    out.has_model = true;
    out.model_token = {offset_of(body, raw.data()), offset_of(body, raw.data()) + raw.size()};
  } else if (key.unsafe_is_equal("stream")) {
    bool s = false;
    if (value.is_null()) return {};
    if (value.get_bool().get(s) != simdjson::SUCCESS) return std::unexpected("stream is not a boolean");
    out.stream = s;
  } else if (key.unsafe_is_equal("tools")) {
    od::array tools;
    if (value.get_array().get(tools) != simdjson::SUCCESS) return {};  // the provider judges odd shapes
    for (auto t : tools) {
      std::string_view name;
      if (t["function"]["name"].get_string().get(name) == simdjson::SUCCESS) out.offered_tools.emplace_back(name);
    }
  } else if (key.unsafe_is_equal("stream_options")) {
    // The key's raw text starts after its opening quote.
    const char* key_begin = key.raw() - 1;
    std::string_view raw;
    od::object options;
    if (value.get_object().get(options) == simdjson::SUCCESS) {
      if (options.raw_json().get(raw) != simdjson::SUCCESS) return std::unexpected("bad stream_options");
    } else {
      raw = value.raw_json_token();  // null or a scalar: replaced or removed as a whole
    }
    raw = trim_right(raw);
    std::size_t vb = offset_of(body, raw.data());
    out.stream_options_value = {vb, vb + raw.size()};
    out.stream_options_member = {offset_of(body, key_begin), vb + raw.size()};
    out.include_usage = raw.starts_with('{') && include_usage_of(raw);
  }
  return {};
}

// Removes a member and one adjacent comma so the object stays valid.
Span member_with_comma(std::string_view body, Span member) {
  std::size_t e = member.end;
  while (e < body.size() && is_json_space(body[e])) ++e;
  if (e < body.size() && body[e] == ',') return {member.begin, e + 1};
  std::size_t b = member.begin;
  while (b > 0 && is_json_space(body[b - 1])) --b;
  if (b > 0 && body[b - 1] == ',') return {b - 1, member.end};
  return member;
}

struct Edit {
  Span span;
  std::string text;
};

}  // namespace

std::expected<ChatFields, std::string> extract_chat_fields(std::string_view body) {
  thread_local od::parser parser;
  thread_local std::string scratch;
  auto padded = padded_copy(body, scratch);
  // Offsets are taken in the padded copy, which has the same layout as body.
  std::string_view copy{padded.data(), padded.size()};
  od::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return std::unexpected("not JSON");
  od::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return std::unexpected("not a JSON object");
  ChatFields out;
  for (auto f : object) {
    od::field field;
    if (std::move(f).get(field) != simdjson::SUCCESS) return std::unexpected("malformed object");
    if (auto r = read_field(copy, field, out); !r) return std::unexpected(r.error());
  }
  out.object_open = copy.find('{');
  return out;
}

std::string rewrite_chat_body(std::string_view body, const ChatFields& fields, bool replace_model,
                              std::string_view upstream_model, StreamOptionsEdit edit) {
  std::vector<Edit> edits;
  if (replace_model && fields.has_model) {
    std::string token = "\"";
    telemetry::log::append_json_escaped(token, upstream_model);
    token += '"';
    edits.push_back({fields.model_token, std::move(token)});
  }
  bool has_options = !fields.stream_options_member.empty();
  if (edit == StreamOptionsEdit::remove && has_options) {
    edits.push_back({member_with_comma(body, fields.stream_options_member), ""});
  } else if (edit == StreamOptionsEdit::force_include_usage && !(has_options && fields.include_usage)) {
    if (has_options) {
      edits.push_back({fields.stream_options_value, R"({"include_usage":true})"});
    } else {
      // Inserted first in the object: a comma follows unless the object is empty.
      std::size_t at = fields.object_open + 1;
      std::size_t next = body.find_first_not_of(" \n\r\t", at);
      bool empty_object = next != std::string_view::npos && body[next] == '}';
      edits.push_back(
          {{at, at}, std::string{R"("stream_options":{"include_usage":true})"} + (empty_object ? "" : ",")});
    }
  }
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.span.begin < b.span.begin; });
  std::string out;
  out.reserve(body.size() + 48);
  std::size_t pos = 0;
  for (const auto& e : edits) {
    out.append(body.substr(pos, e.span.begin - pos));
    out += e.text;
    pos = e.span.end;
  }
  out.append(body.substr(pos));
  return out;
}

}  // namespace igw::server
