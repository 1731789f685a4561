#include "mock/chat.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mock/options.hpp"

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

// The tool call of this round, if the prompt (or the script) asks for one and the agent has rounds left.
std::optional<ToolCall> pick_tool(const json& body, Dialect dialect, const ChatRequest& req,
                                  const ToolScript& script) {
  if (req.tool_rounds_done >= script.rounds) return std::nullopt;
  auto tools = offered_tools(body, dialect);
  if (tools.empty()) return std::nullopt;
  const std::string& last_user = req.last_user_text;
  const Tool* chosen = nullptr;
  auto choose = [&](std::string_view name) {
    for (const auto& t : tools)
      if (!chosen && t.name == name) chosen = &t;
  };
  if (auto forced = forced_tool(body, tools)) choose(*forced);
  if (script.tool) choose(*script.tool);
  std::string text = lower(last_user);
  const char* prefix = dialect == Dialect::openai ? "call_" : "toolu_";
  // The round number keeps each round's call id distinct, as a real model's are.
  const auto round = static_cast<std::uint64_t>(req.tool_rounds_done);
  // Faults a real model commits: calling a tool nobody offered, or arguments that are not valid JSON.
  if (text.find("hallucinate a tool") != std::string::npos)
    return ToolCall{prefix + mock_id(last_user, round), "no_such_tool", script.arguments.value_or("{}")};
  for (const auto& t : tools)
    if (!chosen && text.find("call " + lower(t.name)) != std::string::npos) chosen = &t;
  if (!chosen && text.find("use the tool") != std::string::npos) chosen = &tools.front();
  if (!chosen) return std::nullopt;
  std::string arguments = script.arguments.value_or(sample_arguments(*chosen->schema));
  if (!script.arguments && text.find("with broken arguments") != std::string::npos)
    arguments.pop_back();  // drop the closing brace
  return ToolCall{prefix + mock_id(chosen->name + last_user, round), chosen->name, std::move(arguments)};
}

// A user message a person wrote, which starts a new turn of the agent loop. Anthropic returns tool output in
// user messages: one holding only tool_result blocks is not one.
bool user_text_message(const json& m, Dialect dialect) {
  if (m.value("role", "") != "user") return false;
  if (dialect != Dialect::anthropic) return true;
  auto content = m.find("content");
  if (content == m.end() || !content->is_array() || content->empty()) return true;
  return !std::ranges::all_of(
      *content, [](const json& b) { return b.is_object() && b.value("type", "") == "tool_result"; });
}

// An assistant message that called tools: OpenAI tool_calls, or an Anthropic tool_use block.
bool calls_tools(const json& m, Dialect dialect) {
  if (m.value("role", "") != "assistant") return false;
  auto list = m.find(dialect == Dialect::openai ? "tool_calls" : "content");
  if (list == m.end() || !list->is_array()) return false;
  if (dialect == Dialect::openai) return !list->empty();
  return std::ranges::any_of(
      *list, [](const json& b) { return b.is_object() && b.value("type", "") == "tool_use"; });
}

// The text of each tool result a message carries: an OpenAI "tool" message's content, or the content of each
// Anthropic tool_result block (a string or text blocks).
std::vector<std::string> tool_results_of(const json& m, Dialect dialect) {
  std::vector<std::string> results;
  auto content = m.find("content");
  if (dialect == Dialect::openai) {
    if (m.value("role", "") == "tool") results.push_back(content == m.end() ? "" : content_text(*content));
    return results;
  }
  if (m.value("role", "") != "user" || content == m.end() || !content->is_array()) return results;
  for (const auto& b : *content)
    if (b.is_object() && b.value("type", "") == "tool_result")
      results.push_back(b.contains("content") ? content_text(b["content"]) : "");
  return results;
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
    if (dialect == Dialect::responses) {  // no agent loop: the mock never calls its tools
      if (m.value("role", "") == "user") req.last_user_text = std::move(text);
      continue;
    }
    auto results = tool_results_of(m, dialect);
    if (dialect == Dialect::anthropic)  // tool_result blocks have no top-level text: count their content
      for (const auto& r : results) count(r);
    if (user_text_message(m, dialect)) {  // a new turn: results beside the text belong to the old one
      req.last_user_text = std::move(text);
      req.tool_rounds_done = 0;
      req.tool_results.clear();
      continue;
    }
    if (calls_tools(m, dialect)) ++req.tool_rounds_done;
    std::ranges::move(results, std::back_inserter(req.tool_results));
  }
  req.prompt = split_words(req.last_user_text);
}

// Whether text is a JSON object (x-mock-tool-arguments is sent on as it is, so it must be one).
bool json_object_text(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return !doc.is_discarded() && doc.is_object();
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

std::vector<std::string> answer_words(const ChatRequest& req) {
  if (req.tool_results.empty()) return req.prompt;
  std::string text = "Tool results:";
  for (std::size_t i = 0; i < req.tool_results.size(); ++i) {
    text += i == 0 ? " " : " | ";
    text += req.tool_results[i];
  }
  return split_words(text);
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

std::expected<ChatRequest, std::string> parse_chat(std::string_view body, Dialect dialect,
                                                   const ToolScript& script) try {
  if (dialect != Dialect::responses && script.arguments && !json_object_text(*script.arguments))
    return std::unexpected(
        fmt::format("{}: expected a JSON object, got {}", header::tool_arguments, *script.arguments));
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
  if (dialect != Dialect::responses) req.tool_call = pick_tool(doc, dialect, req, script);
  return req;
} catch (const nlohmann::json::exception& e) {
  // A field of the wrong type (e.g. "stream": "yes"); nlohmann reports it by throwing.
  return std::unexpected(std::string("request body: a field has the wrong type: ") + e.what());
}

}  // namespace igw::mock
