// The error shapes and fixed messages of SPEC.md 1.1, written once. Every route answers errors as
// {"error":"<message>"}; /v1/messages answers in the Anthropic shape; a stream that breaks gets an SSE
// error event.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace igw::server::errors {

// {"error":"<message>"}
std::string body(std::string_view message);
// The OpenAI error shape: {"error":{"message":..,"type":..,"param":null,"code":..}}.
std::string openai_body(std::string_view message, std::string_view type, std::string_view code);
// {"type":"error","error":{"type":"invalid_request_error","message":"<message>"}}
std::string anthropic_body(std::string_view message);
// data: {"error":{"message":"<message>","type":"upstream_error"}}\n\n
std::string sse_event(std::string_view message);

std::string provider_not_found(std::string_view provider);
std::string provider_undetermined();
std::string provider_needs_key(std::string_view provider, std::string_view key_env);
std::string decode_failed();
std::string body_too_large(std::uint64_t limit);
std::string header_too_large(std::uint64_t limit);
std::string route_not_found();
std::string model_not_allowed(std::string_view model);
std::string upstream_unreachable(std::string_view provider, std::string_view detail);
std::string upstream_timeout(std::string_view provider, std::string_view phase);
std::string upstream_certificate(std::string_view provider, std::string_view detail);
std::string upstream_broke(std::string_view provider, std::string_view detail);
std::string mcp_not_exposed();
std::string messages_provider_only(std::string_view provider);
std::string responses_provider_only(std::string_view provider);
std::string request_timeout();
std::string proxy_path_refused(std::string_view why);
std::string token_refused(std::string_view description);
std::string auth_unavailable();

}  // namespace igw::server::errors
