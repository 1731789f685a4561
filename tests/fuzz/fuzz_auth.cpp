// libFuzzer target for everything bearer-token auth parses from the outside: the Authorization header, the
// token (split, header, claims, signature against a real key set) and the issuer's discovery document and
// key set. The first byte picks the parser; the rest is its input. Nothing may crash, hang or leak.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "server/auth/bearer.hpp"
#include "server/auth/discovery.hpp"
#include "server/auth/jwks.hpp"
#include "server/auth/jws.hpp"
#include "server/auth/jwt.hpp"
#include "tests/unit/server/auth/token_maker.hpp"

namespace {

namespace auth = igw::server::auth;
namespace t = igw::server::auth::testing;

constexpr std::string_view kIssuer = "https://issuer.test";
constexpr std::string_view kAudience = "igw";

struct World {
  std::string jwks_text;
  auth::KeySet keys;
  std::string rs256, es256;  // tokens the key set accepts
  std::string discovery;
};

World make_world() {
  World w;
  auto rsa = t::new_rsa_key(2048);
  auto ec = t::new_ec_key("prime256v1");
  w.jwks_text = t::jwks(t::Json::array({t::public_jwk(rsa, "r1"), t::public_jwk(ec, "e1")}));
  w.keys = *auth::parse_jwks(w.jwks_text);
  const t::Json claims{{"iss", kIssuer}, {"aud", kAudience}, {"sub", "fuzz"}, {"exp", 4102444800}, {"iat", 1}};
  w.rs256 = t::sign(rsa, {{"alg", "RS256"}, {"kid", "r1"}}, claims);
  w.es256 = t::sign(ec, {{"alg", "ES256"}, {"kid", "e1"}}, claims);
  w.discovery = t::Json{{"issuer", kIssuer},
                        {"jwks_uri", std::string{kIssuer} + "/jwks"},
                        {"id_token_signing_alg_values_supported", {"RS256", "ES256"}}}
                    .dump();
  return w;
}

const World& world() {
  static const World w = make_world();
  return w;
}

void write_seed(const std::filesystem::path& dir, const std::string& name, char selector, std::string_view body) {
  std::ofstream out{dir / name, std::ios::binary};
  out << selector << body;
}

}  // namespace

// IGW_FUZZ_SEEDS=<dir>: write inputs that reach deep into each parser (valid tokens, documents), then fuzz.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& w = world();
  if (const char* dir = std::getenv("IGW_FUZZ_SEEDS")) {
    std::filesystem::create_directories(dir);
    write_seed(dir, "token_rs256", 0, w.rs256);
    write_seed(dir, "token_es256", 0, w.es256);
    write_seed(dir, "bearer", 1, "Bearer " + w.rs256);
    write_seed(dir, "jwks", 2, w.jwks_text);
    write_seed(dir, "discovery", 3, w.discovery);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
  const auto& w = world();
  switch (data[0] % 4) {
    case 0: {
      auth::VerifyOptions options{std::string{kIssuer}, std::string{kAudience}, 1700000000, 60, {"RS256", "ES256"}};
      (void)auth::verify_token(input, w.keys, options);
      break;
    }
    case 1: {
      auto token = auth::bearer_token(input);
      if (token && token->size() <= input.size()) (void)auth::split_compact(*token);
      break;
    }
    case 2: (void)auth::parse_jwks(input); break;
    case 3: (void)auth::parse_discovery(input, kIssuer); break;
  }
  return 0;
}
