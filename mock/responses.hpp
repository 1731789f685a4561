// OpenAI Responses API wire formats the mock answers /v1/responses with (the response object and its SSE
// event stream), text output only.
#pragma once

#include <string>
#include <vector>

#include "mock/chat.hpp"
#include "mock/openai.hpp"

namespace igw::mock {

// A response object: status "completed" (or "incomplete" when max_output_tokens cut the answer), one
// assistant message, usage {input_tokens, output_tokens, total_tokens, ..._details}.
std::string responses_json(const ChatRequest& req, const Answer& answer);
// response.created, response.in_progress, response.output_item.added, response.content_part.added,
// response.output_text.delta (one per token), response.output_text.done, response.content_part.done,
// response.output_item.done, response.completed (or response.incomplete); each
// "event: <type>\ndata: {...}\n\n" with a rising sequence_number.
std::vector<std::string> responses_stream_events(const ChatRequest& req, const Answer& answer);

}  // namespace igw::mock
