#include "server/auth/discovery.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace igw::server::auth {
namespace {

using Json = nlohmann::json;
using Error = std::unexpected<std::string>;

constexpr std::string_view kAlgSuffix = "_signing_alg_values_supported";

// Arrays that list what clients may sign with, not what the issuer signs tokens with.
constexpr std::array<std::string_view, 3> kClientSigned{
    "request_object_signing_alg_values_supported",
    "backchannel_authentication_request_signing_alg_values_supported",
    "_endpoint_auth_signing_alg_values_supported",  // token_, revocation_, introspection_endpoint_auth_
};

bool issuer_signed(std::string_view member) {
  if (!member.ends_with(kAlgSuffix)) return false;
  return std::none_of(kClientSigned.begin(), kClientSigned.end(),
                      [&](std::string_view client) { return member.ends_with(client); });
}

std::expected<std::string, std::string> required_string(const Json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return Error{std::string{"discovery document has no \""} + name + "\" string"};
  return it->get<std::string>();
}

std::expected<void, std::string> add_algs(const std::string& member, const Json& values,
                                          std::vector<std::string>& algs) {
  if (!values.is_array()) return Error{"discovery \"" + member + "\" is not an array"};
  for (const auto& value : values) {
    if (!value.is_string()) return Error{"discovery \"" + member + "\" holds a non-string"};
    const auto& name = value.get_ref<const std::string&>();
    if (std::find(algs.begin(), algs.end(), name) == algs.end()) algs.push_back(name);
  }
  return {};
}

}  // namespace

std::expected<Discovery, std::string> parse_discovery(std::string_view document,
                                                      std::string_view configured_issuer) {
  if (document.size() > kMaxDiscoveryBytes) return Error{"discovery document is larger than 1 MiB"};
  Json doc = Json::parse(document.begin(), document.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{"discovery document is not valid JSON"};
  if (!doc.is_object()) return Error{"discovery document is not a JSON object"};
  Discovery out;
  auto issuer = required_string(doc, "issuer");
  if (!issuer) return Error{issuer.error()};
  if (*issuer != configured_issuer)
    return Error{"discovery issuer \"" + *issuer + "\" is not the configured issuer \"" +
                 std::string{configured_issuer} + "\""};
  auto jwks_uri = required_string(doc, "jwks_uri");
  if (!jwks_uri) return Error{jwks_uri.error()};
  if (!jwks_uri->starts_with("https://") && !jwks_uri->starts_with("http://"))
    return Error{"discovery \"jwks_uri\" \"" + *jwks_uri + "\" is not an http(s) URL"};
  out.issuer = std::move(*issuer);
  out.jwks_uri = std::move(*jwks_uri);
  for (const auto& [member, values] : doc.items()) {
    if (!issuer_signed(member)) continue;
    if (auto added = add_algs(member, values, out.signing_algs); !added) return Error{added.error()};
  }
  return out;
}

}  // namespace igw::server::auth
