// The few fields of a chat completions body the gateway needs, read with simdjson On-Demand (no DOM),
// and byte-splicing edits of that body (strip the model's provider prefix, set or remove
// stream_options) so the rest of the body is forwarded untouched.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace igw::server {

// JSON's whitespace (RFC 8259): space, tab, line feed, carriage return.
inline bool is_json_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;  // one past the last byte
  bool empty() const { return begin == end; }
};

struct ChatFields {
  std::string model;  // unescaped; empty when absent
  bool has_model = false;
  bool stream = false;
  Span model_token;            // the model string token, quotes included
  Span stream_options_member;  // "stream_options": {...} (key to end of value); empty when absent
  Span stream_options_value;
  bool include_usage = false;   // stream_options.include_usage is true
  std::vector<std::string> offered_tools;  // tools[].function.name, in order
  std::size_t object_open = 0;  // offset of the top-level '{'
};

// Error: a short phrase for the debug log (the client gets "Failed to decode request").
// `body` must stay alive and unchanged while the result's spans are used.
std::expected<ChatFields, std::string> extract_chat_fields(std::string_view body);

enum class StreamOptionsEdit { keep, force_include_usage, remove };

// Applies the edits in one pass: the model token replaced by `upstream_model` when `replace_model`,
// then stream_options as asked. Returns the new body.
std::string rewrite_chat_body(std::string_view body, const ChatFields& fields, bool replace_model,
                              std::string_view upstream_model, StreamOptionsEdit edit);

}  // namespace igw::server
