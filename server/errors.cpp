#include "server/errors.hpp"

#include <nlohmann/json.hpp>

#include "config/settings.hpp"
#include "telemetry/log.hpp"

namespace igw::server::errors {

using telemetry::log::json_quoted;

std::string_view type_for(unsigned status) {
  if (status == 403) return "permission_error";
  if (status == 502 || status == 504) return "upstream_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

std::string upstream_code(std::string_view reason) { return "upstream_" + std::string{reason}; }

std::string body(unsigned status, std::string_view code, std::string_view message) {
  return openai_body(message, type_for(status), code);
}

std::string upstream_error_body(unsigned status, std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_object() && doc.contains("error") && doc["error"].is_object() && doc["error"].contains("message"))
    return std::string{text};
  std::string message{text};
  if (doc.is_object()) {
    for (const char* key : {"error", "message", "detail"})
      if (doc.contains(key) && doc[key].is_string()) {
        message = doc[key].get<std::string>();
        break;
      }
  }
  if (message.empty()) message = "The provider answered with status " + std::to_string(status);
  return openai_body(message, type_for(status), "upstream_status_" + std::to_string(status));
}

std::string openai_body(std::string_view message, std::string_view type, std::string_view code) {
  return "{\"error\":{\"message\":" + json_quoted(message) + ",\"type\":" + json_quoted(type) + ",\"param\":null,\"code\":" +
         json_quoted(code) + "}}";
}

std::string proxy_path_refused(std::string_view why) {
  return "Invalid proxy path: " + std::string{why} + ". /proxy/{provider}/{path} reaches paths below the "
         "provider's base URL only.";
}

std::string token_refused(std::string_view description) {
  return "Unauthorized: " + std::string{description} + ". Send Authorization: Bearer <token> with a token of the "
         "configured OIDC issuer.";
}

std::string auth_unavailable() {
  return "Authentication is not available yet: the gateway cannot load the OIDC issuer's signing keys. "
         "Retry shortly.";
}

std::string anthropic_body(std::string_view message) {
  return R"({"type":"error","error":{"type":"invalid_request_error","message":)" + json_quoted(message) + "}}";
}

std::string anthropic_sse_event(std::string_view message) {
  return "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":" +
         json_quoted(message) + "}}\n\n";
}

std::string sse_event(std::string_view code, std::string_view message) {
  return "data: " + openai_body(message, "upstream_error", code) + "\n\n";
}

std::string provider_not_found(std::string_view provider) {
  return "Provider not found. Unknown provider \"" + std::string{provider} +
         "\"; use one of the provider ids listed by `igw config list`.";
}

std::string provider_undetermined() {
  return "Unable to determine provider for model. Prefix the model with its provider "
         "(\"openai/gpt-4o\") or pass ?provider=<id>.";
}

std::string provider_needs_key(std::string_view provider, std::string_view key_env) {
  return "Provider \"" + std::string{provider} + "\" is not configured: set " + std::string{key_env} + ".";
}

std::string decode_failed() {
  return "Failed to decode request";
}

std::string body_too_large(std::uint64_t limit) {
  return "Request body too large: the limit is " + std::to_string(limit) + " bytes (" +
         config::env_name(config::Key::server_max_request_body_size) + ").";
}

std::string header_too_large(std::uint64_t limit) {
  return "Request header fields too large: the request line and headers must fit in " + std::to_string(limit) +
         " bytes.";
}

std::string route_not_found() {
  return "Requested route is not found";
}

std::string model_not_allowed(std::string_view model) {
  return "Model \"" + std::string{model} + "\" is not allowed (" + config::env_name(config::Key::allowed_models) +
         ", " + config::env_name(config::Key::disallowed_models) + ").";
}

std::string upstream_unreachable(std::string_view provider, std::string_view detail) {
  return "Failed to reach provider \"" + std::string{provider} + "\": " + std::string{detail};
}

std::string upstream_timeout(std::string_view provider, std::string_view phase) {
  return "Provider \"" + std::string{provider} + "\" timed out " + std::string{phase};
}

std::string upstream_certificate(std::string_view provider, std::string_view detail) {
  return "Provider \"" + std::string{provider} +
         "\": certificate verification failed: " + std::string{detail};
}

std::string upstream_broke(std::string_view provider, std::string_view detail) {
  return "Provider \"" + std::string{provider} + "\" broke off its answer (" + std::string{detail} + ")";
}

std::string tool_loop_limit(std::int64_t model_calls) {
  return "The model was still calling tools after " + std::to_string(model_calls) + " model calls (" +
         config::env_name(config::Key::mcp_max_iterations) + "); no final answer.";
}

std::string mcp_not_exposed() {
  return "MCP tools are not exposed; set " + config::env_name(config::Key::mcp_expose) + "=true.";
}

std::string messages_provider_only(std::string_view provider) {
  return "Provider \"" + std::string{provider} + "\" does not serve the Messages API (/v1/messages).";
}

std::string responses_provider_only(std::string_view provider) {
  return "Provider \"" + std::string{provider} + "\" does not serve the Responses API (/v1/responses).";
}

std::string request_timeout() {
  return "Request timed out while reading it";
}

}  // namespace igw::server::errors
