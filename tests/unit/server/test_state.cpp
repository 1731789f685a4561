#include <doctest/doctest.h>

#include "config/loader.hpp"
#include "server/state.hpp"

using namespace igw::server;
namespace config = igw::config;
using namespace std::chrono_literals;

namespace {

config::Config load_config(const config::Environment& env) {
  auto c = config::Config::load(env);
  if (!c) FAIL(c.error().message());
  return std::move(*c);
}

const ProviderRuntime& find(const GatewayState& state, std::string_view id) {
  for (const auto& p : state.providers)
    if (p.def->id == id) return p;
  FAIL("no provider " << id);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_SUITE("state") {
  TEST_CASE("each limit comes from its own setting, in the data plane's units") {
    GatewayState s;
    auto loaded = load_state(load_config({{"SERVER_READ_TIMEOUT", "1s"},
                                          {"SERVER_WRITE_TIMEOUT", "2s"},
                                          {"SERVER_IDLE_TIMEOUT", "3s"},
                                          {"SERVER_DRAIN_TIMEOUT", "4s"},
                                          {"SERVER_MAX_REQUEST_BODY_SIZE", "12345"},
                                          {"CLIENT_TIMEOUT", "5s"},
                                          {"CLIENT_CONNECT_TIMEOUT", "6s"},
                                          {"CLIENT_RESPONSE_HEADER_TIMEOUT", "7s"},
                                          {"CLIENT_STREAM_IDLE_TIMEOUT", "8s"},
                                          {"CLIENT_IDLE_CONN_TIMEOUT", "9500ms"},
                                          {"CLIENT_MAX_IDLE_CONNS", "11"},
                                          {"CLIENT_MAX_IDLE_CONNS_PER_HOST", "12"},
                                          {"MCP_EXPOSE", "true"}}),
                             s);
    REQUIRE(loaded);
    const auto& l = s.limits;
    CHECK(l.read_timeout == 1s);
    CHECK(l.write_timeout == 2s);
    CHECK(l.idle_timeout == 3s);
    CHECK(l.drain_timeout == 4s);
    CHECK(l.max_body == 12345);
    CHECK(l.client_timeout == 5s);
    CHECK(l.connect_timeout == 6s);
    CHECK(l.header_timeout == 7s);
    CHECK(l.stream_idle_timeout == 8s);
    CHECK(l.pool_idle_timeout == 9500ms);
    CHECK(l.pool_max_idle == 11);
    CHECK(l.pool_max_idle_per_host == 12);
    CHECK(s.mcp_expose);
  }

  TEST_CASE("the provider table, indexed like config::providers(), enabled by key (or URL, for keyless ones)") {
    GatewayState s;
    REQUIRE(load_state(load_config({{"GROQ_API_KEY", "gsk-1"}}), s));
    auto defs = config::providers();
    REQUIRE(s.providers.size() == defs.size());
    for (std::size_t i = 0; i < defs.size(); ++i) {
      CAPTURE(defs[i].id);
      CHECK(s.providers[i].def == &defs[i]);
      CHECK(s.providers[i].index == i);
      CHECK(s.providers[i].key_env == config::provider_key_env(defs[i]));
      CHECK(s.providers[i].url_text == defs[i].default_url);
      CHECK(s.providers[i].enabled == (defs[i].id == "groq"));  // keyless ones need their URL set
    }
    const auto& groq = find(s, "groq");
    CHECK(groq.key == "gsk-1");
    CHECK(groq.url.tls);
    CHECK(groq.url.host == "api.groq.com");
    CHECK(groq.url.port == 443);
    CHECK(groq.url.base_path == "/openai/v1");
    CHECK_FALSE(find(s, "ollama").enabled);  // needs no key, but its URL is the default
    CHECK(find(s, "openai").key.empty());
    CHECK_FALSE(find(s, "openai").enabled);
  }

  TEST_CASE("a provider URL override is parsed for the data plane") {
    GatewayState s;
    REQUIRE(load_state(load_config({{"OLLAMA_API_URL", "http://127.0.0.1:11434/api/"}}), s));
    const auto& p = find(s, "ollama");
    CHECK(p.url_text == "http://127.0.0.1:11434/api/");
    CHECK_FALSE(p.url.tls);
    CHECK(p.url.host == "127.0.0.1");
    CHECK(p.url.port == 11434);
    CHECK(p.url.base_path == "/api");
    CHECK(p.url.origin() == "http://127.0.0.1:11434");
  }

  TEST_CASE("a bad URL: one line naming the variable for an enabled provider; a disabled one stays off") {
    const std::string bad = "http://api.example.com:99999/v1";  // a URL to the config, not a port
    {
      GatewayState s;
      auto loaded = load_state(load_config({{"OPENAI_API_URL", bad}, {"OPENAI_API_KEY", "sk-1"}}), s);
      REQUIRE_FALSE(loaded);
      CHECK(loaded.error().starts_with("OPENAI_API_URL: "));
      CHECK(loaded.error().find(bad) != std::string::npos);
      CHECK(loaded.error().find("port") != std::string::npos);
      CHECK(loaded.error().find('\n') == std::string::npos);
    }
    {
      GatewayState s;
      REQUIRE(load_state(load_config({{"OPENAI_API_URL", bad}}), s));
      CHECK_FALSE(find(s, "openai").enabled);
    }
    {
      GatewayState s;
      auto loaded = load_state(load_config({{"OLLAMA_API_URL", bad}}), s);  // enabled without a key
      REQUIRE_FALSE(loaded);
      CHECK(loaded.error().starts_with("OLLAMA_API_URL: "));
    }
  }

  TEST_CASE("loading again replaces the provider table") {
    GatewayState s;
    REQUIRE(load_state(load_config({}), s));
    REQUIRE(load_state(load_config({{"OPENAI_API_KEY", "sk-1"}}), s));
    CHECK(s.providers.size() == config::providers().size());
    CHECK(find(s, "openai").enabled);
  }
}
