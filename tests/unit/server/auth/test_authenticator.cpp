#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <thread>
#include <vector>

#include "server/auth/authenticator.hpp"
#include "tests/unit/server/auth/token_maker.hpp"
#include "tests/unit/server/data_plane.hpp"

using namespace igw::server;
using namespace igw::server::auth;
using namespace igw::server::testing;
using namespace std::chrono_literals;
namespace t = igw::server::auth::testing;
using t::Json;

namespace {

constexpr const char* kAudience = "igw-client";
constexpr std::string_view kRealm = "/realms/igw";  // the issuer has a path, as Keycloak's do
constexpr std::string_view kDiscoveryPath = "/.well-known/openid-configuration";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An OIDC issuer on 127.0.0.1:0 (plain http): its discovery document and key set, each path's requests
// counted. An empty body answers 500.
struct FakeIssuer {
  FakeUpstream server;
  std::string base;  // the issuer URL
  std::string discovery;
  std::string jwks;
  std::map<std::string, int> hits;

  explicit FakeIssuer(asio::io_context& io) : server(io), base(server.url(kRealm)) {
    discovery = discovery_naming(base);
    jwks = t::jwks(Json::array({t::public_jwk(t::rsa2048(), "k1"), t::public_jwk(t::p384(), "k384")}));
    server.serve([this](Socket& s, int) -> awaitable<void> {
      beast::flat_buffer buffer;
      auto req = co_await read_request(s, buffer);
      if (!req) co_return;
      const std::string path{req->target()};
      ++hits[path];
      std::string body = path == discovery_path() ? discovery : path == jwks_path() ? jwks : "";
      if (body.empty()) {
        co_await send(s, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        co_return;
      }
      co_await send(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body);
    });
  }

  std::string discovery_naming(const std::string& issuer) const {
    return Json{{"issuer", issuer},
                {"jwks_uri", base + "/jwks"},
                {"id_token_signing_alg_values_supported", {"RS256", "ES256", "ES384"}}}
        .dump();
  }
  std::string discovery_path() const { return std::string{kRealm} + std::string{kDiscoveryPath}; }
  std::string jwks_path() const { return std::string{kRealm} + "/jwks"; }
  int discovery_hits() { return hits[discovery_path()]; }
  int jwks_hits() { return hits[jwks_path()]; }
};

// Remembers what the authenticator told it about its keys.
struct FakeRecorder : igw::telemetry::Recorder {
  std::vector<bool> keys_loaded;
  void request_started(std::string_view) override {}
  void request_finished(const igw::telemetry::RequestOutcome&) override {}
  void tool_call(std::string_view, std::string_view, const igw::telemetry::ToolCallOutcome&) override {}
  void auth_keys_loaded(bool loaded) override { keys_loaded.push_back(loaded); }
  std::string exposition() override { return {}; }
};

// A loop, a fake issuer on it, and an Authenticator for that issuer whose keep_keys_fresh runs on the loop
// once started (cancelled at the end).
struct Rig {
  asio::io_context io;  // first: the issuer's sockets and the coroutines go before it
  FakeIssuer issuer{io};
  FakeRecorder recorder;
  Authenticator auth;
  asio::cancellation_signal stop;
  bool running = false;

  // The refetch interval of production (5 s) unless a test shortens it.
  explicit Rig(std::string audience = kAudience, std::chrono::milliseconds refetch_interval = 5000ms)
      : auth(AuthenticatorOptions{issuer.base, std::move(audience), nullptr, &recorder, refetch_interval}) {}
  ~Rig() {
    if (!running) return;
    stop.emit(asio::cancellation_type::terminal);
    run_until([&] { return !running; }, 1000ms);
  }

  template <class Pred>
  void run_until(Pred pred, std::chrono::milliseconds limit = 2000ms) {
    auto end = std::chrono::steady_clock::now() + limit;
    io.restart();
    while (!pred() && std::chrono::steady_clock::now() < end) io.run_one_for(10ms);
  }

