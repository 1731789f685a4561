#include "server/tools/mcp.hpp"

#include <atomic>

#include <nlohmann/json.hpp>

#include "server/tools/jsonrpc.hpp"
#include "telemetry/build_info.hpp"
#include "telemetry/catalog.hpp"

namespace igw::server::tools {
namespace {

using nlohmann::json;
namespace te = telemetry::tool_error;

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kAccept = "application/json, text/event-stream";

Headers session_headers(const McpSession& s) {
  Headers h{{"Content-Type", "application/json"}, {"Accept", std::string{kAccept}}};
  if (!s.session_id.empty()) h.emplace_back("Mcp-Session-Id", s.session_id);
  if (!s.protocol_version.empty()) h.emplace_back("MCP-Protocol-Version", s.protocol_version);
  return h;
}

std::string first_line(std::string_view text, std::size_t max = 200) {
  text = text.substr(0, text.find('\n'));
  if (text.size() > max) return std::string{text.substr(0, max)} + "...";
  return std::string{text};
}

ToolFailure rpc_failure(const RpcProblem& p, std::string_view method) {
  if (!p.is_rpc_error) return {te::protocol, std::string{method} + ": " + p.message};
  std::string message = std::string{method} + ": " + p.message + " (JSON-RPC error " + std::to_string(p.code) + ")";
  // A tool the server does not know: MCP servers answer invalid params naming it, or method not found.
  bool unknown = p.code == kMethodNotFound ||
                 (p.code == kInvalidParams && (p.message.find("not found") != std::string::npos ||
                                               p.message.find("nknown tool") != std::string::npos));
  return {unknown ? te::not_found : te::rpc_error, std::move(message)};
}

// (built outside the coroutines: GCC 12 mishandles initializer lists in them)
std::string initialize_params() {
  const json params{{"protocolVersion", kMcpProtocolVersion},
                    {"capabilities", json::object()},
                    {"clientInfo", {{"name", "igw"}, {"version", telemetry::build_info().version}}}};
  return params.dump();
}

std::string part_text(const json& part) {
  std::string type = part.value("type", "");
  if (type == "text" && part.contains("text") && part["text"].is_string()) return part["text"].get<std::string>();
  if (type == "resource" && part.contains("resource") && part["resource"].is_object()) {
    const auto& r = part["resource"];
    if (r.contains("text") && r["text"].is_string()) return r["text"].get<std::string>();
    return "[resource " + r.value("uri", std::string{}) + "]";
  }
  if (type == "resource_link") return "[resource " + part.value("uri", std::string{}) + "]";
  return "[" + (type.empty() ? std::string{"unknown"} : type) + " content]";
}

}  // namespace

std::int64_t next_rpc_id() {
  static std::atomic<std::int64_t> id{1};
  return id.fetch_add(1);
}

ToolFailure transport_failure(const FetchError& error) {
  switch (error.kind) {
    case FetchErrorKind::timeout:
      return {te::timeout, error.message};
    case FetchErrorKind::connect:
    case FetchErrorKind::tls:
      return {te::connect, error.message};
    default:
      return {te::protocol, error.message};
  }
}

std::expected<ToolPage, std::string> parse_tool_page(std::string_view result) {
  json r = json::parse(result, nullptr, false);
  if (r.is_discarded() || !r.is_object()) return std::unexpected("tools/list: the result is not an object");
  auto tools = r.find("tools");
  if (tools == r.end() || !tools->is_array()) return std::unexpected("tools/list: the result has no tools array");
  ToolPage page;
  for (const auto& t : *tools) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string()) continue;  // not a tool: skipped
    ListedTool l;
    l.remote_name = t["name"].get<std::string>();
    if (t.contains("description") && t["description"].is_string()) l.description = t["description"].get<std::string>();
    if (t.contains("inputSchema") && t["inputSchema"].is_object()) l.input_schema = t["inputSchema"].dump();
    page.tools.push_back(std::move(l));
  }
  if (auto c = r.find("nextCursor"); c != r.end() && c->is_string()) page.next_cursor = c->get<std::string>();
  return page;
}

std::expected<CallResult, std::string> parse_call_result(std::string_view result) {
  json r = json::parse(result, nullptr, false);
  if (r.is_discarded() || !r.is_object()) return std::unexpected("tools/call: the result is not an object");
  CallResult out;
  if (auto e = r.find("isError"); e != r.end() && e->is_boolean()) out.is_error = e->get<bool>();
  auto content = r.find("content");
  if (content != r.end() && content->is_array() && !content->empty()) {
    for (const auto& part : *content) {
      if (!part.is_object()) continue;
      if (!out.text.empty()) out.text += '\n';
      out.text += part_text(part);
    }
  } else if (auto s = r.find("structuredContent"); s != r.end()) {
    out.text = s->dump();
  } else if (content == r.end()) {
    return std::unexpected("tools/call: the result has no content");
  }
  return out;
}

