// The OpenID Provider metadata the verifier needs (OpenID Connect Discovery 1.0 section 3), read from
// <issuer>/.well-known/openid-configuration.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace igw::server::auth {

inline constexpr std::size_t kMaxDiscoveryBytes = 1 << 20;

struct Discovery {
  std::string issuer;
  std::string jwks_uri;
  // What the issuer signs its own tokens with, without repeats: the union of every
  // "*_signing_alg_values_supported" array except those listing what clients sign with (request objects,
  // "*_endpoint_auth_*"). Names are kept as published, supported by the verifier or not.
  std::vector<std::string> signing_algs;
};

// Parses the document. Its "issuer" must equal `configured_issuer` byte for byte (Discovery section 4.3:
// no trailing-slash or case folding), "jwks_uri" must be an http(s) URL, and each signing-alg array must
// hold strings only; anything else is an error naming the member.
std::expected<Discovery, std::string> parse_discovery(std::string_view document,
                                                      std::string_view configured_issuer);

}  // namespace igw::server::auth
