// OTLP over HTTP/1.1 (http/protobuf, http/json): make_http_transport against a real cpp-httplib server on
// 127.0.0.1, plain and TLS, plus a raw socket peer where the bytes on the wire matter (gzip).

// (httplib's compile definitions come from pkg-config through the test target, like igw_telemetry.)
#include <httplib.h>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <zlib.h>

#include "telemetry/otlp_transport.hpp"
#include "tests/unit/server/tls_files.hpp"  // the self-signed certificate maker the server's TLS tests use

namespace otlp = igw::telemetry::otlp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// What the peer saw of one request.
struct Seen {
  std::string method, path, body;
  httplib::Headers headers;
  int remote_port = -1;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);  // httplib's Headers compare names case-insensitively
    return it == headers.end() ? std::string{} : it->second;
  }
};

// How the peer answers.
struct Answer {
  int status = 200;
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering; cut short when the peer stops
};

// A cpp-httplib server (plain or TLS) on 127.0.0.1, an ephemeral port, on its own thread. It records every
// POST, on any path, and answers with the current Answer.
class Peer {
 public:
  explicit Peer(Answer answer = {}, const igw::server::testing::SelfSigned* tls = nullptr) : answer_(answer) {
    if (tls)
      server_ = std::make_unique<httplib::SSLServer>(tls->cert.c_str(), tls->key.c_str());
    else
      server_ = std::make_unique<httplib::Server>();
    REQUIRE(server_->is_valid());
    server_->set_keep_alive_timeout(2);
    server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    port_ = server_->bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op until the accept loop runs: wait for it, so that the destructor cannot hang.
    auto deadline = Clock::now() + 5s;
    while (!server_->is_running() && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    if (!server_->is_running()) {
      thread_.detach();
      FAIL("the httplib server did not start");
    }
  }
  ~Peer() {
    {
      std::lock_guard lock{mutex_};
      stopping_ = true;
    }
    cv_.notify_all();
    server_->stop();
    thread_.join();
  }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  int port() const { return port_; }
  void set_answer(Answer a) {
    std::lock_guard lock{mutex_};
    answer_ = std::move(a);
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock{mutex_};
    return seen_;
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock{mutex_};
    seen_.push_back(Seen{req.method, req.path, req.body, req.headers, req.remote_port});
    Answer a = answer_;
    if (a.delay > 0ms) cv_.wait_for(lock, a.delay, [this] { return stopping_; });
    res.status = a.status;
    if (!a.body.empty()) res.set_content(a.body, "text/plain");
  }

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  Answer answer_;
  std::vector<Seen> seen_;
};

// A port on 127.0.0.1 nothing listens on: bound, then closed.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A bare TCP peer for one request: it keeps the exact bytes the client wrote (head and body as sent, before
// any decoding), answers 200 and closes. Everything it does is bounded by a 5 s deadline.
class RawPeer {
 public:
  RawPeer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listen_fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listen_fd_, 4) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawPeer() {
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
  }
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;

  int port() const { return port_; }
  // After the client's send returned (the thread has answered by then, or given up).
  std::string head() {
    if (thread_.joinable()) thread_.join();
    return head_;
  }
  const std::string& body() const { return body_; }

 private:
  void serve() {
    auto deadline = Clock::now() + 5s;
    auto wait_readable = [&](int fd) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      return ::poll(&p, 1, static_cast<int>(left)) == 1;
    };
    if (!wait_readable(listen_fd_)) return;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::string data;
    std::size_t need = std::string::npos;
    for (;;) {
      auto end = data.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        head_ = data.substr(0, end + 4);
        std::size_t length = 0;
        // Content-Length, whatever its case.
        std::string lower = head_;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto at = lower.find("\r\ncontent-length:");
        if (at != std::string::npos) length = std::stoul(head_.substr(at + 17));
        need = end + 4 + length;
      }
      if (need != std::string::npos && data.size() >= need) break;
      if (!wait_readable(fd)) break;
      char buf[16384];
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
    }
    if (need != std::string::npos && data.size() >= need)
      body_ = data.substr(head_.size(), need - head_.size());
    static constexpr std::string_view ok =
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)!::send(fd, ok.data(), ok.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  }

  int listen_fd_ = -1;
  int port_ = -1;
  std::thread thread_;
  std::string head_, body_;
};

