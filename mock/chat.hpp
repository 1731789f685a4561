// The mock's view of a chat request (OpenAI chat completions, Anthropic messages or OpenAI responses) and the
// deterministic answer derived from it: the content is the prompt's words repeated until `tokens` tokens, or,
// once tools have answered in an agent loop, those answers quoted.
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

// How the mock plays the model of an agent loop (from Options and the x-mock-tool* headers): it calls a tool
// while fewer than `rounds` tool rounds follow the last user text message, then answers with text.
struct ToolScript {
  int rounds = 1;
  std::optional<std::string> tool{};       // call this tool when offered, as if the prompt said "call <tool>"
  std::optional<std::string> arguments{};  // a JSON object, used verbatim instead of sample arguments
};

struct ChatRequest {
  std::string model;
  bool stream = false;
  bool include_usage = false;       // stream_options.include_usage
  std::vector<std::string> prompt;  // words of the last user text message
  // A user message a person wrote: for Anthropic, one holding only tool_result blocks is tool output instead.
  std::string last_user_text;
  std::int64_t prompt_tokens = 0;  // words over every message (and system prompt)
  std::optional<std::int64_t> max_tokens;
  std::optional<ToolCall> tool_call;  // set when tools are offered, the prompt asks and rounds remain
  // Since the last user text message (chat and messages dialects): assistant messages that called tools, and
  // the text of each tool result (OpenAI "tool" messages, Anthropic tool_result blocks) in order.
  int tool_rounds_done = 0;
  std::vector<std::string> tool_results;
};

// Parses the body; the error is an OpenAI-style message naming what was wrong (a body field, or
// x-mock-tool-arguments when script.arguments is not a JSON object). The responses dialect ignores `script`.
std::expected<ChatRequest, std::string> parse_chat(std::string_view body, Dialect dialect,
                                                   const ToolScript& script = {});

// The words of a text answer: the prompt's, or, when tool results follow the last user text message,
// "Tool results: <result 1> | <result 2> ..." (whitespace inside a result collapses to word breaks).
std::vector<std::string> answer_words(const ChatRequest& req);

// The answer: `count` tokens, word i of the prompt (cycled) each; the first has no leading space.
std::vector<std::string> answer_tokens(const std::vector<std::string>& prompt, int count);
std::string join_tokens(const std::vector<std::string>& tokens);

// Splits text on ASCII whitespace.
std::vector<std::string> split_words(std::string_view text);

// A short stable hex id derived from text and a counter (ids in responses).
std::string mock_id(std::string_view text, std::uint64_t counter);

}  // namespace igw::mock