  void start() {
    running = true;
    asio::co_spawn(
        io, auth.keep_keys_fresh(),
        asio::bind_cancellation_slot(stop.slot(), [this](std::exception_ptr) { running = false; }));
  }

  // Starts keep_keys_fresh and runs the loop until the keys are loaded.
  void load() {
    start();
    run_until([&] { return auth.keys_loaded(); });
    REQUIRE(auth.keys_loaded());
  }

  Decision check(const std::string& authorization) {
    std::optional<Decision> d;
    asio::co_spawn(
        io, [&]() -> awaitable<void> { d = co_await auth.check(authorization); }, asio::detached);
    run_until([&] { return d.has_value(); });
    REQUIRE_MESSAGE(d, "check did not finish in time");
    return *d;
  }
};

Json claims(const Rig& rig) {
  const auto now = unix_now();
  return {{"iss", rig.issuer.base}, {"aud", kAudience}, {"exp", now + 600}, {"iat", now}, {"sub", "user-1"}};
}

std::string rs256(const Json& c, const char* kid = "k1") {
  return t::sign(t::rsa2048(), {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid}}, c);
}

std::string bearer(const std::string& token) {
  return "Bearer " + token;
}

void check_refused(const Decision& d, unsigned status, Reason reason) {
  CHECK_FALSE(d.allowed);
  CHECK(d.status == status);
  CHECK(to_string(d.reason) == to_string(reason));
  CHECK(d.user.empty());
}

}  // namespace

