#include "server/auth/reason.hpp"

namespace igw::server::auth {

std::string_view to_string(Reason reason) {
  switch (reason) {
    case Reason::missing_token: return "missing_token";
    case Reason::malformed: return "malformed";
    case Reason::unsupported_alg: return "unsupported_alg";
    case Reason::alg_mismatch: return "alg_mismatch";
    case Reason::unknown_kid: return "unknown_kid";
    case Reason::bad_signature: return "bad_signature";
    case Reason::expired: return "expired";
    case Reason::not_yet_valid: return "not_yet_valid";
    case Reason::issued_in_future: return "issued_in_future";
    case Reason::wrong_issuer: return "wrong_issuer";
    case Reason::wrong_audience: return "wrong_audience";
    case Reason::keys_unavailable: return "keys_unavailable";
  }
  return "unknown";
}

std::string_view describe(Reason reason) {
  switch (reason) {
    case Reason::missing_token: return "a bearer token is required";
    case Reason::malformed: return "the token is not a well-formed JWT";
    case Reason::unsupported_alg: return "the token's signing algorithm is not supported";
    case Reason::alg_mismatch: return "the token's signing algorithm is not allowed for its key";
    case Reason::unknown_kid: return "the token was signed with an unknown key";
    case Reason::bad_signature: return "the token's signature is invalid";
    case Reason::expired: return "the token has expired";
    case Reason::not_yet_valid: return "the token is not valid yet";
    case Reason::issued_in_future: return "the token was issued in the future";
    case Reason::wrong_issuer: return "the token was issued by an untrusted issuer";
    case Reason::wrong_audience: return "the token is not intended for this service";
    case Reason::keys_unavailable: return "the issuer's signing keys are unavailable";
  }
  return "the token was refused";
}

}  // namespace igw::server::auth
