// The JWS signature algorithms the verifier accepts (RFC 7518 section 3) and the OpenSSL calls behind them.
// Everything else (none, HS*, PS384/512, ES512, EdDSA) is refused by name before any key is looked at.
#pragma once

#include <optional>
#include <string_view>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace igw::server::auth {

enum class Alg { RS256, RS384, RS512, PS256, ES256, ES384 };

// The kinds of public key a JWKS may hold that some Alg can use.
enum class KeyType { rsa, ec_p256, ec_p384 };

// "RS256" -> Alg::RS256; nullopt for any other name (matching is exact and case-sensitive).
std::optional<Alg> alg_from_name(std::string_view name);
std::string_view alg_name(Alg alg);

// RSA keys sign RS* and PS*; an EC key signs only the ES* of its curve (RFC 7518 section 3.4).
bool key_fits_alg(KeyType type, Alg alg);

// The exact signature length the algorithm demands, when it is fixed by the algorithm (ES256: 64, ES384:
// 96); nullopt for RSA, whose length is the modulus length.
std::optional<std::size_t> fixed_signature_length(Alg alg);

// True when `signature` (as decoded from the token) is a valid signature of `signing_input` under `key`.
// The caller has checked key_fits_alg. Never throws; any OpenSSL failure is a false.
bool verify_signature(Alg alg, evp_pkey_st* key, std::string_view signing_input, std::string_view signature);

}  // namespace igw::server::auth
