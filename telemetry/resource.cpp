#include "telemetry/resource.hpp"

namespace igw::telemetry {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}


}  // namespace

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_key_values(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto member = text.substr(0, comma);
    auto eq = member.find('=');
    if (eq != std::string_view::npos) {
      auto key = trim(member.substr(0, eq));
      if (!key.empty()) out.emplace_back(std::string{key}, percent_decode(trim(member.substr(eq + 1))));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

ServiceAttributes resolve_service(const ServiceInputs& in) {
  ServiceAttributes s{in.default_service_name, in.version, in.environment};
  for (const auto& [key, value] : parse_key_values(in.resource_attributes)) {
    if (key == resource_key::service_name) s.service_name = value;
    else if (key == resource_key::service_version) s.service_version = value;
    else if (key == resource_key::deployment_environment || key == resource_key::deployment_environment_name)
      s.deployment_environment = value;
  }
  if (in.service_name) s.service_name = *in.service_name;
  return s;
}

std::vector<std::pair<std::string, std::string>> resource_attributes(const ServiceInputs& in) {
  const auto service = resolve_service(in);
  std::vector<std::pair<std::string, std::string>> out{
      {std::string{resource_key::service_name}, service.service_name},
      {std::string{resource_key::service_version}, service.service_version},
      {std::string{resource_key::deployment_environment}, service.deployment_environment}};
  for (auto& [key, value] : parse_key_values(in.resource_attributes)) {
    if (key != resource_key::service_name && key != resource_key::service_version &&
        key != resource_key::deployment_environment && key != resource_key::deployment_environment_name)
      out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace igw::telemetry
