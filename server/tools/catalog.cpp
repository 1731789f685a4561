#include "server/tools/catalog.hpp"

#include <algorithm>
#include <unordered_set>

#include <nlohmann/json.hpp>

namespace igw::server::tools {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameLength = 64;

json schema_or_empty(const std::string& text) {
  json schema = json::parse(text, nullptr, false);
  if (schema.is_discarded() || !schema.is_object()) schema = json{{"type", "object"}, {"properties", json::object()}};
  return schema;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string_view to_string(SourceKind kind) {
  return kind == SourceKind::mcp ? "mcp" : "a2a";
}

const Tool* ToolCatalog::find(std::string_view name) const {
  for (const auto& t : tools)
    if (t.name == name) return &t;
  return nullptr;
}

std::string ToolCatalog::openai_tools() const {
  std::string out;
  for (const auto& t : tools) {
    json fn{{"name", t.name}, {"description", t.description}, {"parameters", schema_or_empty(t.input_schema)}};
    if (!out.empty()) out += ',';
    out += json{{"type", "function"}, {"function", std::move(fn)}}.dump();
  }
  return out;
}

std::string ToolCatalog::listing_json() const {
  json data = json::array();
  for (const auto& t : tools) {
    data.push_back({{"name", t.name},
                    {"type", to_string(t.kind)},
                    {"server", sources[t.source].url},
                    {"remote_name", t.remote_name},
                    {"description", t.description},
                    {"input_schema", schema_or_empty(t.input_schema)}});
  }
  json servers = json::array();
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto& s = sources[i];
    auto count = std::count_if(tools.begin(), tools.end(), [&](const Tool& t) { return t.source == i; });
    json entry{{"url", s.url}, {"type", to_string(s.kind)}, {"state", s.up ? "up" : "down"}, {"tools", count}};
    if (!s.name.empty()) entry["name"] = s.name;
    if (!s.up && !s.error.empty()) entry["error"] = s.error;
    if (s.since.time_since_epoch().count() != 0) entry["since"] = rfc3339(s.since);
    servers.push_back(std::move(entry));
  }
  return json{{"object", "list"}, {"data", std::move(data)}, {"servers", std::move(servers)}}.dump();
}

std::string sanitize_tool_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    out += ok ? c : '_';
    if (out.size() == kMaxNameLength) break;
  }
  return out;
}

std::vector<Tool> assign_names(const std::vector<Source>& sources, const std::vector<std::vector<ListedTool>>& listed) {
  std::vector<Tool> tools;
  std::unordered_set<std::string> taken;
  std::size_t position[2] = {0, 0};  // 1-based position of a source among its kind
  for (std::size_t i = 0; i < sources.size() && i < listed.size(); ++i) {
    const auto& source = sources[i];
    const auto kind_index = static_cast<std::size_t>(source.kind);
    const std::size_t n = ++position[kind_index];
    const std::string prefix{to_string(source.kind)};
    std::unordered_set<std::string> seen;  // a tool listed twice by one server is offered once
    for (const auto& l : listed[i]) {
      if (!seen.insert(l.remote_name).second) continue;
      std::string name = sanitize_tool_name(prefix + "_" + l.remote_name);
      if (taken.contains(name)) name = sanitize_tool_name(prefix + "_" + std::to_string(n) + "_" + l.remote_name);
      if (taken.contains(name)) continue;  // still taken (a name that sanitizes like another): left out
      taken.insert(name);
      tools.push_back(Tool{name, source.kind, i, l.remote_name, l.description, l.input_schema});
    }
  }
  return tools;
}

bool tool_selected(std::string_view remote_name, const std::vector<std::string>& include,
                   const std::vector<std::string>& exclude) {
  auto listed_in = [&](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), remote_name) != names.end();
  };
  if (!include.empty() && !listed_in(include)) return false;
  return !listed_in(exclude);
}

}  // namespace igw::server::tools
