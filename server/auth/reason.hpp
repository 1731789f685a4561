// Why a bearer token was refused. One enumerator per rule of the verifier, so a refusal can be counted
// (to_string is a metric label value) and explained to the client (describe goes into WWW-Authenticate).
#pragma once

#include <string_view>

namespace igw::server::auth {

enum class Reason {
  missing_token,     // no Authorization header, another scheme, or an empty token
  malformed,         // not a compact JWS, bad base64url or JSON, a claim of the wrong type, too long
  unsupported_alg,   // none, HS*, or an algorithm the verifier does not implement
  alg_mismatch,      // alg not published by the issuer, or not usable with the key (type or pinned alg)
  unknown_kid,       // kid not in the key set (the caller may refetch the JWKS)
  bad_signature,     // no candidate key verifies the signature
  expired,           // now >= exp + skew
  not_yet_valid,     // now < nbf - skew
  issued_in_future,  // iat > now + skew
  wrong_issuer,      // iss missing or not exactly the configured issuer
  wrong_audience,    // aud missing or without the configured audience
  keys_unavailable,  // the key set is empty (not fetched yet, or the fetch failed)
};

inline constexpr int kReasonCount = static_cast<int>(Reason::keys_unavailable) + 1;

// snake_case name of the enumerator ("bad_signature").
std::string_view to_string(Reason reason);

// A short sentence for error_description: printable ASCII without '"' or '\', and never anything taken
// from the token.
std::string_view describe(Reason reason);

}  // namespace igw::server::auth