awaitable<std::expected<std::string, ToolFailure>> rpc_call(std::string_view url, std::string_view method,
                                                            std::string_view params, Headers headers,
                                                            ssl::context* tls, const FetchLimits& limits,
                                                            HttpAnswer* answer_out) {
  const auto id = next_rpc_id();
  const std::string body = rpc_request(id, method, params);
  // (a named call, not a temporary in the co_await: GCC 12 destroys aggregate temporaries there twice)
  const HttpCall request{"POST", url, std::move(headers), body};
  auto answer = co_await http_call(request, tls, limits);
  if (!answer) co_return std::unexpected(transport_failure(answer.error()));
  if (answer->status < 200 || answer->status >= 300) {
    ToolFailure f{te::http_status,
                  std::string{method} + ": HTTP status " + std::to_string(answer->status) +
                      (answer->body.empty() ? std::string{} : ": " + first_line(answer->body)),
                  answer->status};
    if (answer_out) *answer_out = std::move(*answer);
    co_return std::unexpected(std::move(f));
  }
  auto result = rpc_result(answer->header("Content-Type"), answer->body, id);
  if (answer_out) *answer_out = std::move(*answer);
  if (!result) co_return std::unexpected(rpc_failure(result.error(), method));
  co_return std::move(*result);
}

awaitable<std::expected<McpSession, ToolFailure>> mcp_initialize(std::string_view url, ssl::context* tls,
                                                                 const FetchLimits& limits) {
  McpSession session;
  session.url = std::string{url};
  HttpAnswer answer;
  const std::string params_text = initialize_params();
  auto headers = session_headers(session);
  auto result = co_await rpc_call(url, "initialize", params_text, std::move(headers), tls, limits, &answer);
  if (!result) co_return std::unexpected(std::move(result.error()));
  json r = json::parse(*result, nullptr, false);
  if (r.is_discarded() || !r.is_object() || !r.contains("protocolVersion") || !r["protocolVersion"].is_string())
    co_return std::unexpected(ToolFailure{te::protocol, "initialize: the result names no protocolVersion"});
  session.protocol_version = r["protocolVersion"].get<std::string>();
  if (r.contains("serverInfo") && r["serverInfo"].is_object()) session.server_name = r["serverInfo"].value("name", "");
  session.session_id = std::string{answer.header("Mcp-Session-Id")};
  // The notification that ends the handshake; the server answers 202 Accepted without a body.
  const std::string note_body = rpc_notification("notifications/initialized");
  const HttpCall note_call{"POST", url, session_headers(session), note_body};
  auto note = co_await http_call(note_call, tls, limits);
  if (!note) co_return std::unexpected(transport_failure(note.error()));
  if (note->status < 200 || note->status >= 300)
    co_return std::unexpected(ToolFailure{te::http_status,
                                          "notifications/initialized: HTTP status " + std::to_string(note->status),
                                          note->status});
  co_return session;
}

awaitable<std::expected<std::vector<ListedTool>, ToolFailure>> mcp_list_tools(const McpSession& session,
                                                                              ssl::context* tls,
                                                                              const FetchLimits& limits) {
  std::vector<ListedTool> tools;
  std::string cursor;
  for (int page = 0; page < kMaxToolPages; ++page) {
    json params = json::object();
    if (!cursor.empty()) params["cursor"] = cursor;
    const std::string params_text = params.dump();
    auto headers = session_headers(session);
    auto result = co_await rpc_call(session.url, "tools/list", params_text, std::move(headers), tls, limits);
    if (!result) co_return std::unexpected(std::move(result.error()));
    auto parsed = parse_tool_page(*result);
    if (!parsed) co_return std::unexpected(ToolFailure{te::protocol, parsed.error()});
    for (auto& t : parsed->tools) tools.push_back(std::move(t));
    if (parsed->next_cursor.empty()) co_return tools;
    cursor = std::move(parsed->next_cursor);
  }
  co_return std::unexpected(ToolFailure{te::protocol, "tools/list: more than " + std::to_string(kMaxToolPages) + " pages"});
}

awaitable<std::expected<CallResult, ToolFailure>> mcp_call_tool(const McpSession& session, std::string_view name,
                                                                std::string_view arguments,
                                                                std::string_view traceparent, ssl::context* tls,
                                                                const FetchLimits& limits) {
  std::string params = R"({"name":)" + json(name).dump() + R"(,"arguments":)" +
                       std::string{arguments.empty() ? std::string_view{"{}"} : arguments} + "}";
  auto headers = session_headers(session);
  if (!traceparent.empty()) headers.emplace_back("traceparent", std::string{traceparent});
  auto result = co_await rpc_call(session.url, "tools/call", params, std::move(headers), tls, limits);
  if (!result) co_return std::unexpected(std::move(result.error()));
  auto parsed = parse_call_result(*result);
  if (!parsed) co_return std::unexpected(ToolFailure{te::protocol, parsed.error()});
  // Servers built on the MCP SDKs report a tool they do not know as an error result naming it.
  if (parsed->is_error && parsed->text.find("Tool " + std::string{name} + " not found") != std::string::npos)
    co_return std::unexpected(ToolFailure{te::not_found, std::move(parsed->text)});
  co_return std::move(*parsed);
}

}  // namespace igw::server::tools
