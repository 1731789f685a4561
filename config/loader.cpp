#include "config/loader.hpp"

#include <unistd.h>

#include "config/parse.hpp"
#include "config/providers.hpp"

namespace igw::config {
namespace {

std::expected<Value, ConfigError> parse_value(const Setting& s, std::string text, Origin origin, std::string from) {
  Value v{std::move(text), origin, std::move(from), {}};
  auto fail = [&](std::string expected) {
    return std::unexpected(ConfigError{v.from, s.secret ? mask_secret(v.text) : v.text, std::move(expected)});
  };
  switch (s.type) {
    case ValueType::string:
    case ValueType::path: break;
    case ValueType::boolean: {
      auto b = parse_bool(v.text);
      if (!b) return fail(b.error());
      v.parsed = *b;
      break;
    }
    case ValueType::integer: {
      auto i = parse_integer(v.text, 0, 1'000'000'000);
      if (!i) return fail(i.error());
      v.parsed = *i;
      break;
    }
    case ValueType::port: {
      auto p = parse_port(v.text);
      if (!p) return fail(p.error());
      v.parsed = std::int64_t{*p};
      break;
    }
    case ValueType::size: {
      auto n = parse_size(v.text);
      if (!n || *n > static_cast<std::uint64_t>(INT64_MAX)) return fail(n ? "a smaller size" : n.error());
      v.parsed = static_cast<std::int64_t>(*n);
      break;
    }
    case ValueType::duration: {
      auto d = parse_duration(v.text);
      if (!d) return fail(d.error());
      v.parsed = *d;
      break;
    }
    case ValueType::milliseconds: {
      auto d = parse_milliseconds(v.text);
      if (!d) return fail(d.error());
      v.parsed = *d;
      break;
    }
    case ValueType::ratio: {
      auto r = parse_ratio(v.text);
      if (!r) return fail(r.error());
      break;  // read as text where used
    }
    case ValueType::pairs: {
      auto ok = check_pairs(v.text);
      if (!ok) return fail(ok.error());
      break;
    }
    case ValueType::url: {
      if (v.text.empty()) break;  // unset optional URL
      auto u = parse_url(v.text);
      if (!u) return fail(u.error());
      v.text = *u;
      break;
    }
    case ValueType::choice: {
      bool ok = false;
      for (const auto& c : s.choices) ok = ok || c == v.text;
      if (!ok) {
        std::string expected = "one of ";
        for (std::size_t i = 0; i < s.choices.size(); ++i) expected += (i ? ", " : "") + s.choices[i];
        return fail(expected);
      }
      break;
    }
    case ValueType::list: v.parsed = parse_list(v.text); break;
  }
  return v;
}

// A planned setting keeps its default: nothing reads it yet, so accepting another value would promise what
// igw does not do (AUTH_ENABLE=true must never start an open gateway).
std::expected<void, ConfigError> check_planned(const Setting& s, const Value& v) {
  if (s.status != Status::planned || v.origin == Origin::default_value) return {};
  auto def = parse_value(s, s.default_value, Origin::default_value, s.env);
  if (def && def->parsed == v.parsed && (v.parsed.index() != 0 || def->text == v.text)) return {};
  return std::unexpected(ConfigError{v.from, s.secret ? mask_secret(v.text) : v.text,
                                     "this build of igw does not implement " + s.env + " (a planned setting); "
                                     "leave it unset",
                                     ConfigError::Kind::not_available});
}

// Rules that involve more than one setting.
std::expected<void, ConfigError> check_combinations(const Config& c) {
  const auto& cert = c.value(Key::server_tls_cert_path);
  const auto& key = c.value(Key::server_tls_key_path);
  if (cert.text.empty() != key.text.empty()) {
    const auto& missing = cert.text.empty() ? settings()[index_of(Key::server_tls_cert_path)]
                                            : settings()[index_of(Key::server_tls_key_path)];
    return std::unexpected(ConfigError{missing.env, "", "a path, since the other half of the TLS pair is set",
                                       ConfigError::Kind::missing});
  }
  if (c.boolean(Key::telemetry_enable) && c.port(Key::telemetry_metrics_port) != 0 &&
      c.port(Key::telemetry_metrics_port) == c.port(Key::server_port)) {
    const auto& m = c.value(Key::telemetry_metrics_port);
    return std::unexpected(ConfigError{m.from, m.text, "a port other than SERVER_PORT (metrics never share the API port)"});
  }
  return {};
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv{*e};
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string{kv.substr(0, eq)}, std::string{kv.substr(eq + 1)});
  }
  return env;
}

std::string_view to_string(Origin origin) {
  switch (origin) {
    case Origin::default_value: return "default";
    case Origin::env: return "env";
    case Origin::flag: return "flag";
  }
  return "default";
}

std::string ConfigError::message() const {
  switch (kind) {
    case Kind::missing: return "missing " + variable + ": expected " + expected;
    case Kind::not_available: return variable + "=\"" + value + "\" is not available yet: " + expected;
    case Kind::invalid: break;
  }
  return "invalid " + variable + "=\"" + value + "\": expected " + expected;
}

std::expected<Config, ConfigError> Config::load(const Environment& env, const FlagValues& flags) {
  Config c;
  auto all = settings();
  c.values_.reserve(all.size());
  for (const auto& s : all) {
    std::string text = s.default_value;
    Origin origin = Origin::default_value;
    std::string from = s.env;
    // The canonical name wins over aliases; a flag wins over the environment.
    if (auto it = env.find(s.env); it != env.end()) {
      text = it->second, origin = Origin::env;
    } else {
      for (const auto& alias : s.aliases) {
        if (auto a = env.find(alias); a != env.end()) {
          text = a->second, origin = Origin::env, from = alias;
          break;
        }
      }
    }
    if (auto f = flags.find(s.env); f != flags.end()) text = f->second, origin = Origin::flag, from = s.flag;
    auto v = parse_value(s, std::move(text), origin, std::move(from));
    if (!v) return std::unexpected(v.error());
    if (auto ok = check_planned(s, *v); !ok) return std::unexpected(ok.error());
    c.values_.push_back(std::move(*v));
  }
  if (auto ok = check_combinations(c); !ok) return std::unexpected(ok.error());
  return c;
}

bool Config::boolean(Key key) const { return std::get<bool>(value(key).parsed); }
std::int64_t Config::integer(Key key) const { return std::get<std::int64_t>(value(key).parsed); }
std::chrono::nanoseconds Config::duration(Key key) const { return std::get<std::chrono::nanoseconds>(value(key).parsed); }
const std::vector<std::string>& Config::list(Key key) const {
  return std::get<std::vector<std::string>>(value(key).parsed);
}

bool Config::provider_enabled(std::size_t provider) const {
  if (!provider_key(provider).empty()) return true;
  return !providers()[provider].needs_key && values_[provider_url_index(provider)].origin != Origin::default_value;
}

std::string Config::display(std::size_t index) const {
  return settings()[index].secret ? mask_secret(values_[index].text) : values_[index].text;
}

std::string mask_secret(std::string_view secret) {
  if (secret.empty()) return {};
  // Show at most 3 leading characters of long secrets (enough to tell keys apart, never enough to use).
  if (secret.size() < 12) return "****";
  return std::string{secret.substr(0, 3)} + "****";
}

}  // namespace igw::config
