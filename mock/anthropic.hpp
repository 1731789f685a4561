// Anthropic Messages API wire formats the mock answers /v1/messages with (JSON and the SSE event stream).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mock/chat.hpp"
#include "mock/openai.hpp"

namespace igw::mock {

std::string anthropic_message_json(const ChatRequest& req, const Answer& answer);
// message_start, content_block_start, ping, deltas, content_block_stop, message_delta, message_stop;
// each "event: <type>\ndata: {...}\n\n".
std::vector<std::string> anthropic_stream_events(const ChatRequest& req, const Answer& answer);
// {"type":"error","error":{"type":...,"message":...}}
std::string anthropic_error_json(int status, std::string_view message);

}  // namespace igw::mock
