#include "server/model_policy.hpp"

#include "server/ascii.hpp"

namespace igw::server {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view provider, std::string_view model) {
  for (const auto& entry : list) {
    if (iequals(entry, model)) return true;
    if (entry.size() == provider.size() + 1 + model.size() &&
        iequals(std::string_view{entry}.substr(0, provider.size()), provider) &&
        entry[provider.size()] == '/' && iequals(std::string_view{entry}.substr(provider.size() + 1), model))
      return true;
  }
  return false;
}

}  // namespace

ModelPolicy::ModelPolicy(std::vector<std::string> allowed, std::vector<std::string> disallowed) {
  for (auto& a : allowed) allowed_.push_back(to_lower(a));
  for (auto& d : disallowed) disallowed_.push_back(to_lower(d));
}

bool ModelPolicy::allows(std::string_view provider, std::string_view model) const {
  if (!allowed_.empty()) return listed(allowed_, provider, model);
  return !listed(disallowed_, provider, model);
}

}  // namespace igw::server
