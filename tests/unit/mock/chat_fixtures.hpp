// Shared by the mock's format tests: a streaming chat request and the JSON of one SSE event.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "mock/chat.hpp"

namespace igw::mock::testing {

inline ChatRequest stream_request(bool usage = false) {
  ChatRequest r;
  r.model = "mock-gpt-4o";
  r.stream = true;
  r.include_usage = usage;
  r.prompt = {"he\"llo", "world"};
  r.last_user_text = "he\"llo world";
  r.prompt_tokens = 2;
  return r;
}

// The JSON after "data: " of one whole event.
inline nlohmann::json data_of(const std::string& event) {
  auto pos = event.find("data: ");
  REQUIRE(pos != std::string::npos);
  REQUIRE(event.ends_with("\n\n"));
  return nlohmann::json::parse(event.substr(pos + 6));
}

}  // namespace igw::mock::testing
