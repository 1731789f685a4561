#include "server/tools/jsonrpc.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

#include "server/sse.hpp"

namespace igw::server::tools {
namespace {

using nlohmann::json;

// The response with `id` in one parsed message (or batch), if it is there.
const json* find_response(const json& message, std::int64_t id) {
  if (message.is_array()) {
    for (const auto& m : message)
      if (const json* r = find_response(m, id)) return r;
    return nullptr;
  }
  if (!message.is_object()) return nullptr;
  auto it = message.find("id");
  if (it == message.end() || !it->is_number_integer() || it->get<std::int64_t>() != id) return nullptr;
  if (!message.contains("result") && !message.contains("error")) return nullptr;
  return &message;
}

std::expected<std::string, RpcProblem> result_of(const json& response) {
  if (auto err = response.find("error"); err != response.end()) {
    RpcProblem p{true, 0, "JSON-RPC error"};
    if (err->is_object()) {
      if (auto c = err->find("code"); c != err->end() && c->is_number_integer()) p.code = c->get<std::int64_t>();
      if (auto m = err->find("message"); m != err->end() && m->is_string()) p.message = m->get<std::string>();
    }
    return std::unexpected(std::move(p));
  }
  return response["result"].dump();
}

// Media types compare case-insensitively (RFC 9110 8.3.1).
bool is_event_stream(std::string_view content_type) {
  std::string type{content_type.substr(0, content_type.find(';'))};
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type.find("text/event-stream") != std::string::npos;
}

}  // namespace

std::string rpc_request(std::int64_t id, std::string_view method, std::string_view params) {
  std::string out = R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":)" + json(method).dump();
  if (!params.empty()) out.append(R"(,"params":)").append(params);
  return out + "}";
}

std::string rpc_notification(std::string_view method, std::string_view params) {
  std::string out = R"({"jsonrpc":"2.0","method":)" + json(method).dump();
  if (!params.empty()) out.append(R"(,"params":)").append(params);
  return out + "}";
}

std::expected<std::string, RpcProblem> rpc_result(std::string_view content_type, std::string_view body, std::int64_t id) {
  if (is_event_stream(content_type)) {
    SseSplitter splitter;
    splitter.feed(body);
    splitter.feed("\n\n");  // a last event without its blank line counts too
    std::string scratch;
    while (auto ev = splitter.next_event()) {
      std::string_view data = event_data(*ev, scratch);
      if (data.empty()) continue;
      json message = json::parse(data, nullptr, false);
      if (message.is_discarded()) continue;  // not a JSON-RPC message: skipped
      if (const json* r = find_response(message, id)) return result_of(*r);
    }
    return std::unexpected(RpcProblem{false, 0, "the event stream ended without the response to request " + std::to_string(id)});
  }
  json message = json::parse(body, nullptr, false);
  if (message.is_discarded()) return std::unexpected(RpcProblem{false, 0, "the answer is not JSON"});
  if (const json* r = find_response(message, id)) return result_of(*r);
  return std::unexpected(RpcProblem{false, 0, "the answer holds no response to request " + std::to_string(id)});
}

}  // namespace igw::server::tools