TEST_SUITE("auth.authenticator") {
  TEST_CASE("before the keys load: a token gets 503 keys_unavailable, a request without one still 401") {
    Rig rig;
    CHECK_FALSE(rig.auth.keys_loaded());
    check_refused(rig.check(bearer(rs256(claims(rig)))), 503, Reason::keys_unavailable);
    check_refused(rig.check(""), 401, Reason::missing_token);
    check_refused(rig.check("Basic dXNlcjpwdw=="), 401, Reason::missing_token);
    CHECK(rig.auth.jwks_fetches() == 0);
    CHECK(rig.issuer.hits.empty());
  }

  TEST_CASE("keep_keys_fresh loads the discovery document, then the key set it names, once") {
    Rig rig;
    rig.load();
    rig.run_until([] { return false; }, 100ms);  // no second fetch follows
    CHECK(rig.issuer.discovery_hits() == 1);
    CHECK(rig.issuer.jwks_hits() == 1);
    CHECK(rig.issuer.hits.size() == 2);
    CHECK(rig.auth.jwks_fetches() == 1);
  }

  TEST_CASE("the recorder hears keys-loaded false at construction and true once they load") {
    Rig rig;
    CHECK(rig.recorder.keys_loaded == std::vector<bool>{false});
    rig.load();
    CHECK(rig.recorder.keys_loaded == std::vector<bool>{false, true});
  }

  TEST_CASE("a valid token is allowed, its user the sub claim") {
    Rig rig;
    rig.load();
    auto d = rig.check(bearer(rs256(claims(rig))));
    CHECK(d.allowed);
    CHECK(d.user == "user-1");
    auto es = rig.check(bearer(t::sign(t::p384(), {{"alg", "ES384"}, {"kid", "k384"}}, claims(rig))));
    CHECK(es.allowed);
  }

  TEST_CASE("a token without sub: the user is azp, else client_id") {
    Rig rig;
    rig.load();
    Json c = claims(rig);
    c.erase("sub");
    SUBCASE("azp") {
      c["azp"] = "service-a";
      c["client_id"] = "service-b";
      auto d = rig.check(bearer(rs256(c)));
      CHECK(d.allowed);
      CHECK(d.user == "service-a");
    }
    SUBCASE("client_id") {
      c["client_id"] = "service-b";
      auto d = rig.check(bearer(rs256(c)));
      CHECK(d.allowed);
      CHECK(d.user == "service-b");
    }
  }

  TEST_CASE("refused tokens: 401 with the verifier's reason") {
    Rig rig;
    rig.load();
    const auto now = unix_now();
    auto with = [&](const Json& changes) {
      Json c = claims(rig);
      c.update(changes);
      return bearer(rs256(c));
    };
    check_refused(rig.check(with({{"exp", now - 3600}})), 401, Reason::expired);
    check_refused(rig.check(with({{"aud", "another-client"}})), 401, Reason::wrong_audience);
    check_refused(rig.check(with({{"iss", rig.issuer.base + "/"}})), 401, Reason::wrong_issuer);
    // user-2's claims under the signature made for user-1's
    const auto signed_for = rs256(claims(rig));
    auto claims_of = rs256([&] {
      Json c = claims(rig);
      c["sub"] = "user-2";
      return c;
    }());
    auto forged = claims_of.substr(0, claims_of.rfind('.')) + signed_for.substr(signed_for.rfind('.'));
    check_refused(rig.check(bearer(forged)), 401, Reason::bad_signature);
    check_refused(rig.check("Bearer"), 401, Reason::malformed);
    check_refused(rig.check("Bearer not-a-jwt"), 401, Reason::malformed);
  }

  TEST_CASE("an unknown kid right after the load: refused, and no refetch (the load was the last fetch)") {
    Rig rig;
    rig.load();
    rig.issuer.jwks =
        t::jwks(Json::array({t::public_jwk(t::rsa2048(), "k1"), t::public_jwk(t::p256(), "k2")}));
    auto token = t::sign(t::p256(), {{"alg", "ES256"}, {"kid", "k2"}}, claims(rig));
    check_refused(rig.check(bearer(token)), 401, Reason::unknown_kid);
    check_refused(rig.check(bearer(token)), 401, Reason::unknown_kid);
    CHECK(rig.auth.jwks_fetches() == 1);
    CHECK(rig.issuer.jwks_hits() == 1);
  }

  TEST_CASE(
      "an unknown kid once the refetch interval passed: one refetch, then accepted; another right after: "
      "no fetch") {
    Rig rig{kAudience, 300ms};
    rig.load();
    rig.issuer.jwks =
        t::jwks(Json::array({t::public_jwk(t::rsa2048(), "k1"), t::public_jwk(t::p256(), "k2")}));
    std::this_thread::sleep_for(400ms);  // the interval runs from the load
    auto d = rig.check(bearer(t::sign(t::p256(), {{"alg", "ES256"}, {"kid", "k2"}}, claims(rig))));
    CHECK(d.allowed);
    CHECK(d.user == "user-1");
    CHECK(rig.auth.jwks_fetches() == 2);
    CHECK(rig.issuer.jwks_hits() == 2);
    CHECK(rig.issuer.discovery_hits() == 1);
    CHECK(rig.check(bearer(rs256(claims(rig)))).allowed);  // k1 is still in the new set
    auto unknown = t::sign(t::p256(), {{"alg", "ES256"}, {"kid", "k3"}}, claims(rig));
    check_refused(rig.check(bearer(unknown)), 401, Reason::unknown_kid);
    CHECK(rig.auth.jwks_fetches() == 2);
    CHECK(rig.issuer.jwks_hits() == 2);
  }

  TEST_CASE("an issuer whose discovery document names another issuer: the keys never load") {
    Rig rig;
    rig.issuer.discovery = rig.issuer.discovery_naming(rig.issuer.base + "/");
    rig.start();
    rig.run_until([&] { return rig.issuer.discovery_hits() > 0; });
    rig.run_until([] { return false; }, 100ms);
    CHECK(rig.issuer.discovery_hits() == 1);
    CHECK(rig.issuer.jwks_hits() == 0);
    CHECK(rig.auth.jwks_fetches() == 0);
    CHECK_FALSE(rig.auth.keys_loaded());
    check_refused(rig.check(bearer(rs256(claims(rig)))), 503, Reason::keys_unavailable);
    CHECK(rig.recorder.keys_loaded == std::vector<bool>{false});
  }

  TEST_CASE("an issuer failing at first: 503 meanwhile, and the keys load on the retry kRetryMin later") {
    Rig rig;
    const auto good = rig.issuer.discovery;
    rig.issuer.discovery.clear();  // 500
    rig.start();
    rig.run_until([&] { return rig.issuer.discovery_hits() > 0; });
    check_refused(rig.check(bearer(rs256(claims(rig)))), 503, Reason::keys_unavailable);
    rig.issuer.discovery = good;
    const auto t0 = std::chrono::steady_clock::now();
    rig.run_until([&] { return rig.auth.keys_loaded(); }, Authenticator::kRetryMin + 1000ms);
    REQUIRE(rig.auth.keys_loaded());
    CHECK(std::chrono::steady_clock::now() - t0 < Authenticator::kRetryMin + 500ms);
    CHECK(rig.issuer.discovery_hits() == 2);
    CHECK(rig.check(bearer(rs256(claims(rig)))).allowed);
  }

  TEST_CASE("a verified token is served from the per-thread cache: far cheaper than verifying it") {
    Rig rig;
    rig.load();
    // ES384 verification is the slowest the verifier does; a cache hit is a lookup.
    std::vector<std::string> fresh;
    for (int i = 0; i < 21; ++i) {
      Json c = claims(rig);
      c["jti"] = "token-" + std::to_string(i);
      fresh.push_back(bearer(t::sign(t::p384(), {{"alg", "ES384"}, {"kid", "k384"}}, c)));
    }
    std::vector<std::chrono::nanoseconds> verified, cached;
    bool all_allowed = true;
    asio::co_spawn(
        rig.io,
        [&]() -> awaitable<void> {
          for (const auto& token : fresh) {
            auto t0 = std::chrono::steady_clock::now();
            all_allowed &= (co_await rig.auth.check(token)).allowed;
            verified.push_back(std::chrono::steady_clock::now() - t0);
          }
          for (int i = 0; i < 21; ++i) {
            auto t0 = std::chrono::steady_clock::now();
            all_allowed &= (co_await rig.auth.check(fresh.front())).allowed;
            cached.push_back(std::chrono::steady_clock::now() - t0);
          }
        },
        asio::detached);
    rig.run_until([&] { return cached.size() == 21; });
    REQUIRE(cached.size() == 21);
    CHECK(all_allowed);
    auto median = [](std::vector<std::chrono::nanoseconds> v) {
      std::nth_element(v.begin(), v.begin() + 10, v.end());
      return v[10];
    };
    CAPTURE(median(verified).count());
    CAPTURE(median(cached).count());
    CHECK(median(cached) * 10 < median(verified));
  }

  TEST_CASE("a cached token is refused once it expires (exp plus the 60 s skew)") {
    Rig rig;
    rig.load();
    // A token with one second of life left (exp 59 s ago, 60 s of skew), made early in a second so the first
    // check falls inside it.
    using namespace std::chrono;
    auto now = system_clock::now();
    if (now - floor<seconds>(now) > 600ms) std::this_thread::sleep_until(ceil<seconds>(now) + 5ms);
    const auto second = floor<seconds>(system_clock::now());
    const std::int64_t s = second.time_since_epoch().count();
    Json c = claims(rig);
    c["exp"] = s - 59;
    c["iat"] = s - 120;
    const auto token = bearer(rs256(c));
    REQUIRE(rig.check(token).allowed);
    REQUIRE(rig.check(token).allowed);  // now from the cache
    std::this_thread::sleep_until(second + 1s + 20ms);
    check_refused(rig.check(token), 401, Reason::expired);
  }

  TEST_CASE("the cache is per authenticator: a token one accepted is judged afresh by another") {
    Rig accepts;
    Rig other_audience{"another-client"};
    accepts.load();
    other_audience.load();
    // Both issuers serve the same keys: only iss and aud tell the token apart.
    const auto token = bearer(rs256(claims(accepts)));
    REQUIRE(accepts.check(token).allowed);
    check_refused(other_audience.check(token), 401, Reason::wrong_issuer);
    CHECK(accepts.check(token).allowed);
  }
}
