#include "server/auth/claims.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace igw::server::auth {
namespace {

using Json = nlohmann::json;
using Malformed = std::unexpected<Reason>;

// A NumericDate: integer or float JSON number (not a string, not a boolean) within +-2^53.
std::expected<std::int64_t, Reason> numeric_date(const Json& value) {
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    auto v = value.get<std::int64_t>();
    if (v >= -kMaxNumericDate && v <= kMaxNumericDate) return v;
  } else if (value.is_number_unsigned()) {
    auto v = value.get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(kMaxNumericDate)) return static_cast<std::int64_t>(v);
  } else if (value.is_number_float()) {
    double v = std::floor(value.get<double>());
    if (v >= -static_cast<double>(kMaxNumericDate) && v <= static_cast<double>(kMaxNumericDate))
      return static_cast<std::int64_t>(v);
  }
  return Malformed{Reason::malformed};
}

std::expected<std::optional<std::int64_t>, Reason> optional_date(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  auto date = numeric_date(*it);
  if (!date) return Malformed{date.error()};
  return *date;
}

// A string claim into `out` ("" when absent); false when present with another type.
bool read_string(const Json& claims, const char* name, std::string& out) {
  auto it = claims.find(name);
  if (it == claims.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool read_audience(const Json& claims, std::vector<std::string>& out) {
  auto it = claims.find("aud");
  if (it == claims.end()) return true;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return true;
  }
  if (!it->is_array()) return false;
  for (const auto& entry : *it) {
    if (!entry.is_string()) return false;
    out.push_back(entry.get<std::string>());
  }
  return true;
}

// a + b, clamped to the int64 range: options come from the caller and must not overflow.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

}  // namespace

std::expected<Claims, Reason> parse_claims(std::string_view json) {
  Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Malformed{Reason::malformed};
  Claims claims;
  if (auto iss = doc.find("iss"); iss != doc.end()) {
    if (!iss->is_string()) return Malformed{Reason::malformed};
    claims.iss = iss->get<std::string>();
  }
  if (!read_audience(doc, claims.aud) || !read_string(doc, "sub", claims.sub) ||
      !read_string(doc, "azp", claims.azp) || !read_string(doc, "client_id", claims.client_id))
    return Malformed{Reason::malformed};
  auto exp = doc.find("exp");
  if (exp == doc.end()) return Malformed{Reason::malformed};
  auto exp_date = numeric_date(*exp);
  auto nbf = optional_date(doc, "nbf");
  auto iat = optional_date(doc, "iat");
  if (!exp_date || !nbf || !iat) return Malformed{Reason::malformed};
  claims.exp = *exp_date;
  claims.nbf = *nbf;
  claims.iat = *iat;
  return claims;
}

std::expected<VerifiedClaims, Reason> check_claims(const Claims& claims, const VerifyOptions& options) {
  if (claims.iss != options.issuer) return std::unexpected(Reason::wrong_issuer);
  if (std::find(claims.aud.begin(), claims.aud.end(), options.audience) == claims.aud.end())
    return std::unexpected(Reason::wrong_audience);
  const std::int64_t skew = std::max<std::int64_t>(options.skew, 0);
  if (options.now >= saturating_add(claims.exp, skew)) return std::unexpected(Reason::expired);
  if (claims.nbf && options.now < saturating_add(*claims.nbf, -skew))
    return std::unexpected(Reason::not_yet_valid);
  if (claims.iat && *claims.iat > saturating_add(options.now, skew))
    return std::unexpected(Reason::issued_in_future);
  return VerifiedClaims{claims.sub, claims.azp.empty() ? claims.client_id : claims.azp, claims.exp};
}

}  // namespace igw::server::auth