// Inflates a gzip member (gzip wrapper only: a zlib or raw deflate stream fails).
std::optional<std::string> gunzip(std::string_view in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    char buf[16384];
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // truncated input
  }
  bool complete = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!complete) return std::nullopt;
  return out;
}

std::string local_url(int port, const std::string& path = "/v1/traces", const std::string& scheme = "http") {
  return scheme + "://127.0.0.1:" + std::to_string(port) + path;
}

otlp::Endpoint endpoint_for(const std::string& url, std::chrono::milliseconds timeout = 5000ms) {
  otlp::Endpoint e;
  e.url = url;
  e.timeout = timeout;
  return e;
}

const std::string kPayload("\x0a\x05spans\x00\xff\r\n\x1f\x8b",
                           13);  // an encoded request: NUL, CR LF included

}  // namespace

TEST_SUITE("otlp_http") {
  TEST_CASE("a POST to the URL's path: the body unchanged, Content-Type by protocol, User-Agent, headers") {
    Peer peer;
    std::string path = "/v1/traces";
    otlp::Protocol protocol = otlp::Protocol::http_protobuf;
    std::string content_type = "application/x-protobuf";
    std::string body = kPayload;
    SUBCASE("http/protobuf, /v1/traces") {}
    SUBCASE("http/protobuf, a custom path") {
      path = "/custom/traces";
    }
    SUBCASE("http/json") {
      protocol = otlp::Protocol::http_json;
      content_type = "application/json";
      body = R"({"resourceSpans":[]})";
    }
    auto e = endpoint_for(local_url(peer.port(), path));
    e.headers = {{"Authorization", "Bearer s3cret"}, {"X-Tenant", "acme"}};
    auto result = otlp::make_http_transport(e, protocol)->send(body);
    CHECK(result.ok);
    CHECK_FALSE(result.retryable);
    CHECK(result.error.empty());
    auto seen = peer.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "POST");
    CHECK(seen[0].path == path);
    CHECK(seen[0].body == body);
    CHECK(seen[0].header("Content-Type") == content_type);
    CHECK(seen[0].header("Content-Length") == std::to_string(body.size()));
    CHECK(seen[0].header("User-Agent").starts_with("igw/"));
    CHECK(seen[0].headers.count("User-Agent") == 1);
    CHECK(seen[0].header("Authorization") == "Bearer s3cret");
    CHECK(seen[0].header("X-Tenant") == "acme");
    CHECK(seen[0].header("Content-Encoding").empty());
  }

  TEST_CASE("a URL without a path posts to /") {
    Peer peer;
    auto result =
        otlp::make_http_transport(endpoint_for(local_url(peer.port(), "")), otlp::Protocol::http_protobuf)
            ->send(kPayload);
    CHECK(result.ok);
    auto seen = peer.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].path == "/");
  }

  TEST_CASE("gzip: the httplib server sees Content-Encoding gzip, fewer bytes, and inflates the body back") {
    // cpp-httplib's server inflates a gzip request body itself (req.body is the plain text); what was on
    // the wire shows in Content-Length. The next test checks the wire bytes themselves.
    Peer peer;
    auto e = endpoint_for(local_url(peer.port()));
    e.gzip = true;
    std::string body(64 * 1024, 'a');
    for (std::size_t i = 0; i < body.size(); i += 97) body[i] = static_cast<char>('0' + i % 10);
    auto result = otlp::make_http_transport(e, otlp::Protocol::http_protobuf)->send(body);
    CHECK(result.ok);
    auto seen = peer.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].header("Content-Encoding") == "gzip");
    CHECK(seen[0].header("Content-Type") == "application/x-protobuf");
    CHECK(seen[0].body == body);
    auto wire_length = std::stoul(seen[0].header("Content-Length"));
    CHECK(wire_length > 0);
    CHECK(wire_length < body.size() / 10);
  }

  TEST_CASE("gzip: the bytes on the wire are a gzip member of the body") {
    RawPeer peer;
    auto e = endpoint_for(local_url(peer.port()));
    e.gzip = true;
    std::string body = R"({"resourceSpans":[{"scopeSpans":[]}]})";
    body += std::string(4096, ' ');
    body += kPayload;
    auto result = otlp::make_http_transport(e, otlp::Protocol::http_json)->send(body);
    CHECK(result.ok);
    std::string head = peer.head();
    CAPTURE(head);
    CHECK(head.starts_with("POST /v1/traces HTTP/1.1\r\n"));
    CHECK(head.find("\r\nContent-Encoding: gzip\r\n") != std::string::npos);
    CHECK(head.find("\r\nContent-Type: application/json\r\n") != std::string::npos);
    const std::string& wire = peer.body();
    REQUIRE(wire.size() >= 18);
    CHECK(static_cast<unsigned char>(wire[0]) == 0x1f);  // the gzip magic
    CHECK(static_cast<unsigned char>(wire[1]) == 0x8b);
    CHECK(static_cast<unsigned char>(wire[2]) == 8);  // deflate
    CHECK(wire.size() < body.size());
    auto inflated = gunzip(wire);
    REQUIRE(inflated);
    CHECK(*inflated == body);
  }

  TEST_CASE("2xx is a success") {
    int status = 200;
    SUBCASE("200") {}
    SUBCASE("202") {
      status = 202;
    }
    CAPTURE(status);
    Peer peer{Answer{status, "{}"}};
    auto result = otlp::make_http_transport(endpoint_for(local_url(peer.port())), otlp::Protocol::http_json)
                      ->send("{}");
    CHECK(result.ok);
    CHECK(result.error.empty());
  }

  TEST_CASE(
      "HTTP 400: not retryable; the error names the URL, the status and the body's first part on one line") {
    std::string body = "invalid\nrequest:\r\nbad span" + std::string(400, 'x') + "TAIL";
    Peer peer{Answer{400, body}};
    auto url = local_url(peer.port());
    auto result = otlp::make_http_transport(endpoint_for(url), otlp::Protocol::http_protobuf)->send(kPayload);
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.retryable);
    CAPTURE(result.error);
    CHECK(result.error.find(url) != std::string::npos);
    CHECK(result.error.find("HTTP 400") != std::string::npos);
    CHECK(result.error.find("invalid request:  bad span") != std::string::npos);
    CHECK(result.error.find('\n') == std::string::npos);
    CHECK(result.error.find('\r') == std::string::npos);
    CHECK(result.error.find("TAIL") == std::string::npos);  // only the first part of a long body
    CHECK(result.error.size() < url.size() + 300);
  }

  TEST_CASE("429, 502, 503 and 504 are retryable; other errors are not") {
    struct Case {
      int status;
      bool retryable;
    };
    for (auto c : {Case{429, true}, Case{502, true}, Case{503, true}, Case{504, true}, Case{401, false},
                   Case{404, false}, Case{413, false}, Case{500, false}}) {
      CAPTURE(c.status);
      Peer peer{Answer{c.status, ""}};
      auto url = local_url(peer.port());
      auto result =
          otlp::make_http_transport(endpoint_for(url), otlp::Protocol::http_protobuf)->send(kPayload);
      CHECK_FALSE(result.ok);
      CHECK(result.retryable == c.retryable);
      CHECK(result.error.find(url) != std::string::npos);
      CHECK(result.error.find("HTTP " + std::to_string(c.status)) != std::string::npos);
    }
  }

  TEST_CASE("a refused connection: retryable, the error names the URL") {
    auto url = local_url(closed_port());
    auto start = Clock::now();
    auto result = otlp::make_http_transport(endpoint_for(url), otlp::Protocol::http_protobuf)->send(kPayload);
    CHECK(Clock::now() - start < 1s);
    CHECK_FALSE(result.ok);
    CHECK(result.retryable);
    CAPTURE(result.error);
    CHECK(result.error ==
          "OTLP export to " + url + ": could not connect (refused, unreachable or unknown host)");
  }

  TEST_CASE(
      "a server slower than the timeout: the send ends near the timeout with an error; the next one works") {
    Peer peer{Answer{200, "", 2000ms}};
    auto url = local_url(peer.port());
    auto transport = otlp::make_http_transport(endpoint_for(url, 300ms), otlp::Protocol::http_protobuf);
    auto start = Clock::now();
    auto result = transport->send(kPayload);
    auto took = Clock::now() - start;
    CHECK_FALSE(result.ok);
    CHECK(result.retryable);
    CAPTURE(result.error);
    CHECK(result.error.starts_with("OTLP export to " + url + ": "));
    CHECK(result.error.find("timed out after 300 ms") != std::string::npos);
    CHECK(took >= 250ms);
    CHECK(took < 1500ms);
    peer.set_answer(Answer{});
    CHECK(transport->send(kPayload).ok);
    CHECK(peer.seen().size() == 2);
  }

  TEST_CASE("keep-alive: consecutive sends share one connection") {
    Peer peer;
    auto transport =
        otlp::make_http_transport(endpoint_for(local_url(peer.port())), otlp::Protocol::http_protobuf);
    CHECK(transport->send(kPayload).ok);
    CHECK(transport->send(kPayload).ok);
    CHECK(transport->send(kPayload).ok);
    auto seen = peer.seen();
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].remote_port > 0);
    CHECK(seen[1].remote_port == seen[0].remote_port);
    CHECK(seen[2].remote_port == seen[0].remote_port);
    CHECK(seen[0].header("Connection") != "close");
  }

  TEST_CASE("https: the certificate checked against ca_file, the system store, or not at all when insecure") {
    igw::server::testing::TempDir dir;
    auto files = igw::server::testing::make_self_signed(dir, "collector");
    Peer peer{Answer{}, &files};
    std::string port = std::to_string(peer.port());
    otlp::Endpoint e = endpoint_for("https://127.0.0.1:" + port + "/v1/traces");
    bool verified = true;
    SUBCASE("ca_file, by address") {
      e.ca_file = files.cert;
    }
    SUBCASE("ca_file, by name") {
      e.url = "https://localhost:" + port + "/v1/traces";
      e.ca_file = files.cert;
    }
    SUBCASE("insecure: no verification, no ca_file") {
      e.insecure = true;
    }
    SUBCASE("the system store does not know the certificate") {
      verified = false;
    }
    auto result = otlp::make_http_transport(e, otlp::Protocol::http_protobuf)->send(kPayload);
    CAPTURE(result.error);
    CHECK(result.ok == verified);
    auto seen = peer.seen();
    if (verified) {
      REQUIRE(seen.size() == 1);
      CHECK(seen[0].path == "/v1/traces");
      CHECK(seen[0].body == kPayload);
    } else {
      CHECK(seen.empty());
      CHECK_FALSE(result.retryable);  // the same certificate will not pass later
      CHECK(result.error == "OTLP export to " + e.url + ": TLS: server certificate verify failed");
    }
  }

  TEST_CASE("an unusable URL: every send fails with one line naming it, no crash") {
    std::string url;
    SUBCASE("not a url") {
      url = "not a url";
    }
    SUBCASE("an unsupported scheme") {
      url = "ftp://127.0.0.1:4318/v1/traces";
    }
    SUBCASE("empty") {
      url = "";
    }
    SUBCASE("no scheme") {
      url = "127.0.0.1:4318/v1/traces";
    }
    SUBCASE("a scheme and no host") {
      url = "http:///v1/traces";
    }
    SUBCASE("a scheme and nothing else") {
      url = "https://";
    }
    SUBCASE("a port and no host") {
      url = "http://:4318/v1/traces";
    }
    CAPTURE(url);
    auto transport = otlp::make_http_transport(endpoint_for(url, 1000ms), otlp::Protocol::http_protobuf);
    for (int i = 0; i < 2; ++i) {
      auto start = Clock::now();
      auto result = transport->send(kPayload);
      CHECK(Clock::now() - start < 100ms);  // nothing is resolved or connected
      CHECK_FALSE(result.ok);
      CHECK_FALSE(result.retryable);
      CHECK(result.error ==
            "OTLP export to " + url + ": not a usable URL (expected http:// or https:// and a host)");
    }
  }
}
