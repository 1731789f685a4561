// Usage and tool calls picked out of responses as they pass: a whole JSON body, or the chunks of a stream
// (cheaply skipping chunks that hold neither). OpenAI chat completions, Anthropic Messages and OpenAI
// Responses answers are understood.
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

// What a route relays, so the observer knows where the usage stands. Prompt tokens are prompt_tokens or
// input_tokens, completion tokens completion_tokens or output_tokens; a usage object updates the counts it
// holds (a stream's later usage wins), and the total is total_tokens when given, else their sum.
enum class AnswerShape {
  none,                // not observed
  chat_completion,     // OpenAI chat completions and their chunks: the top-level usage, and tool calls
  anthropic_messages,  // a message's usage; streamed: message_start's message.usage, message_delta's usage
  openai_responses,    // a response's usage; streamed: response.usage (response.completed)
  any,                 // each body or event read as the known shape its "object" or "type" names, if any
};

// What a response told us about usage and tool calls, from either a full JSON body or stream chunks.
class ResponseObserver {
 public:
  explicit ResponseObserver(AnswerShape shape = AnswerShape::chat_completion) : shape_(shape) {}

  // A non-streaming answer body.
  void observe_body(std::string_view json);
  // One chunk of a stream (the data of an event). Cheap when the chunk holds neither usage nor tool calls.
  void observe_chunk(std::string_view json);

  AnswerShape shape() const { return shape_; }
  const Usage& usage() const { return usage_; }
  const std::vector<ToolCall>& tool_calls() const { return tool_calls_; }
  // With AnswerShape::any: the model named beside the first usage counted (empty otherwise).
  const std::string& model() const { return model_; }

 private:
  void observe_chat(std::string_view json);
  void observe_other(std::string_view json);
  void merge_tool_call(std::int64_t index, std::string_view id, std::string_view name, std::string_view arguments);
  AnswerShape shape_;
  Usage usage_;
  std::vector<ToolCall> tool_calls_;  // ordered by first appearance, one per index
  std::string model_;
};

}  // namespace igw::server
