// Test support: keys made on the spot, their public JWKs, and tokens signed with them, so the verifier is
// checked against signatures OpenSSL produced rather than against fixtures copied from elsewhere.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace igw::server::auth::testing {

using Json = nlohmann::json;
using Key = std::shared_ptr<evp_pkey_st>;

Key new_rsa_key(int bits);
Key new_ec_key(const char* group);  // "prime256v1" or "secp384r1"

// One key of each kind per test run (RSA generation is slow under the sanitizers).
const Key& rsa2048();
const Key& rsa3072();
const Key& p256();
const Key& p384();

// The public JWK of `key` ({kty, n, e} or {kty, crv, x, y}) with "kid" and any `extra` members.
Json public_jwk(const Key& key, std::string_view kid, const Json& extra = Json::object());
std::string jwks(const Json& keys);  // {"keys": keys}

// header.payload.signature, where the signature is made with `key` for the header's "alg" (RS*, PS256,
// ES*). `pss_salt` is PS256's salt length (the right one is 32).
std::string sign(const Key& key, const Json& header, const Json& claims, int pss_salt = 32);

// An HMAC-SHA-256 token over the JSON, keyed with `secret`.
std::string sign_hs256(std::string_view secret, const Json& header, const Json& claims);

// header.payload.<signature_b64> with whatever signature the test wants.
std::string assemble(const Json& header, const Json& claims, std::string_view signature_b64);

// The PEM SubjectPublicKeyInfo of the key: the "secret" of the classic RSA/HMAC confusion attack.
std::string public_pem(const Key& key);

}  // namespace igw::server::auth::testing
