#include <doctest/doctest.h>

#include "server/upstream_pool.hpp"

using namespace igw::server;
using namespace std::chrono_literals;

TEST_SUITE("endpoint_cache") {
  TEST_CASE("names are kept for the TTL, numeric hosts for good, and a failed connect forgets") {
    EndpointCache cache;
    auto t0 = std::chrono::steady_clock::now();
    const std::string name = "https://api.example.com:443", numeric = "http://127.0.0.1:8081";
    CHECK(cache.find(name, t0) == nullptr);
    cache.store(name, {tcp::endpoint{asio::ip::make_address("192.0.2.7"), 443}}, false, t0);
    cache.store(numeric, {tcp::endpoint{asio::ip::make_address("127.0.0.1"), 8081}}, true, t0);
    REQUIRE(cache.find(name, t0 + 1s) != nullptr);
    CHECK(cache.find(name, t0 + 1s)->front().port() == 443);
    CHECK(cache.find(name, t0 + EndpointCache::kTtl - 1ms) != nullptr);
    CHECK(cache.find(name, t0 + EndpointCache::kTtl) == nullptr);
    CHECK(cache.find(numeric, t0 + 24h) != nullptr);
    // A fresh lookup replaces the entry and starts a new TTL.
    cache.store(name, {tcp::endpoint{asio::ip::make_address("192.0.2.8"), 443}}, false, t0 + 1h);
    REQUIRE(cache.find(name, t0 + 1h + 1s) != nullptr);
    CHECK(cache.find(name, t0 + 1h + 1s)->front().address().to_string() == "192.0.2.8");
    cache.forget(name);
    CHECK(cache.find(name, t0 + 1h + 1s) == nullptr);
    CHECK(cache.find(numeric, t0 + 1h) != nullptr);
  }
}
