#include "server/tools/a2a.hpp"

#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "telemetry/catalog.hpp"

namespace igw::server::tools {
namespace {

using nlohmann::json;
namespace te = telemetry::tool_error;

std::string parts_text(const json& parts) {
  std::string out;
  if (!parts.is_array()) return out;
  for (const auto& p : parts) {
    if (!p.is_object()) continue;
    std::string piece;
    if (p.contains("text") && p["text"].is_string())
      piece = p["text"].get<std::string>();
    else if (p.contains("data"))
      piece = p["data"].dump();
    else
      continue;
    if (!out.empty()) out += '\n';
    out += piece;
  }
  return out;
}

std::string uuid4() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x4000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff, b >> 48,
                     b & 0xffffffffffffULL);
}

}  // namespace

std::string agent_card_url(std::string_view base) {
  if (base.ends_with(".json")) return std::string{base};
  while (base.ends_with('/')) base.remove_suffix(1);
  return std::string{base} + std::string{kAgentCardPath};
}

std::expected<AgentCard, std::string> parse_agent_card(std::string_view text) {
  json card = json::parse(text, nullptr, false);
  if (card.is_discarded() || !card.is_object()) return std::unexpected("agent card: not a JSON object");
  if (!card.contains("name") || !card["name"].is_string() || card["name"].get<std::string>().empty())
    return std::unexpected("agent card: no name");
  if (!card.contains("url") || !card["url"].is_string() || card["url"].get<std::string>().empty())
    return std::unexpected("agent card: no url");
  AgentCard out;
  out.name = card["name"].get<std::string>();
  out.url = card["url"].get<std::string>();
  out.description = card.value("description", std::string{});
  if (auto skills = card.find("skills"); skills != card.end() && skills->is_array() && !skills->empty()) {
    std::string names;
    for (const auto& s : *skills) {
      if (!s.is_object() || !s.contains("name") || !s["name"].is_string()) continue;
      if (!names.empty()) names += ", ";
      names += s["name"].get<std::string>();
    }
    if (!names.empty()) out.description += (out.description.empty() ? "" : " ") + std::string{"Skills: "} + names + ".";
  }
  return out;
}

ListedTool agent_tool(const AgentCard& card) {
  json schema{{"type", "object"},
              {"properties", {{"message", {{"type", "string"}, {"description", "What to ask the agent, in plain words"}}}}},
              {"required", {"message"}}};
  std::string description = "Ask the agent " + card.name + ".";
  if (!card.description.empty()) description += " " + card.description;
  return ListedTool{card.name, std::move(description), schema.dump()};
}

std::string send_params(std::string_view text) {
  json message{{"kind", "message"},
               {"role", "user"},
               {"messageId", uuid4()},
               {"parts", json::array({{{"kind", "text"}, {"text", text}}})}};
  return json{{"message", std::move(message)}}.dump();
}

std::expected<CallResult, std::string> parse_send_result(std::string_view text) {
  json r = json::parse(text, nullptr, false);
  if (r.is_discarded() || !r.is_object()) return std::unexpected("message/send: the result is not an object");
  std::string kind = r.value("kind", "");
  CallResult out;
  if (kind == "message") {
    out.text = parts_text(r.value("parts", json::array()));
    return out;
  }
  if (kind != "task") return std::unexpected("message/send: the result is neither a message nor a task");
  std::string state;
  if (auto st = r.find("status"); st != r.end() && st->is_object()) {
    state = st->value("state", "");
    if (auto m = st->find("message"); m != st->end() && m->is_object()) out.text = parts_text(m->value("parts", json::array()));
  }
  if (auto arts = r.find("artifacts"); arts != r.end() && arts->is_array())
    for (const auto& a : *arts) {
      if (!a.is_object()) continue;
      auto t = parts_text(a.value("parts", json::array()));
      if (t.empty()) continue;
      if (!out.text.empty()) out.text += '\n';
      out.text += t;
    }
  out.is_error = state == "failed" || state == "rejected" || state == "canceled";
  if (out.text.empty()) out.text = "task " + (state.empty() ? std::string{"without a state"} : state);
  return out;
}

std::expected<std::string, std::string> agent_message(std::string_view arguments) {
  json args = json::parse(arguments.empty() ? std::string_view{"{}"} : arguments, nullptr, false);
  if (args.is_discarded() || !args.is_object()) return std::unexpected("the arguments are not a JSON object");
  auto m = args.find("message");
  if (m == args.end() || !m->is_string()) return std::unexpected("the arguments have no string \"message\"");
  return m->get<std::string>();
}

awaitable<std::expected<AgentCard, ToolFailure>> a2a_fetch_card(std::string_view base, ssl::context* tls,
                                                                const FetchLimits& limits) {
  const std::string url = agent_card_url(base);
  const HttpCall request{"GET", url, {}, {}};  // (named: see rpc_call)
  auto answer = co_await http_call(request, tls, limits);
  if (!answer) co_return std::unexpected(transport_failure(answer.error()));
  if (answer->status != 200)
    co_return std::unexpected(ToolFailure{te::http_status, "GET " + url + ": HTTP status " + std::to_string(answer->status), answer->status});
  auto card = parse_agent_card(answer->body);
  if (!card) co_return std::unexpected(ToolFailure{te::protocol, "GET " + url + ": " + card.error()});
  co_return std::move(*card);
}

awaitable<std::expected<CallResult, ToolFailure>> a2a_send(std::string_view endpoint, std::string_view text,
                                                           std::string_view traceparent, ssl::context* tls,
                                                           const FetchLimits& limits) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"},
                                                           {"Accept", "application/json"}};
  if (!traceparent.empty()) headers.emplace_back("traceparent", std::string{traceparent});
  const std::string params = send_params(text);
  auto result = co_await rpc_call(endpoint, "message/send", params, std::move(headers), tls, limits);
  if (!result) co_return std::unexpected(std::move(result.error()));
  auto parsed = parse_send_result(*result);
  if (!parsed) co_return std::unexpected(ToolFailure{te::protocol, parsed.error()});
  co_return std::move(*parsed);
}

}  // namespace igw::server::tools
