// YAML text for the generators' documents. Every generator builds its objects as ordered JSON (one model
// for `-o json` and `-o yaml`); this writes them through yaml-cpp's emitter, choosing quoting so that each
// string reads back as the same string.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace igw::manifests {

// One YAML document, ending in a newline. Multi-line strings become literal blocks (`|`), strings holding
// `{{ ... }}` templates are single-quoted, and strings a parser would read as another type are quoted.
std::string to_yaml(const nlohmann::ordered_json& document);

// Several documents separated by `---`.
std::string to_yaml_stream(const std::vector<nlohmann::ordered_json>& documents);

}  // namespace igw::manifests
