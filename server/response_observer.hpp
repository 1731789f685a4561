// Usage and tool calls picked out of OpenAI-shaped responses as they pass: a whole JSON body, or the
// chunks of a stream (cheaply skipping chunks that hold neither).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace igw::server {

// The text of the top-level "usage" object when it is the last member with an object value, followed at
// most by members with scalar values (OpenAI's answers end `"usage":{...},"service_tier":"default",
// "system_fingerprint":"fp_..."}`); empty for any other shape. Read backwards from the end, so the rest of
// the answer is not looked at (the observer then parses just this object instead of the whole answer).
std::string_view trailing_usage_object(std::string_view json);

struct Usage {
  bool present = false;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total_tokens = 0;
};

struct ToolCall {
  std::int64_t index = 0;
  std::string id;
  std::string name;
  std::string arguments;  // JSON text, concatenated from stream deltas
};

// What a response told us about usage and tool calls, from either a full JSON body or stream chunks.
class ResponseObserver {
 public:
  // A non-streaming chat completion body.
  void observe_body(std::string_view json);
  // One chunk of a stream (the data of an event). Cheap when the chunk holds neither usage nor tool calls.
  void observe_chunk(std::string_view json);

  const Usage& usage() const { return usage_; }
  const std::vector<ToolCall>& tool_calls() const { return tool_calls_; }

 private:
  void merge_tool_call(std::int64_t index, std::string_view id, std::string_view name, std::string_view arguments);
  Usage usage_;
  std::vector<ToolCall> tool_calls_;  // ordered by first appearance, one per index
};

}  // namespace igw::server
