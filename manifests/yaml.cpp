#include "manifests/yaml.hpp"

#include <array>
#include <cctype>
#include <string_view>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "telemetry/promql.hpp"

namespace igw::manifests {
namespace {

using nlohmann::ordered_json;

// Plain scalars YAML 1.1 or 1.2 parsers read as booleans or null.
constexpr std::array<std::string_view, 22> kReserved{
    "true",  "false", "yes", "no", "on",  "off", "y", "n",    "null", "~",    "True",
    "False", "Yes",   "No",  "On", "Off", "Y",   "N", "NULL", "Null", "TRUE", "FALSE"};

// Digits with number or time punctuation (1, 0.5, 1e3, 8080:8080 as YAML 1.1 base 60, .inf ...).
bool looks_numeric(std::string_view s) {
  if (s.empty()) return false;
  bool digit = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (std::string_view{"+-.:_eExXoObB"}.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return digit || s.find('.') != std::string_view::npos;
}

bool needs_quotes(std::string_view s) {
  if (s.empty() || looks_numeric(s)) return true;
  for (auto word : kReserved)
    if (s == word) return true;
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == ".inf" || lower == "-.inf" || lower == ".nan";
}

// A literal block keeps the text as written; it cannot start with a space (yaml-cpp writes no
// indentation indicator) and must not carry trailing blank lines.
bool fits_literal(std::string_view s) {
  return s.front() != ' ' && s.find('\t') == std::string_view::npos &&
         s.find("\n\n") == std::string_view::npos && s.find(" \n") == std::string_view::npos &&
         s.back() != ' ';
}

void emit_string(YAML::Emitter& out, const std::string& s) {
  std::string_view view = s;
  if (view.find('\n') != std::string_view::npos) {
    std::string_view body = view;
    while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    if (!body.empty() && fits_literal(body)) {
      out << YAML::Literal << std::string{body};
      return;
    }
    out << YAML::DoubleQuoted << s;
  } else if (view.find("{{") != std::string_view::npos) {
    out << YAML::SingleQuoted << s;
  } else if (needs_quotes(view)) {
    out << YAML::DoubleQuoted << s;
  } else {
    out << s;
  }
}

void emit(YAML::Emitter& out, const ordered_json& value) {
  switch (value.type()) {
    case ordered_json::value_t::object:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emit_string(out, key);
        out << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case ordered_json::value_t::array:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case ordered_json::value_t::string:
      emit_string(out, value.get<std::string>());
      break;
    case ordered_json::value_t::boolean:
      out << (value.get<bool>() ? "true" : "false");
      break;
    case ordered_json::value_t::number_integer:
      out << value.get<std::int64_t>();
      break;
    case ordered_json::value_t::number_unsigned:
      out << value.get<std::uint64_t>();
      break;
    case ordered_json::value_t::number_float:
      out << telemetry::promql::number(value.get<double>());
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

std::string to_yaml(const ordered_json& document) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  emit(out, document);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

std::string to_yaml_stream(const std::vector<ordered_json>& documents) {
  std::string text;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (i > 0) text += "---\n";
    text += to_yaml(documents[i]);
  }
  return text;
}

}  // namespace igw::manifests
