#include "server/auth/reason.hpp"

#include <array>

namespace igw::server::auth {
namespace {

struct ReasonText {
  Reason reason;
  std::string_view name;
  std::string_view description;
};

constexpr std::array<ReasonText, kReasonCount> kReasons{{
    {Reason::missing_token, "missing_token", "a bearer token is required"},
    {Reason::malformed, "malformed", "the token is not a well-formed JWT"},
    {Reason::unsupported_alg, "unsupported_alg", "the token's signing algorithm is not supported"},
    {Reason::alg_mismatch, "alg_mismatch", "the token's signing algorithm is not allowed for its key"},
    {Reason::unknown_kid, "unknown_kid", "the token was signed with an unknown key"},
    {Reason::bad_signature, "bad_signature", "the token's signature is invalid"},
    {Reason::expired, "expired", "the token has expired"},
    {Reason::not_yet_valid, "not_yet_valid", "the token is not valid yet"},
    {Reason::issued_in_future, "issued_in_future", "the token was issued in the future"},
    {Reason::wrong_issuer, "wrong_issuer", "the token was issued by an untrusted issuer"},
    {Reason::wrong_audience, "wrong_audience", "the token is not intended for this service"},
    {Reason::keys_unavailable, "keys_unavailable", "the issuer's signing keys are unavailable"},
}};

// The table is indexed by the enum: a row out of place fails the build.
constexpr bool rows_in_enum_order() {
  for (int i = 0; i < kReasonCount; ++i)
    if (static_cast<int>(kReasons[static_cast<std::size_t>(i)].reason) != i) return false;
  return true;
}
static_assert(rows_in_enum_order());

const ReasonText& row(Reason reason) {
  auto index = static_cast<std::size_t>(reason);
  return kReasons[index < kReasons.size() ? index : static_cast<std::size_t>(Reason::malformed)];
}

}  // namespace

std::string_view to_string(Reason reason) {
  return row(reason).name;
}

std::string_view describe(Reason reason) {
  return row(reason).description;
}

}  // namespace igw::server::auth
