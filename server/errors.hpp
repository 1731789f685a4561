// The error shapes and fixed messages of SPEC.md 1.1, written once. Every route answers errors in OpenAI's
// shape, {"error":{"message","type","param":null,"code"}}, with a type and a code a client can branch on;
// /v1/messages answers in the Anthropic shape; a stream that breaks gets one SSE error event in OpenAI's shape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace igw::server::errors {

// The `code` of igw's own errors.
namespace code {
inline constexpr std::string_view invalid_json = "invalid_json";
inline constexpr std::string_view provider_not_found = "provider_not_found";
inline constexpr std::string_view provider_undetermined = "provider_undetermined";
inline constexpr std::string_view provider_not_configured = "provider_not_configured";
inline constexpr std::string_view api_not_served = "api_not_served";  // /v1/messages, /v1/responses elsewhere
inline constexpr std::string_view model_not_allowed = "model_not_allowed";
inline constexpr std::string_view route_not_found = "route_not_found";
inline constexpr std::string_view request_too_large = "request_too_large";
inline constexpr std::string_view headers_too_large = "headers_too_large";
inline constexpr std::string_view invalid_proxy_path = "invalid_proxy_path";
inline constexpr std::string_view mcp_not_exposed = "mcp_not_exposed";
inline constexpr std::string_view tool_loop_limit = "tool_loop_limit";  // the model kept calling tools
inline constexpr std::string_view internal_error = "internal_error";
}  // namespace code

// The `type` for a status: invalid_request_error (4xx but 403), permission_error (403), upstream_error (502,
// 504: the provider failed), server_error (other 5xx).
std::string_view type_for(unsigned status);
// An upstream failure's code: "upstream_" + its reason ("upstream_timeout", "upstream_connect").
std::string upstream_code(std::string_view reason);

// {"error":{"message":..,"type":..,"param":null,"code":..}}.
std::string openai_body(std::string_view message, std::string_view type, std::string_view code);
// openai_body with the type for the status.
std::string body(unsigned status, std::string_view code, std::string_view message);
// A provider's error answer as the client gets it: kept byte for byte when it already has OpenAI's shape (an
// "error" object), else wrapped in it (its "error"/"message" string, or the text itself, as the message;
// code "upstream_status_<status>").
std::string upstream_error_body(unsigned status, std::string_view body);
// {"type":"error","error":{"type":"invalid_request_error","message":"<message>"}}
std::string anthropic_body(std::string_view message);
// data: {"error":{"message":..,"type":"upstream_error","param":null,"code":..}}\n\n
std::string sse_event(std::string_view code, std::string_view message);
// event: error\ndata: {"type":"error","error":{"type":"api_error","message":..}}\n\n (Anthropic's stream error)
std::string anthropic_sse_event(std::string_view message);

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
std::string tool_loop_limit(std::int64_t model_calls);
std::string messages_provider_only(std::string_view provider);
std::string responses_provider_only(std::string_view provider);
std::string request_timeout();
std::string proxy_path_refused(std::string_view why);
std::string token_refused(std::string_view description);
std::string auth_unavailable();

}  // namespace igw::server::errors
