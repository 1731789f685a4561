// Loads the config catalog's settings from the environment, then flags, validating each value and
// remembering where it came from.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/settings.hpp"

namespace igw::config {

using Environment = std::map<std::string, std::string, std::less<>>;
// Flag values keyed by the setting's env name.
using FlagValues = std::map<std::string, std::string, std::less<>>;

Environment process_environment();

enum class Origin { default_value, env, flag };
std::string_view to_string(Origin origin);

struct Value {
  std::string text;     // as given (or the default)
  Origin origin = Origin::default_value;
  std::string from;     // the env variable or flag it came from (an alias, say)
  std::variant<std::monostate, bool, std::int64_t, std::chrono::nanoseconds, std::vector<std::string>> parsed;
};

struct ConfigError {
  enum class Kind {
    invalid,        // the value does not parse as the setting's type
    missing,        // the variable is required by another one but unset
    not_available,  // a planned setting given a value other than its default
  };
  std::string variable;
  std::string value;  // already masked when the setting is secret
  std::string expected;
  Kind kind = Kind::invalid;
  // One line: `invalid TELEMETRY_METRICS_PORT="abc": expected a port number from 0 to 65535`.
  std::string message() const;
};

class Config {
 public:
  static std::expected<Config, ConfigError> load(const Environment& env, const FlagValues& flags = {});

  const Value& value(std::size_t index) const { return values_[index]; }
  const Value& value(Key key) const { return values_[index_of(key)]; }
  const std::string& text(Key key) const { return value(key).text; }
  bool boolean(Key key) const;
  std::int64_t integer(Key key) const;
  std::uint16_t port(Key key) const { return static_cast<std::uint16_t>(integer(key)); }
  std::uint64_t size(Key key) const { return static_cast<std::uint64_t>(integer(key)); }
  std::chrono::nanoseconds duration(Key key) const;
  const std::vector<std::string>& list(Key key) const;

  const std::string& provider_url(std::size_t provider) const { return values_[provider_url_index(provider)].text; }
  const std::string& provider_key(std::size_t provider) const { return values_[provider_key_index(provider)].text; }
  // A provider is enabled when its key is set; one that needs no key (a local server) also when its URL is
  // set explicitly.
  bool provider_enabled(std::size_t provider) const;

  // What `config show` prints for a value: secrets masked.
  std::string display(std::size_t index) const;

 private:
  std::vector<Value> values_;
};

// "sk-abcdef123456" -> "sk-a****"; empty stays empty.
std::string mask_secret(std::string_view secret);

}  // namespace igw::config
