// Which models a request may ask for (ALLOWED_MODELS / DISALLOWED_MODELS).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace igw::server {

// ALLOWED_MODELS / DISALLOWED_MODELS: case-insensitive, full ("groq/llama") or unprefixed ("llama") ids.
// A non-empty allow list admits only its models (so allow wins); otherwise the deny list refuses its models.
class ModelPolicy {
 public:
  ModelPolicy() = default;
  ModelPolicy(std::vector<std::string> allowed, std::vector<std::string> disallowed);
  bool allows(std::string_view provider, std::string_view model) const;
  bool empty() const { return allowed_.empty() && disallowed_.empty(); }

 private:
  std::vector<std::string> allowed_;     // lower-cased
  std::vector<std::string> disallowed_;  // lower-cased
};

}  // namespace igw::server
