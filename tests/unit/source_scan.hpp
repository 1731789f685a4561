// Reading the project's own sources from unit tests: the catalogs' "implemented" claims are checked
// against the code that should read or record each entry.
#pragma once

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace igw::test {

inline std::string read_source(const std::filesystem::path& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The .cpp and .hpp files under the given folders of the source tree (relative to IGW_SOURCE_DIR), minus
// the excluded files (relative paths such as "config/settings.cpp"), each as (relative path, text).
inline std::vector<std::pair<std::string, std::string>> sources(std::vector<std::string_view> folders,
                                                                std::vector<std::string_view> excluded = {}) {
  namespace fs = std::filesystem;
  const fs::path root{IGW_SOURCE_DIR};
  std::vector<std::pair<std::string, std::string>> out;
  for (auto folder : folders) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      std::string rel = fs::relative(entry.path(), root).generic_string();
      bool skip = false;
      for (auto e : excluded) skip = skip || rel == e;
      if (!skip) out.emplace_back(rel, read_source(entry.path()));
    }
  }
  return out;
}

// The enumerators of `enum class <name> ... { a, b, c, count_ }` in a header, in order (without count_).
inline std::vector<std::string> enumerators(std::string_view header, std::string_view enum_name) {
  std::string text = read_source(std::filesystem::path{IGW_SOURCE_DIR} / header);
  auto start = text.find("enum class " + std::string{enum_name} + " ");
  if (start == std::string::npos) return {};
  auto open = text.find('{', start), close = text.find('}', open);
  std::string body = text.substr(open + 1, close - open - 1);
  body = std::regex_replace(body, std::regex{"//[^\n]*"}, "");
  std::vector<std::string> names;
  const std::regex ident{"[a-z_][a-z0-9_]*"};
  for (std::sregex_iterator it{body.begin(), body.end(), ident}, end; it != end; ++it)
    if (it->str() != "count_") names.push_back(it->str());
  return names;
}

// True when `pattern` matches somewhere in one of the sources.
inline bool any_matches(const std::vector<std::pair<std::string, std::string>>& files, const std::regex& pattern) {
  for (const auto& [path, text] : files)
    if (std::regex_search(text, pattern)) return true;
  return false;
}

}  // namespace igw::test
