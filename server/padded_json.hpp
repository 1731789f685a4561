// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input: a view of `json` with that room,
// copied into a buffer the caller keeps per thread and reuses (a memcpy instead of an aligned allocation and
// its free for every document). Include only where simdjson is used.
#pragma once

#include <string>
#include <string_view>

#include <simdjson.h>

namespace igw::server {

inline simdjson::padded_string_view padded_copy(std::string_view json, std::string& scratch) {
  constexpr std::size_t kKeep = 1u << 20;  // a buffer grown by one huge document is not kept for ever
  if (scratch.capacity() > kKeep && json.size() < kKeep) std::string{}.swap(scratch);
  scratch.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  scratch.assign(json);
  return simdjson::padded_string_view(scratch.data(), scratch.size(), scratch.capacity());
}

}  // namespace igw::server
