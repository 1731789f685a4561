#include "server/auth/authenticator.hpp"

#include <unordered_map>
#include <vector>

#include "server/auth/bearer.hpp"
#include "server/auth/discovery.hpp"
#include "server/auth/jwks.hpp"
#include "server/auth/jwt.hpp"
#include "server/fetch.hpp"
#include "telemetry/log.hpp"

namespace igw::server::auth {

struct Authenticator::Keys {
  KeySet set;
  std::vector<std::string> algs;  // what the issuer publishes it signs with
  std::string jwks_uri;
  std::uint64_t generation = 0;
};

namespace {

namespace lg = telemetry::log;

constexpr std::string_view kDiscoveryPath = "/.well-known/openid-configuration";
constexpr std::size_t kMaxCachedTokens = 4096;
constexpr std::chrono::seconds kFetchTimeout{10};

std::string discovery_url(std::string_view issuer) {
  while (issuer.ends_with('/')) issuer.remove_suffix(1);
  return std::string{issuer} + std::string{kDiscoveryPath};
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct TokenHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Tokens verified on this thread, for one authenticator and key-set generation: a token seen again costs a
// lookup instead of a signature check, until it expires.
struct TokenCache {
  std::uint64_t owner = 0;
  std::uint64_t generation = 0;
  std::unordered_map<std::string, VerifiedClaims, TokenHash, std::equal_to<>> entries;
};

std::atomic<std::uint64_t> g_next_id{1};

Decision allowed(const VerifiedClaims& claims) {
  return {true, 200, Reason::missing_token, claims.sub.empty() ? claims.client_id : claims.sub};
}

}  // namespace

Authenticator::Authenticator(AuthenticatorOptions options) : options_(std::move(options)), id_(g_next_id++) {
  if (options_.recorder) options_.recorder->auth_keys_loaded(false);
}

Authenticator::~Authenticator() = default;

bool Authenticator::keys_loaded() const { return keys_.load() != nullptr; }

void Authenticator::publish(std::shared_ptr<const Keys> keys) {
  keys_.store(std::move(keys));
  if (options_.recorder) options_.recorder->auth_keys_loaded(true);
}

bool Authenticator::claim_refetch() {
  const auto now = Clock::now().time_since_epoch().count();
  const auto min_gap = options_.min_refetch_interval.count();
  auto last = last_jwks_fetch_.load();
  while (last == 0 || now - last >= min_gap)
    if (last_jwks_fetch_.compare_exchange_weak(last, now)) return true;
  return false;
}

awaitable<bool> Authenticator::load_all() {
  const FetchLimits discovery_limits{kFetchTimeout, kMaxDiscoveryBytes};
  auto doc = co_await fetch(discovery_url(options_.issuer), options_.tls, discovery_limits);
  std::string error;
  if (!doc) {
    error = doc.error();
  } else if (auto discovery = parse_discovery(*doc, options_.issuer); !discovery) {
    error = "discovery document: " + discovery.error();
  } else {
    last_jwks_fetch_ = Clock::now().time_since_epoch().count();
    ++jwks_fetches_;
    auto jwks = co_await fetch(discovery->jwks_uri, options_.tls, {kFetchTimeout, kMaxJwksBytes});
    if (!jwks) {
      error = jwks.error();
    } else if (auto set = parse_jwks(*jwks); !set) {
      error = "key set at " + discovery->jwks_uri + ": " + set.error();
    } else {
      const auto count = set->keys.size();
      publish(std::make_shared<const Keys>(
          Keys{std::move(*set), std::move(discovery->signing_algs), discovery->jwks_uri, ++generation_}));
      if (failing_ || generation_ == 1)
        lg::info(lg::logger::auth, "issuer keys loaded; bearer tokens are verified",
                 {{lg::field::url, options_.issuer}, {"keys", count}});
      failing_ = false;
      co_return true;
    }
  }
  if (!failing_)
    lg::warn(lg::logger::auth,
             keys_loaded() ? "issuer keys could not be refreshed; keeping the loaded ones"
                           : "issuer keys unavailable; protected routes answer 503 until they load",
             {{lg::field::url, options_.issuer}, {lg::field::error, error}});
  failing_ = true;
  co_return false;
}

awaitable<void> Authenticator::keep_keys_fresh() {
  Timer timer{co_await asio::this_coro::executor};
  Clock::duration backoff = kRetryMin;
  for (;;) {
    if (co_await load_all()) {
      backoff = kRetryMin;
      timer.expires_after(kRefreshInterval);
    } else {
      timer.expires_after(keys_loaded() ? Clock::duration{kRetryMax} : backoff);
      backoff = std::min<Clock::duration>(backoff * 2, kRetryMax);
    }
    auto [ec] = co_await timer.async_wait(as_tuple_awaitable);
    if (ec) co_return;
  }
}

awaitable<bool> Authenticator::refetch_jwks(std::shared_ptr<const Keys> keys) {
  ++jwks_fetches_;
  auto jwks = co_await fetch(keys->jwks_uri, options_.tls, {kFetchTimeout, kMaxJwksBytes});
  std::string error;
  if (!jwks) {
    error = jwks.error();
  } else if (auto set = parse_jwks(*jwks); !set) {
    error = "key set at " + keys->jwks_uri + ": " + set.error();
  } else {
    lg::info(lg::logger::auth, "issuer keys refetched for an unknown key id",
             {{lg::field::url, keys->jwks_uri}, {"keys", set->keys.size()}});
    publish(std::make_shared<const Keys>(Keys{std::move(*set), keys->algs, keys->jwks_uri, ++generation_}));
    co_return true;
  }
  lg::warn(lg::logger::auth, "issuer keys could not be refetched; keeping the loaded ones",
           {{lg::field::url, keys->jwks_uri}, {lg::field::error, error}});
  co_return false;
}

Decision Authenticator::verify(std::string_view token, const Keys& keys) const {
  thread_local TokenCache cache;
  if (cache.owner != id_ || cache.generation != keys.generation) {
    cache.entries.clear();
    cache.owner = id_;
    cache.generation = keys.generation;
  }
  VerifyOptions options{options_.issuer, options_.audience, unix_now(), 60, {}};
  if (auto it = cache.entries.find(token); it != cache.entries.end()) {
    if (options.now < it->second.exp + options.skew) return allowed(it->second);
    cache.entries.erase(it);
  }
  options.allowed_algs = keys.algs;
  auto claims = verify_token(token, keys.set, options);
  if (!claims) return {false, 401, claims.error(), {}};
  if (cache.entries.size() >= kMaxCachedTokens) cache.entries.clear();
  return allowed(cache.entries.emplace(std::string{token}, std::move(*claims)).first->second);
}

awaitable<Decision> Authenticator::check(std::string_view authorization) {
  auto token = bearer_token(authorization);
  if (!token) co_return Decision{false, 401, token.error(), {}};
  auto keys = keys_.load();
  if (!keys) co_return Decision{false, 503, Reason::keys_unavailable, {}};
  Decision d = verify(*token, *keys);
  if (!d.allowed && d.reason == Reason::unknown_kid && claim_refetch() && co_await refetch_jwks(keys))
    d = verify(*token, *keys_.load());
  co_return d;
}

}  // namespace igw::server::auth
