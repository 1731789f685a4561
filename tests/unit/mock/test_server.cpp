#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "mock/server.hpp"

using namespace igw::mock;

namespace {

// One HTTP/1.1 exchange over a plain socket; returns everything until the server closes.
std::string exchange(std::uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

std::string post(const std::string& body) {
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: "
         "application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_SUITE("mock/server") {
  TEST_CASE("serves JSON and SSE on a port picked by the kernel, with several workers") {
    Options o;
    o.port = 0;
    o.workers = 2;
    o.tokens = 3;
    auto server = Server::start(o);
    REQUIRE(server);
    auto port = (*server)->port();
    CHECK(port != 0);
    for (int i = 0; i < 4; ++i) {
      auto json =
          exchange(port, post(R"({"model":"mock-gpt-4o","messages":[{"role":"user","content":"x y"}]})"));
      CHECK(json.starts_with("HTTP/1.1 200"));
      CHECK(json.find(R"("content":"x y x")") != std::string::npos);
    }
    auto sse = exchange(
        port, post(R"({"model":"mock-gpt-4o","stream":true,"messages":[{"role":"user","content":"x"}]})"));
    CHECK(sse.find("Content-Type: text/event-stream") != std::string::npos);
    CHECK(sse.find("Transfer-Encoding: chunked") != std::string::npos);
    CHECK(sse.find("data: [DONE]") != std::string::npos);
    auto models = exchange(port, "GET /v1/models HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    CHECK(models.find("mock-gpt-4o-mini") != std::string::npos);
    (*server)->stop();
  }

  TEST_CASE("start-up errors name what is wrong") {
    Options o;
    o.port = 0;
    o.host = "not-an-ip";
    CHECK(Server::start(o).error().find("--host not-an-ip") != std::string::npos);
    o.host = "127.0.0.1";
    o.tls_cert = "/nonexistent/cert.pem";
    CHECK(Server::start(o).error().find("go together") != std::string::npos);
    o.tls_key = "/nonexistent/key.pem";
    CHECK(Server::start(o).error().find("/nonexistent/cert.pem") != std::string::npos);
    o.tls_cert.clear();
    o.tls_key.clear();
    o.workers = 0;
    CHECK(Server::start(o).error().find("--workers 0") != std::string::npos);
  }

  TEST_CASE("a port in use is an error naming the address") {
    Options o;
    o.port = 0;
    auto first = Server::start(o);
    REQUIRE(first);
    o.port = (*first)->port();
    auto second = Server::start(o);
    REQUIRE_FALSE(second);
    CHECK(second.error().find("127.0.0.1:" + std::to_string(o.port)) != std::string::npos);
  }
}
