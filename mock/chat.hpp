// The mock's view of a chat request (OpenAI chat completions, Anthropic messages or OpenAI responses) and the
// deterministic answer derived from it: the content is the prompt's words repeated until `tokens` tokens.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace igw::mock {

// responses: "input" (a string or message items) and "instructions" instead of messages and a system
// prompt, "max_output_tokens"; its tools are not called (the mock answers with text).
enum class Dialect { openai, anthropic, responses };

struct ToolCall {
  std::string id;  // call_... (OpenAI) or toolu_... (Anthropic)
  std::string name;
  std::string arguments;  // JSON object text
};

struct ChatRequest {
  std::string model;
  bool stream = false;
  bool include_usage = false;       // stream_options.include_usage
  std::vector<std::string> prompt;  // words of the last user message
  std::string last_user_text;
  std::int64_t prompt_tokens = 0;  // words over every message (and system prompt)
  std::optional<std::int64_t> max_tokens;
  std::optional<ToolCall> tool_call;  // set when tools are offered and the prompt asks for one
};

// Parses the body; the error is an OpenAI-style message naming what was wrong.
std::expected<ChatRequest, std::string> parse_chat(std::string_view body, Dialect dialect);

// The answer: `count` tokens, word i of the prompt (cycled) each; the first has no leading space.
std::vector<std::string> answer_tokens(const std::vector<std::string>& prompt, int count);
std::string join_tokens(const std::vector<std::string>& tokens);

// Splits text on ASCII whitespace.
std::vector<std::string> split_words(std::string_view text);

// A short stable hex id derived from text and a counter (ids in responses).
std::string mock_id(std::string_view text, std::uint64_t counter);

}  // namespace igw::mock
