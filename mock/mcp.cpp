#include "mock/mcp.hpp"

#include <algorithm>
#include <cctype>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "telemetry/build_info.hpp"

namespace igw::mock {
namespace {

using json = nlohmann::ordered_json;

// Request header names arrive lower-case; the reply's are written as the spec spells them.
constexpr const char* kSessionHeader = "mcp-session-id";
constexpr const char* kSessionReplyHeader = "Mcp-Session-Id";
constexpr const char* kVersionHeader = "mcp-protocol-version";

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool header_has(const Request& request, const char* name, std::string_view type) {
  const auto* value = request.header(name);
  return value && lower(*value).find(type) != std::string::npos;
}

// A transport-level refusal: an HTTP status with a JSON-RPC error that answers no request (id null).
Reply refuse(int status, int code, std::string_view message) {
  Reply r;
  r.status = status;
  r.body =
      json{{"jsonrpc", "2.0"}, {"error", {{"code", code}, {"message", message}}}, {"id", nullptr}}.dump();
  return r;
}

json rpc_result(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json rpc_error(const json& id, int code, std::string message) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", std::move(message)}}}};
}

enum class Kind { request, notification, response, invalid };

Kind kind_of(const json& m) {
  if (!m.is_object() || m.value("jsonrpc", json()) != "2.0") return Kind::invalid;
  auto id = m.find("id");
  bool id_ok = id != m.end() && (id->is_string() || id->is_number_integer());  // MCP ids are never null
  if (auto method = m.find("method"); method != m.end()) {
    if (!method->is_string()) return Kind::invalid;
    if (id == m.end()) return Kind::notification;
    return id_ok ? Kind::request : Kind::invalid;
  }
  return id_ok && (m.contains("result") != m.contains("error")) ? Kind::response : Kind::invalid;
}

bool is_initialize(const json& m) {
  return kind_of(m) == Kind::request && m["method"] == "initialize";
}

// --- the demo tools ---

json tools_json() {
  return json::array(
      {{{"name", "get_weather"},
        {"description", "Current weather of a city (made-up demo data from igw mock)"},
        {"inputSchema",
         {{"type", "object"},
          {"properties", {{"city", {{"type", "string"}, {"description", "City name, e.g. Paris"}}}}},
          {"required", {"city"}}}}},
       {{"name", "lookup_order"},
        {"description", "Shipping state of an order (made-up demo data); fail=true makes the call fail"},
        {"inputSchema",
         {{"type", "object"},
          {"properties",
           {{"order_id", {{"type", "string"}, {"description", "Order number, e.g. A-1001"}}},
            {"fail", {{"type", "boolean"}, {"description", "Answer with a tool error instead"}}}}},
          {"required", {"order_id"}}}}}});
}

struct ToolAnswer {
  std::string text;
  bool is_error = false;
};

// The string argument `key`; nullopt when missing or not a string.
std::optional<std::string> string_arg(const json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Runs a tool; the error is why the arguments do not fit its schema (a JSON-RPC invalid-params message).
std::expected<ToolAnswer, std::string> run_tool(const std::string& name, const json& args) {
  auto bad = [&](std::string_view what) {
    return std::unexpected(fmt::format("Invalid arguments for tool {}: {}", name, what));
  };
  if (name == "get_weather") {
    auto city = string_arg(args, "city");
    if (!city) return bad("city: expected a string");
    return ToolAnswer{fmt::format("Sunny in {}, 21 C", *city)};
  }
  if (name == "lookup_order") {
    auto id = string_arg(args, "order_id");
    if (!id) return bad("order_id: expected a string");
    auto fail = args.find("fail");
    if (fail != args.end() && !fail->is_boolean()) return bad("fail: expected a boolean");
    if (fail != args.end() && fail->get<bool>())
      return ToolAnswer{fmt::format("order {} not found", *id), true};
    return ToolAnswer{fmt::format("order {}: shipped", *id)};
  }
  // What the MCP SDK servers answer for a tool they do not have.
  return ToolAnswer{fmt::format("Tool {} not found", name), true};
}

json call_tool(const json& id, const json& params, State& state) {
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string())
    return rpc_error(id, mcp_error::invalid_params,
                     "Invalid params: name: expected the tool's name, a string");
  static const json kNoArguments = json::object();
  auto args = params.find("arguments");
  if (args != params.end() && !args->is_object())
    return rpc_error(id, mcp_error::invalid_params, "Invalid params: arguments: expected an object");
  auto answer = run_tool(params["name"].get<std::string>(), args == params.end() ? kNoArguments : *args);
  state.mcp_tool_called(!answer || answer->is_error);
  if (!answer) return rpc_error(id, mcp_error::invalid_params, answer.error());
  json result{{"content", json::array({{{"type", "text"}, {"text", answer->text}}})}};
  if (answer->is_error) result["isError"] = true;
  return rpc_result(id, std::move(result));
}

// The answer to one request of an open session.
json answer(const json& request, State& state) {
  const json& id = request["id"];
  const auto method = request["method"].get<std::string>();
  static const json kNoParams = json::object();
  const json& params = request.contains("params") ? request["params"] : kNoParams;
  if (method == "ping") return rpc_result(id, json::object());
  if (method == "tools/list") return rpc_result(id, json{{"tools", tools_json()}});  // one page: no cursor
  if (method == "tools/call") return call_tool(id, params, state);
  return rpc_error(id, mcp_error::method_not_found, "Method not found: " + method);
}

Reply initialize(const json& request, State& state) {
  const json& params = request.contains("params") ? request["params"] : json();
  if (!params.is_object() || !params.contains("protocolVersion") || !params["protocolVersion"].is_string()) {
    Reply r;
    r.body = rpc_error(request["id"], mcp_error::invalid_params,
                       "Invalid params: protocolVersion: expected a string")
                 .dump();
    return r;
  }
  auto asked = params["protocolVersion"].get<std::string>();
  std::string_view version = kMcpProtocolVersions.front();
  if (std::ranges::find(kMcpProtocolVersions, asked) != kMcpProtocolVersions.end()) version = asked;
  json result{{"protocolVersion", version},
              {"capabilities", {{"tools", json::object()}}},
              {"serverInfo", {{"name", "igw-mock"}, {"version", telemetry::build_info().version}}}};
  Reply r;
  r.headers.emplace_back(kSessionReplyHeader, state.open_mcp_session());
  r.body = rpc_result(request["id"], std::move(result)).dump();
  return r;
}

// The session the request names, or the reply refusing it.
std::expected<std::string, Reply> session_of(const Request& request, const State& state) {
  const auto* id = request.header(kSessionHeader);
  if (!id || id->empty())
    return std::unexpected(
        refuse(400, mcp_error::bad_request, "Bad Request: Mcp-Session-Id header is required"));
  if (!state.mcp_session_known(*id))
    return std::unexpected(refuse(404, mcp_error::session_not_found, "Session not found"));
  return *id;
}

Reply post(const Request& request, State& state) {
  if (!header_has(request, "accept", "application/json") ||
      !header_has(request, "accept", "text/event-stream"))
    return refuse(406, mcp_error::bad_request,
                  "Not Acceptable: Client must accept both application/json and text/event-stream");
  if (!header_has(request, "content-type", "application/json"))
    return refuse(415, mcp_error::bad_request,
                  "Unsupported Media Type: Content-Type must be application/json");
  json doc = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return refuse(400, mcp_error::parse_error, "Parse error: the body is not JSON");
  const bool batch = doc.is_array();
  std::vector<json> messages = batch ? doc.get<std::vector<json>>() : std::vector<json>{std::move(doc)};
  if (messages.empty()) return refuse(400, mcp_error::invalid_request, "Invalid Request: an empty batch");
  if (std::ranges::any_of(messages, [](const json& m) { return kind_of(m) == Kind::invalid; }))
    return refuse(400, mcp_error::invalid_request, "Invalid Request: not a JSON-RPC 2.0 message");
  if (std::ranges::any_of(messages, is_initialize)) {
    if (messages.size() > 1)
      return refuse(400, mcp_error::invalid_request,
                    "Invalid Request: Only one initialization request is allowed");
    return initialize(messages.front(), state);
  }
  auto session = session_of(request, state);
  if (!session) return std::move(session.error());
  if (const auto* v = request.header(kVersionHeader);
      v && std::ranges::find(kMcpProtocolVersions, *v) == kMcpProtocolVersions.end())
    return refuse(400, mcp_error::bad_request,
                  fmt::format("Bad Request: Unsupported protocol version: {} (supported versions: {})", *v,
                              fmt::join(kMcpProtocolVersions, ", ")));
  json answers = json::array();
  for (const auto& m : messages)
    if (kind_of(m) == Kind::request) answers.push_back(answer(m, state));
  Reply r;
  r.headers.emplace_back(kSessionReplyHeader, *session);
  if (answers.empty()) {  // only notifications and responses: accepted, nothing to say
    r.status = 202;
    r.content_type.clear();
    return r;
  }
  r.body = batch ? answers.dump() : answers[0].dump();
  return r;
}

Reply end_session(const Request& request, State& state) {
  auto session = session_of(request, state);
  if (!session) return std::move(session.error());
  state.close_mcp_session(*session);
  Reply r;
  r.content_type.clear();
  return r;
}

}  // namespace

Reply mcp_reply(const Request& request, State& state) {
  state.mcp_request();
  if (request.method == "POST") return post(request, state);
  if (request.method == "DELETE") return end_session(request, state);
  // GET would open an SSE stream for server-initiated messages: this server sends none.
  Reply r =
      refuse(405, mcp_error::bad_request, fmt::format("Method Not Allowed: {} {}", request.method, kMcpPath));
  r.headers.emplace_back("Allow", "POST, DELETE");
  return r;
}

}  // namespace igw::mock
