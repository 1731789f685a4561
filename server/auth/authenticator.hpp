// Bearer-token auth for the gateway (AUTH_ENABLE): the issuer's discovery document and key set fetched on
// the event loop and kept fresh, and a decision per request. Never open: until the keys are loaded every
// protected request is refused with 503.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/asio.hpp"
#include "server/auth/reason.hpp"
#include "telemetry/recorder.hpp"

namespace igw::server::auth {

struct AuthenticatorOptions {
  std::string issuer;    // AUTH_OIDC_ISSUER, compared byte for byte with the discovery document and `iss`
  std::string audience;  // AUTH_OIDC_CLIENT_ID: `aud` must contain it
  ssl::context* tls = nullptr;                  // verifies an https issuer
  telemetry::Recorder* recorder = nullptr;      // the keys-loaded gauge (may be null)
  // A token with an unknown kid may trigger a JWKS refetch no more often than this, gateway-wide, so a
  // flood of forged kids cannot make igw hammer the issuer. (Shorter only in tests.)
  std::chrono::steady_clock::duration min_refetch_interval = std::chrono::seconds(5);
};

struct Decision {
  bool allowed = false;
  unsigned status = 401;    // when refused: 401, or 503 while the keys are not loaded
  Reason reason = Reason::missing_token;
  std::string user;         // when allowed: the token's sub, else its azp / client_id
};

class Authenticator {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kRetryMin{1};
  static constexpr std::chrono::seconds kRetryMax{30};
  static constexpr std::chrono::minutes kRefreshInterval{10};

  explicit Authenticator(AuthenticatorOptions options);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Loads the discovery document and the key set, retrying with backoff until they load, then refreshes
  // them every kRefreshInterval (a failed refresh keeps the keys it has). Runs on one worker's loop for the
  // gateway's lifetime.
  awaitable<void> keep_keys_fresh();

  // The decision for an Authorization header value. A token whose kid is not in the key set may wait for
  // one JWKS refetch, when one is due. Verified tokens are remembered per thread until they expire.
  awaitable<Decision> check(std::string_view authorization);

  bool keys_loaded() const;
  // JWKS documents fetched so far (the first load included).
  std::uint64_t jwks_fetches() const { return jwks_fetches_.load(); }

  struct Keys;

 private:
  awaitable<bool> load_all();
  awaitable<bool> refetch_jwks(std::shared_ptr<const Keys> keys);
  bool claim_refetch();
  void publish(std::shared_ptr<const Keys> keys);
  Decision verify(std::string_view token, const Keys& keys) const;

  AuthenticatorOptions options_;
  std::uint64_t id_;  // tells this authenticator's entries in the per-thread token caches from another's
  std::atomic<std::shared_ptr<const Keys>> keys_;
  std::atomic<Clock::rep> last_jwks_fetch_{0};  // steady-clock ticks of the last JWKS fetch (0: none)
  std::atomic<std::uint64_t> jwks_fetches_{0};
  std::atomic<std::uint64_t> generation_{0};
  bool failing_ = false;  // the last load failed (logged once per change); touched by keep_keys_fresh only
};

}  // namespace igw::server::auth
