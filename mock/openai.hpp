// OpenAI wire formats the mock answers with: the model list, chat completions (JSON) and their SSE chunks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mock/chat.hpp"

namespace igw::mock {

// The model ids the mock lists and accepts (deterministic).
std::span<const std::string_view> model_ids();
bool known_model(std::string_view id);

struct Answer {
  std::string id;        // chatcmpl-... / msg_...
  std::int64_t created;  // unix seconds
  std::vector<std::string> tokens;
  bool truncated = false;              // max_tokens cut the answer: finish_reason "length"
  std::int64_t completion_tokens = 0;  // tokens, or the size of a tool call's arguments
};

// Builds the answer for a request: `tokens` (the configured count) capped by max_tokens; an answer quoting
// tool results has as many tokens as it has words (still capped by max_tokens).
Answer make_answer(const ChatRequest& req, int tokens, std::uint64_t counter, std::int64_t created);

std::string openai_models_json();
std::string openai_completion_json(const ChatRequest& req, const Answer& answer);
// Every SSE event of the stream, each "data: {...}\n\n", ending with "data: [DONE]\n\n".
std::vector<std::string> openai_stream_events(const ChatRequest& req, const Answer& answer);
// {"error":{"message":...,"type":...,"param":null,"code":...}}
std::string openai_error_json(int status, std::string_view message);

}  // namespace igw::mock
