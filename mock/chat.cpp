#include "mock/chat.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace igw::mock {
namespace {

using nlohmann::json;

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Text of a message's content: a string, or an array of parts whose text parts are joined.
std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const auto& part : content) {
    if (!part.is_object()) continue;
    auto text = part.find("text");
    if (text != part.end() && text->is_string()) {
      if (!out.empty()) out += ' ';
      out += text->get<std::string>();
    }
  }
  return out;
}

// A value of the JSON-schema type, so arguments match the tool's parameters.
json sample_value(const json& schema) {
  std::string type = schema.is_object() ? schema.value("type", "string") : "string";
  if (schema.is_object() && schema.contains("enum") && schema["enum"].is_array() && !schema["enum"].empty())
    return schema["enum"][0];
  if (type == "integer" || type == "number") return 1;
  if (type == "boolean") return true;
  if (type == "array") return json::array();
  if (type == "object") return json::object();
  return "mock";
}

std::string sample_arguments(const json& schema) {
  json args = json::object();
  if (schema.is_object() && schema.contains("properties") && schema["properties"].is_object())
    for (const auto& [key, prop] : schema["properties"].items()) args[key] = sample_value(prop);
  return args.dump();
}

struct Tool {
  std::string name;
  const json* schema;
};

std::vector<Tool> offered_tools(const json& body, Dialect dialect) {
  std::vector<Tool> tools;
  auto it = body.find("tools");
  if (it == body.end() || !it->is_array()) return tools;
  for (const auto& t : *it) {
    if (!t.is_object()) continue;
    const json* def = dialect == Dialect::openai && t.contains("function") ? &t["function"] : &t;
    if (!def->is_object() || !def->contains("name") || !(*def)["name"].is_string()) continue;
    const char* schema_key = dialect == Dialect::openai ? "parameters" : "input_schema";
    static const json kEmpty = json::object();
    tools.push_back(
        {(*def)["name"].get<std::string>(), def->contains(schema_key) ? &(*def)[schema_key] : &kEmpty});
  }
  return tools;
}

// The tool named by tool_choice (forced), if any.
std::optional<std::string> forced_tool(const json& body, const std::vector<Tool>& tools) {
  auto it = body.find("tool_choice");
  if (it == body.end()) return std::nullopt;
  if (it->is_string() && (*it == "required" || *it == "any")) return tools.front().name;
  if (!it->is_object()) return std::nullopt;
  if (it->value("type", "") == "any") return tools.front().name;
  if (it->contains("function") && (*it)["function"].is_object()) return (*it)["function"].value("name", "");
  if (it->contains("name") && (*it)["name"].is_string()) return (*it)["name"].get<std::string>();
  return std::nullopt;
}

std::optional<ToolCall> pick_tool(const json& body, Dialect dialect, std::string_view last_user) {
  auto tools = offered_tools(body, dialect);
  if (tools.empty()) return std::nullopt;
  const Tool* chosen = nullptr;
  if (auto forced = forced_tool(body, tools)) {
    for (const auto& t : tools)
      if (t.name == *forced) chosen = &t;
  }
  std::string text = lower(last_user);
  const char* prefix = dialect == Dialect::openai ? "call_" : "toolu_";
  // Faults a real model commits: calling a tool nobody offered, or arguments that are not valid JSON.
  if (text.find("hallucinate a tool") != std::string::npos)
    return ToolCall{prefix + mock_id(std::string(last_user), 0), "no_such_tool", "{}"};
  for (const auto& t : tools)
    if (!chosen && text.find("call " + lower(t.name)) != std::string::npos) chosen = &t;
  if (!chosen && text.find("use the tool") != std::string::npos) chosen = &tools.front();
  if (!chosen) return std::nullopt;
  std::string arguments = sample_arguments(*chosen->schema);
  if (text.find("with broken arguments") != std::string::npos) arguments.pop_back();  // drop the closing brace
  return ToolCall{prefix + mock_id(chosen->name + std::string(last_user), 0), chosen->name, std::move(arguments)};
}

void read_messages(const json& body, Dialect dialect, ChatRequest& req) {
  auto count = [&](const std::string& text) {
    req.prompt_tokens += static_cast<std::int64_t>(split_words(text).size());
  };
  if (dialect == Dialect::anthropic && body.contains("system")) count(content_text(body["system"]));
  if (dialect == Dialect::responses && body.contains("instructions"))
    count(content_text(body["instructions"]));
  if (dialect == Dialect::responses && body["input"].is_string()) {
    req.last_user_text = body["input"].get<std::string>();
    count(req.last_user_text);
    req.prompt = split_words(req.last_user_text);
    return;
  }
  const char* list = dialect == Dialect::responses ? "input" : "messages";
  for (const auto& m : body[list]) {
    if (!m.is_object()) continue;
    std::string text = content_text(m.value("content", json()));
    count(text);
    if (m.value("role", "") == "user") req.last_user_text = std::move(text);
  }
  req.prompt = split_words(req.last_user_text);
}

}  // namespace

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

std::vector<std::string> answer_tokens(const std::vector<std::string>& prompt, int count) {
  static const std::vector<std::string> kEmptyPrompt{"mock"};
  const auto& words = prompt.empty() ? kEmptyPrompt : prompt;
  std::vector<std::string> tokens;
  tokens.reserve(static_cast<std::size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) {
    const auto& w = words[static_cast<std::size_t>(i) % words.size()];
    tokens.push_back(i == 0 ? w : " " + w);
  }
  return tokens;
}

std::string join_tokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) out += t;
  return out;
}

std::string mock_id(std::string_view text, std::uint64_t counter) {
  std::uint64_t h = 1469598103934665603ULL ^ counter;  // FNV-1a
  for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return fmt::format("{:016x}", h);
}

std::expected<ChatRequest, std::string> parse_chat(std::string_view body, Dialect dialect) try {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::unexpected("request body: expected a JSON object");
  if (!doc.contains("model") || !doc["model"].is_string())
    return std::unexpected("model: expected a string naming one of the listed models");
  if (dialect == Dialect::responses) {
    if (!doc.contains("input") || !(doc["input"].is_string() || doc["input"].is_array()))
      return std::unexpected("input: expected a string or an array of input items");
  } else if (!doc.contains("messages") || !doc["messages"].is_array()) {
    return std::unexpected("messages: expected an array of messages");
  }
  ChatRequest req;
  req.model = doc["model"].get<std::string>();
  req.stream = doc.value("stream", false);
  if (auto so = doc.find("stream_options"); so != doc.end() && so->is_object())
    req.include_usage = so->value("include_usage", false);
  for (const char* key : {"max_tokens", "max_completion_tokens", "max_output_tokens"})
    if (doc.contains(key) && doc[key].is_number_integer()) req.max_tokens = doc[key].get<std::int64_t>();
  read_messages(doc, dialect, req);
  if (dialect != Dialect::responses) req.tool_call = pick_tool(doc, dialect, req.last_user_text);
  return req;
} catch (const nlohmann::json::exception& e) {
  // A field of the wrong type (e.g. "stream": "yes"); nlohmann reports it by throwing.
  return std::unexpected(std::string("request body: a field has the wrong type: ") + e.what());
}

}  // namespace igw::mock
