// The tools the gateway runs itself: what its MCP servers and A2A agents offer, the name each tool is
// offered to models under, and the state of each server. A catalog is an immutable snapshot: the registry
// builds a new one whenever a server comes, goes or changes its tool list, and requests read whichever
// snapshot was current when they started.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace igw::server::tools {

enum class SourceKind { mcp, a2a };
std::string_view to_string(SourceKind kind);  // "mcp", "a2a" (the tool_type label values)

// One MCP server or A2A agent.
struct Source {
  SourceKind kind = SourceKind::mcp;
  std::string url;        // as configured (MCP endpoint; A2A base URL)
  bool up = false;        // initialized and listed (MCP) / card loaded (A2A)
  std::string error;      // why it is down, when it is
  std::string name;       // serverInfo.name / the agent card's name
  std::string endpoint;   // where calls go: the MCP URL, or the agent card's JSON-RPC url
  std::string session_id; // MCP: Mcp-Session-Id of the current session (empty: stateless server)
  std::string protocol_version;  // MCP: the version the server chose at initialize
  std::chrono::system_clock::time_point since{};  // when `up` last changed
};

struct Tool {
  std::string name;         // as offered to models: mcp_<tool>, a2a_<agent> (see assign_names)
  SourceKind kind = SourceKind::mcp;
  std::size_t source = 0;   // index into ToolCatalog::sources
  std::string remote_name;  // the name the MCP server lists; the agent's name for A2A
  std::string description;
  std::string input_schema;  // JSON Schema object text
};

// What a server lists, before names are assigned.
struct ListedTool {
  std::string remote_name;
  std::string description;
  std::string input_schema;
};

struct ToolCatalog {
  std::vector<Source> sources;
  std::vector<Tool> tools;

  const Tool* find(std::string_view name) const;
  bool empty() const { return tools.empty(); }
  // The tools as OpenAI chat `tools` entries ({"type":"function","function":{name, description,
  // parameters}}), comma-separated, for splicing into a request's tools array.
  std::string openai_tools() const;
  // GET /v1/mcp/tools: {"object":"list","data":[tools],"servers":[sources]}.
  std::string listing_json() const;
};

// A name models accept (OpenAI: ^[a-zA-Z0-9_-]{1,64}$): other characters become '_', cut at 64.
std::string sanitize_tool_name(std::string_view name);

// Builds the tools of a catalog from what each source lists (listed[i] belongs to sources[i]; a source
// that is down lists nothing). Names: "mcp_<tool>" for MCP tools, "a2a_<agent name>" for agents. When
// two sources offer the same name, the first source in configuration order keeps it and the later one's
// tool is named "mcp_<n>_<tool>" (n: the source's 1-based position among its kind), so names never clash
// and stay stable while the servers keep their order.
std::vector<Tool> assign_names(const std::vector<Source>& sources, const std::vector<std::vector<ListedTool>>& listed);

// Whether an MCP tool is offered under MCP_INCLUDE_TOOLS / MCP_EXCLUDE_TOOLS (names as the server lists
// them; an empty include list includes all).
bool tool_selected(std::string_view remote_name, const std::vector<std::string>& include,
                   const std::vector<std::string>& exclude);

}  // namespace igw::server::tools
