// The OTLP/gRPC transport against a real HTTP/2 peer: an nghttp2 server session on a loopback socket, on
// its own thread, that records every request and answers as the test case asks.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nghttp2/nghttp2.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <zlib.h>

#include "telemetry/otlp_grpc_wire.hpp"
#include "telemetry/otlp_transport.hpp"
#include "telemetry/resource.hpp"
#include "tests/unit/server/tls_files.hpp"  // the self-signed certificate maker the server's TLS tests use

namespace otlp = igw::telemetry::otlp;
namespace grpc = igw::telemetry::otlp::grpc;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Pairs = std::vector<std::pair<std::string, std::string>>;

namespace {

// How the peer answers each request.
struct Reply {
  int http_status = 200;
  std::optional<int> grpc_status = 0;  // nullopt: no grpc-status at all
  std::string grpc_message;            // as sent on the wire (percent-encoded)
  Pairs trailers;                      // more trailers, e.g. grpc-status-details-bin
  bool trailers_only = false;          // the status in the one HEADERS frame, no message
  std::chrono::milliseconds delay{0};  // before answering
  bool close_after = false;            // close the TCP connection once the answer is out
  bool goaway_after = false;           // send GOAWAY once the answer is out, keep the connection
  bool answer_early = false;     // answer the request HEADERS, then read nothing more (no window updates)
  std::int32_t refuse_from = 0;  // RST_STREAM REFUSED_STREAM to streams from this id on (0: none)
};

// What the peer speaks on an accepted connection.
enum class Speaks {
  h2,
  http1,      // an HTTP/1.1 server: a 400 status line, then the end
  truncated,  // half an HTTP/2 frame header, then the end
};

struct Request {
  Pairs headers;
  std::string body;
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  int count(std::string_view name) const {
    int n = 0;
    for (const auto& [k, v] : headers) n += k == name;
    return n;
  }
};

class Peer;

// One accepted HTTP/2 connection, served until the client leaves, the reply says to close, or the peer stops.
class Connection {
 public:
  Connection(Peer& peer, int fd, SSL* ssl) : peer_(peer), fd_(fd), ssl_(ssl) {}
  void serve();

 private:
  struct Stream {
    Request request;
    Reply reply;
    bool complete = false;
    bool answered = false;
    Clock::time_point due;
    std::string message;  // the framed (empty) ExportTraceServiceResponse
    std::size_t sent = 0;
  };

  bool flush();
  bool write_all(const std::uint8_t* data, std::size_t size);
  long read_some(std::uint8_t* buf, std::size_t size);  // >0 bytes, 0 end, -1 nothing yet, -2 error
  void answer_due();
  void answer(std::int32_t id, Stream& stream);
  void submit_trailers(std::int32_t id, const Reply& reply);
  void completed(std::int32_t id);

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
      static_cast<Connection*>(user)->streams_[frame->hd.stream_id] = {};
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen, std::uint8_t,
                       void* user) {
    auto& streams = static_cast<Connection*>(user)->streams_;
    if (auto it = streams.find(frame->hd.stream_id); it != streams.end())
      it->second.request.headers.emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                                              std::string(reinterpret_cast<const char*>(value), valuelen));
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data,
                     std::size_t len, void* user) {
    auto& streams = static_cast<Connection*>(user)->streams_;
    if (auto it = streams.find(id); it != streams.end())
      it->second.request.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }
  static int on_frame(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int on_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* user);
  static ssize_t read_message(nghttp2_session*, std::int32_t id, std::uint8_t* buf, std::size_t length,
                              std::uint32_t* flags, nghttp2_data_source* source, void* user);

  Peer& peer_;
  int fd_;
  SSL* ssl_;
  nghttp2_session* h2_ = nullptr;
  std::map<std::int32_t, Stream> streams_;  // a map: nodes stay put while nghttp2 points at them
  bool close_now_ = false;
  bool deaf_ = false;  // answered early: input is read and dropped, so flow control windows stay shut
};

// A loopback gRPC server for one test case: accepts connections one after another on its own thread.
class Peer {
 public:
  explicit Peer(Reply reply, Speaks speaks = Speaks::h2, SSL_CTX* tls = nullptr)
      : reply_(std::move(reply)), speaks_(speaks), tls_(tls) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listen_fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listen_fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~Peer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  std::uint16_t port() const { return port_; }
  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_; }
  int closed() const { return closed_; }
  int goaways() const { return goaways_; }
  bool stopping() const { return stop_; }

  Reply reply() const {
    std::lock_guard lock(mutex_);
    return reply_;
  }
  void set_reply(Reply reply) {
    std::lock_guard lock(mutex_);
    reply_ = std::move(reply);
  }
  void record(Request request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  void count_goaway() { ++goaways_; }

  // Waits (bounded) until `what` reaches n.
  static bool wait_for(const std::atomic<int>& what, int n) {
    for (auto until = Clock::now() + 3s; Clock::now() < until; std::this_thread::sleep_for(5ms))
      if (what >= n) return true;
    return false;
  }
  bool wait_closed(int n) const { return wait_for(closed_, n); }
  bool wait_goaways(int n) const { return wait_for(goaways_, n); }

 private:
  void run() {
    auto give_up = Clock::now() + 15s;  // a test case gone wrong still ends
    while (!stop_ && Clock::now() < give_up) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      // Reads give up after a tick so the loops see stop_ and due answers; writes never hang a test.
      timeval tick{0, 20'000}, patience{2, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
      int one = 1;  // the answer goes out frame by frame: no Nagle delay between them
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      serve(fd);
      end_gracefully(fd);
      ++closed_;
    }
  }

  void serve(int fd) {
    if (speaks_ != Speaks::h2) return speak_badly(fd);
    SSL* ssl = nullptr;
    if (tls_) {
      ssl = SSL_new(tls_);
      SSL_set_fd(ssl, fd);
      if (!tls_accept(ssl)) {
        SSL_free(ssl);
        return;
      }
    }
    Connection{*this, fd, ssl}.serve();
    if (ssl) SSL_free(ssl);
  }

  bool tls_accept(SSL* ssl) {
    for (auto until = Clock::now() + 3s; !stop_ && Clock::now() < until;) {
      int rc = SSL_accept(ssl);
      if (rc == 1) return true;
      int err = SSL_get_error(ssl, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return false;
    }
    return false;
  }

  // Waits for the client's first bytes, then answers with something that is not HTTP/2.
  void speak_badly(int fd) {
    char buf[4096];
    for (auto until = Clock::now() + 2s; Clock::now() < until;)
      if (::recv(fd, buf, sizeof buf, 0) > 0) break;
    static constexpr char kHttp1[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    static constexpr char kHalfFrame[] = {0, 0, 0, 4, 0};
    if (speaks_ == Speaks::http1)
      ::send(fd, kHttp1, sizeof kHttp1 - 1, MSG_NOSIGNAL);
    else
      ::send(fd, kHalfFrame, sizeof kHalfFrame, MSG_NOSIGNAL);
  }

  // FIN first and the client's last bytes drained, so the close is not a reset that could overtake the
  // answer.
  static void end_gracefully(int fd) {
    ::shutdown(fd, SHUT_WR);
    char buf[4096];
    for (auto until = Clock::now() + 200ms; Clock::now() < until;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) break;
    }
    ::close(fd);
  }

  mutable std::mutex mutex_;
  Reply reply_;
  std::vector<Request> requests_;
  Speaks speaks_;
  SSL_CTX* tls_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0}, closed_{0}, goaways_{0};
  std::thread thread_;
};

void Connection::serve() {
  nghttp2_session_callbacks* cbs = nullptr;
  REQUIRE(nghttp2_session_callbacks_new(&cbs) == 0);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_close);
  int rc = nghttp2_session_server_new(&h2_, cbs, this);
  nghttp2_session_callbacks_del(cbs);
  REQUIRE(rc == 0);
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  nghttp2_submit_settings(h2_, NGHTTP2_FLAG_NONE, settings, 1);
  std::uint8_t buf[16384];
  while (!peer_.stopping() && flush() && !close_now_) {
    if (!nghttp2_session_want_read(h2_) && !nghttp2_session_want_write(h2_)) break;
    long n = read_some(buf, sizeof buf);
    if (n == 0 || n == -2) break;
    if (n > 0 && !deaf_ && nghttp2_session_mem_recv(h2_, buf, static_cast<std::size_t>(n)) < 0) break;
    answer_due();
  }
  nghttp2_session_del(h2_);
}

bool Connection::flush() {
  for (;;) {
    const std::uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(h2_, &data);
    if (n < 0) return false;
    if (n == 0) return true;
    if (!write_all(data, static_cast<std::size_t>(n))) return false;
  }
}

bool Connection::write_all(const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    long n;
    if (ssl_) {
      n = SSL_write(ssl_, data, static_cast<int>(size));
      if (n <= 0) return false;
    } else {
      n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

long Connection::read_some(std::uint8_t* buf, std::size_t size) {
  if (ssl_) {
    int n = SSL_read(ssl_, buf, static_cast<int>(size));
    if (n > 0) return n;
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return -1;
    return err == SSL_ERROR_ZERO_RETURN ? 0 : -2;
  }
  ssize_t n = ::recv(fd_, buf, size, 0);
  if (n >= 0) return n;
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
}

void Connection::completed(std::int32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  Stream& stream = it->second;
  stream.complete = true;
  stream.reply = peer_.reply();
  stream.due = Clock::now() + stream.reply.delay;
  peer_.record(stream.request);
}

void Connection::answer_due() {
  for (auto& [id, stream] : streams_) {
    if (stream.complete && !stream.answered && Clock::now() >= stream.due) {
      stream.answered = true;
      answer(id, stream);
    }
  }
}

std::vector<nghttp2_nv> to_nv(const Pairs& pairs) {
  std::vector<nghttp2_nv> nv;
  for (const auto& [k, v] : pairs)
    nv.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(k.data())),
                  reinterpret_cast<std::uint8_t*>(const_cast<char*>(v.data())), k.size(), v.size(),
                  NGHTTP2_NV_FLAG_NONE});
  return nv;
}

Pairs status_fields(const Reply& reply) {
  Pairs fields;
  if (reply.grpc_status) fields.emplace_back("grpc-status", std::to_string(*reply.grpc_status));
  if (!reply.grpc_message.empty()) fields.emplace_back("grpc-message", reply.grpc_message);
  fields.insert(fields.end(), reply.trailers.begin(), reply.trailers.end());
  return fields;
}

void Connection::answer(std::int32_t id, Stream& stream) {
  const Reply& reply = stream.reply;
  if (reply.refuse_from > 0 && id >= reply.refuse_from) {
    nghttp2_submit_rst_stream(h2_, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
    return;
  }
  Pairs head{{":status", std::to_string(reply.http_status)}, {"content-type", "application/grpc"}};
  if (reply.trailers_only || reply.http_status != 200) {
    Pairs fields = status_fields(reply);
    head.insert(head.end(), fields.begin(), fields.end());
    auto nv = to_nv(head);
    nghttp2_submit_response(h2_, id, nv.data(), nv.size(), nullptr);
    return;
  }
  stream.message = std::string(5, '\0');  // an empty ExportTraceServiceResponse, framed
  nghttp2_data_provider body{};
  body.source.ptr = &stream;
  body.read_callback = read_message;
  auto nv = to_nv(head);
  nghttp2_submit_response(h2_, id, nv.data(), nv.size(), &body);
}

ssize_t Connection::read_message(nghttp2_session*, std::int32_t id, std::uint8_t* buf, std::size_t length,
                                 std::uint32_t* flags, nghttp2_data_source* source, void* user) {
  auto& stream = *static_cast<Stream*>(source->ptr);
  std::size_t n = std::min(length, stream.message.size() - stream.sent);
  std::memcpy(buf, stream.message.data() + stream.sent, n);
  stream.sent += n;
  if (stream.sent == stream.message.size()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    Pairs trailers = status_fields(stream.reply);
    if (!trailers.empty()) {  // the stream then ends with the trailers, not with this DATA frame
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      static_cast<Connection*>(user)->submit_trailers(id, stream.reply);
    }
  }
  return static_cast<ssize_t>(n);
}

void Connection::submit_trailers(std::int32_t id, const Reply& reply) {
  Pairs trailers = status_fields(reply);
  auto nv = to_nv(trailers);
  nghttp2_submit_trailer(h2_, id, nv.data(), nv.size());
}

int Connection::on_frame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<Connection*>(user);
  bool ends = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
              (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
  bool early = frame->hd.type == NGHTTP2_HEADERS && self->peer_.reply().answer_early;
  if (ends || early) self->completed(frame->hd.stream_id);
  if (early) self->deaf_ = true;
  return 0;
}

int Connection::on_close(nghttp2_session* session, std::int32_t id, std::uint32_t, void* user) {
  auto* self = static_cast<Connection*>(user);
  auto it = self->streams_.find(id);
  if (it == self->streams_.end() || !it->second.answered) return 0;
  if (it->second.reply.close_after) self->close_now_ = true;
  if (it->second.reply.goaway_after) {
    nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_NO_ERROR, nullptr, 0);
    self->peer_.count_goaway();
  }
  return 0;
}

// TLS for the peer: the self-signed certificate, and ALPN h2 or nothing.
std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> server_tls(const igw::server::testing::SelfSigned& files) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_server_method()), SSL_CTX_free};
  REQUIRE(ctx);
  REQUIRE(SSL_CTX_use_certificate_file(ctx.get(), files.cert.c_str(), SSL_FILETYPE_PEM) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey_file(ctx.get(), files.key.c_str(), SSL_FILETYPE_PEM) == 1);
  auto select_h2 = [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                      unsigned inlen, void*) {
    for (unsigned i = 0; i + 2 < inlen; i += 1u + in[i]) {
      if (in[i] == 2 && in[i + 1] == 'h' && in[i + 2] == '2') {
        *out = in + i + 1;
        *outlen = 2;
        return SSL_TLSEXT_ERR_OK;
      }
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  };
  SSL_CTX_set_alpn_select_cb(ctx.get(), select_h2, nullptr);
  return ctx;
}

otlp::Endpoint endpoint_for(const Peer& peer, std::chrono::milliseconds timeout = 5000ms) {
  otlp::Endpoint e;
  e.url = "http://" + peer.authority();
  e.timeout = timeout;
  return e;
}

// The message in a request body, after checking the 5-byte prefix: the compressed flag and the bytes.
std::pair<int, std::string> unframe(const std::string& body) {
  REQUIRE(body.size() >= 5);
  std::uint32_t length = 0;
  for (int i = 1; i <= 4; ++i) length = (length << 8) | static_cast<unsigned char>(body[i]);
  CHECK(length == body.size() - 5);
  return {static_cast<unsigned char>(body[0]), body.substr(5)};
}

std::string gunzip(const std::string& packed) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
  z.avail_in = static_cast<uInt>(packed.size());
  std::string out;
  int rc;
  do {
    char buf[4096];
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&z);
  CHECK(rc == Z_STREAM_END);
  return out;
}

// A protobuf length-delimited field (tags and lengths here stay below 128: one byte each).
std::string field(int tag, const std::string& bytes) {
  return std::string{static_cast<char>(tag << 3 | 2), static_cast<char>(bytes.size())} + bytes;
}

// grpc-status-details-bin for RESOURCE_EXHAUSTED: a google.rpc.Status, with a RetryInfo (2 s) when asked.
std::string status_details(bool retry_info) {
  std::string status = std::string{0x08, 0x08} + field(2, "slow down");
  if (retry_info) {
    std::string retry = field(1, std::string{0x08, 0x02});  // retry_delay { seconds: 2 }
    status += field(3, field(1, "type.googleapis.com/google.rpc.RetryInfo") + field(2, retry));
  }
  std::string b64(4 * ((status.size() + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                      reinterpret_cast<const unsigned char*>(status.data()), static_cast<int>(status.size()));
  b64.resize(static_cast<std::size_t>(n));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();  // gRPC sends it unpadded
  return b64;
}

// A loopback port nothing listens on: bound, then closed.
std::uint16_t closed_port() {
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

const std::string kPayload("\x0a\x05spans\x00\xff", 9);  // stands in for an encoded request, NUL included

}  // namespace

TEST_SUITE("otlp_grpc") {
  TEST_CASE("the endpoint: scheme, host, port and TLS") {
    struct Case {
      std::string url;
      bool insecure;
      std::string host;
      std::uint16_t port;
      bool tls;
      std::string authority;
    };
    for (const Case& c :
         {Case{"http://collector:4317", false, "collector", 4317, false, "collector:4317"},
          Case{"https://collector", false, "collector", 4317, true, "collector:4317"},
          Case{"HTTPS://collector:443/some/path", true, "collector", 443, true, "collector:443"},
          Case{"collector:5000", true, "collector", 5000, false, "collector:5000"},
          Case{"collector:5000", false, "collector", 5000, true, "collector:5000"},
          Case{"http://[::1]:4318", false, "::1", 4318, false, "[::1]:4318"},
          Case{"10.0.0.7", true, "10.0.0.7", 4317, false, "10.0.0.7:4317"}}) {
      CAPTURE(c.url);
      otlp::Endpoint e;
      e.url = c.url;
      e.insecure = c.insecure;
      auto target = grpc::parse_target(e);
      REQUIRE(target);
      CHECK(target->host == c.host);
      CHECK(target->port == c.port);
      CHECK(target->tls == c.tls);
      CHECK(target->authority() == c.authority);
    }
    for (std::string url : {"ftp://collector:4317", "http://:4317", "http://collector:99999",
                            "http://collector:x", "http://[::1:4317"}) {
      CAPTURE(url);
      otlp::Endpoint e;
      e.url = url;
      CHECK_FALSE(grpc::parse_target(e));
    }
  }

  TEST_CASE("grpc-timeout, grpc-message, status names and which statuses are retryable") {
    CHECK(grpc::grpc_timeout(10000ms) == "10000m");
    CHECK(grpc::grpc_timeout(0ms) == "1m");
    CHECK(grpc::grpc_timeout(200'000'000ms) == "200000S");  // 8 digits at most
    CHECK(igw::telemetry::percent_decode("collector%20busy%3A%20retry") == "collector busy: retry");
    CHECK(igw::telemetry::percent_decode("100%") == "100%");
    CHECK(igw::telemetry::percent_decode("%zz%4") == "%zz%4");
    CHECK(grpc::status_name(14) == "UNAVAILABLE");
    CHECK(grpc::status_name(99) == "UNKNOWN");
    for (int code : {1, 4, 10, 11, 14, 15}) CHECK(grpc::retryable_status(code, ""));
    for (int code : {2, 3, 5, 7, 12, 13, 16}) CHECK_FALSE(grpc::retryable_status(code, ""));
    CHECK_FALSE(grpc::retryable_status(8, status_details(false)));
    CHECK(grpc::retryable_status(8, status_details(true)));
    CHECK(grpc::status_from_http(503) == 14);
    CHECK(grpc::status_from_http(429) == 14);
    CHECK(grpc::status_from_http(401) == 16);
    CHECK(grpc::status_from_http(500) == 2);
  }

  TEST_CASE("a successful export: the request's headers and its length-prefixed body") {
    Peer peer{Reply{}};
    auto e = endpoint_for(peer, 10000ms);
    e.headers = {{"X-Api-Key", "secret"},
                 {"Content-Type", "text/plain"},  // would break the call: left out
                 {"grpc-internal", "x"},          // reserved for gRPC: left out
                 {"bad key", "x"}};               // not a header name: left out
    auto result = otlp::make_grpc_transport(e)->send(kPayload);
    CHECK(result.ok);
    CHECK(result.error.empty());
    auto requests = peer.requests();
    REQUIRE(requests.size() == 1);
    const Request& r = requests[0];
    CHECK(r.header(":method") == "POST");
    CHECK(r.header(":scheme") == "http");
    CHECK(r.header(":path") == "/opentelemetry.proto.collector.trace.v1.TraceService/Export");
    CHECK(r.header(":authority") == peer.authority());
    CHECK(r.header("content-type") == "application/grpc");
    CHECK(r.count("content-type") == 1);
    CHECK(r.header("te") == "trailers");
    CHECK(r.header("user-agent").starts_with("igw/"));
    CHECK(r.header("x-api-key") == "secret");
    CHECK(r.count("grpc-internal") == 0);
    CHECK(r.count("grpc-encoding") == 0);
    std::string timeout = r.header("grpc-timeout");
    REQUIRE(timeout.ends_with("m"));
    int ms = std::stoi(timeout);
    CHECK(ms > 9000);
    CHECK(ms <= 10000);
    auto [flag, message] = unframe(r.body);
    CHECK(flag == 0);
    CHECK(message == kPayload);
  }

  TEST_CASE("gzip: grpc-encoding gzip, flag byte 1, the message inflates back") {
    Peer peer{Reply{}};
    auto e = endpoint_for(peer);
    e.gzip = true;
    std::string payload;
    for (int i = 0; i < 500; ++i) payload += kPayload;
    auto result = otlp::make_grpc_transport(e)->send(payload);
    CHECK(result.ok);
    auto requests = peer.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].header("grpc-encoding") == "gzip");
    CHECK(requests[0].header("grpc-accept-encoding") == "gzip");
    auto [flag, message] = unframe(requests[0].body);
    CHECK(flag == 1);
    CHECK(message.size() < payload.size());
    CHECK(gunzip(message) == payload);
  }

  TEST_CASE("grpc-status 14 in the trailers: retryable, the decoded grpc-message in the error") {
    Reply reply;
    reply.grpc_status = 14;
    reply.grpc_message = "collector%20busy";
    Peer peer{reply};
    auto result = otlp::make_grpc_transport(endpoint_for(peer))->send(kPayload);
    CHECK_FALSE(result.ok);
    CHECK(result.retryable);
    CHECK(result.error ==
          "OTLP gRPC export to " + peer.authority() + ": grpc-status 14 (UNAVAILABLE): collector busy");
  }

  TEST_CASE("grpc-status 3: not retryable; a trailers-only answer reads the same") {
    Reply reply;
    reply.grpc_status = 3;
    reply.grpc_message = "bad%20span";
    SUBCASE("in trailers") {}
    SUBCASE("trailers-only") {
      reply.trailers_only = true;
    }
    Peer peer{reply};
    auto result = otlp::make_grpc_transport(endpoint_for(peer))->send(kPayload);
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.retryable);
    CHECK(result.error.ends_with(": grpc-status 3 (INVALID_ARGUMENT): bad span"));
  }

  TEST_CASE("a trailers-only OK is a success") {
    Reply reply;
    reply.trailers_only = true;
    Peer peer{reply};
    CHECK(otlp::make_grpc_transport(endpoint_for(peer))->send(kPayload).ok);
  }

  TEST_CASE("RESOURCE_EXHAUSTED is retryable only with a RetryInfo in the status details") {
    bool retry_info = false;
    SUBCASE("without RetryInfo") {}
    SUBCASE("with RetryInfo") {
      retry_info = true;
    }
    Reply reply;
    reply.grpc_status = 8;
    reply.trailers = {{"grpc-status-details-bin", status_details(retry_info)}};
    Peer peer{reply};
    auto result = otlp::make_grpc_transport(endpoint_for(peer))->send(kPayload);
    CHECK_FALSE(result.ok);
    CHECK(result.retryable == retry_info);
    CHECK(result.error.find("grpc-status 8 (RESOURCE_EXHAUSTED)") != std::string::npos);
  }

  TEST_CASE("an answer without grpc-status: HTTP 503 is UNAVAILABLE; a 200 without it is an error") {
    Reply reply;
    reply.grpc_status = std::nullopt;
    bool unavailable = false;
    SUBCASE("503") {
      reply.http_status = 503;
      unavailable = true;
    }
    SUBCASE("200") {}
    Peer peer{reply};
    auto result = otlp::make_grpc_transport(endpoint_for(peer))->send(kPayload);
    CHECK_FALSE(result.ok);
    CHECK(result.retryable == unavailable);
    CHECK(result.error.find(unavailable ? "HTTP status 503 (UNAVAILABLE)" : "no grpc-status") !=
          std::string::npos);
  }

  TEST_CASE("a refused connection: the error names connect, and it is retryable") {
    otlp::Endpoint e;
    e.url = "http://127.0.0.1:" + std::to_string(closed_port());
    auto result = otlp::make_grpc_transport(e)->send(kPayload);
    CHECK_FALSE(result.ok);
    CHECK(result.retryable);
    CHECK(result.error == "OTLP gRPC export to " + e.url.substr(7) + ": connect: Connection refused");
  }

  TEST_CASE("a server that does not answer in time: the send ends at the timeout; the next one reconnects") {
    Reply slow;
    slow.delay = 5s;
    Peer peer{slow};
    auto transport = otlp::make_grpc_transport(endpoint_for(peer, 300ms));
    auto start = Clock::now();
    auto result = transport->send(kPayload);
    auto took = Clock::now() - start;
    CHECK_FALSE(result.ok);
    CHECK(result.retryable);
    CHECK(result.error.find(": timed out after 300 ms") != std::string::npos);
    CHECK(took >= 290ms);
    CHECK(took < 1s);
    peer.set_reply(Reply{});
    CHECK(transport->send(kPayload).ok);
    CHECK(peer.accepted() == 2);
  }

  TEST_CASE("exports share one connection") {
    Peer peer{Reply{}};
    auto transport = otlp::make_grpc_transport(endpoint_for(peer));
    CHECK(transport->send(kPayload).ok);
    CHECK(transport->send(kPayload).ok);
    CHECK(transport->send(kPayload).ok);
    CHECK(peer.requests().size() == 3);
    CHECK(peer.accepted() == 1);
  }

  TEST_CASE("a connection the server ended is not reused: the next export reconnects") {
    Reply reply;
    SUBCASE("closed") {
      reply.close_after = true;
    }
    SUBCASE("GOAWAY") {
      reply.goaway_after = true;
    }
    Peer peer{reply};
    auto transport = otlp::make_grpc_transport(endpoint_for(peer));
    CHECK(transport->send(kPayload).ok);
    if (reply.close_after) CHECK(peer.wait_closed(1));
    if (reply.goaway_after) CHECK(peer.wait_goaways(1));
    auto again = transport->send(kPayload);
    CHECK(again.ok);
    CHECK(again.error.empty());
    CHECK(peer.accepted() == 2);
    CHECK(peer.requests().size() == 2);
  }

  TEST_CASE("a server that answers before the request is all sent: its answer counts, the rest is not sent") {
    Reply reply;
    reply.answer_early = true;
    reply.trailers_only = true;
    reply.grpc_status = 8;
    reply.grpc_message = "message%20too%20large";
    Peer peer{reply};
    auto start = Clock::now();
    // Larger than the 64 KiB flow control window the peer never opens.
    auto result = otlp::make_grpc_transport(endpoint_for(peer, 3000ms))->send(std::string(300'000, 'x'));
    CHECK(Clock::now() - start < 1s);
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.retryable);
    CHECK(result.error.ends_with(": grpc-status 8 (RESOURCE_EXHAUSTED): message too large"));
  }

  TEST_CASE("a stream refused on a kept connection goes once more on a new one; refused there, it fails") {
    Peer peer{Reply{}};
    auto transport = otlp::make_grpc_transport(endpoint_for(peer));
    CHECK(transport->send(kPayload).ok);
    Reply refusing;
    refusing.refuse_from = 3;  // a connection's second stream on
    peer.set_reply(refusing);
    CHECK(transport->send(kPayload).ok);  // refused on the kept connection, answered on a new one
    CHECK(peer.accepted() == 2);
    refusing.refuse_from = 1;  // every stream
    peer.set_reply(refusing);
    auto result = transport->send(kPayload);  // refused on the kept connection, and on the new one
    CHECK(peer.accepted() == 3);
    CHECK_FALSE(result.ok);
    CHECK(result.retryable);
    CHECK(result.error.ends_with(": stream reset by the server (REFUSED_STREAM)"));
  }

  TEST_CASE("a server that is not HTTP/2: a clean error, well before the timeout") {
    Speaks speaks = Speaks::http1;
    SUBCASE("an HTTP/1.1 server") {}
    SUBCASE("the connection closed in the middle of a frame") {
      speaks = Speaks::truncated;
    }
    Peer peer{Reply{}, speaks};
    auto start = Clock::now();
    auto result = otlp::make_grpc_transport(endpoint_for(peer))->send(kPayload);
    CHECK(Clock::now() - start < 2s);
    CHECK_FALSE(result.ok);
    if (speaks == Speaks::http1) {
      CHECK_FALSE(result.retryable);
      CHECK(result.error == "OTLP gRPC export to " + peer.authority() +
                                ": not an HTTP/2 (gRPC) server: it answered \"HTTP/1.1 400 Bad Request\"");
    } else {
      CHECK(result.retryable);
      CHECK(result.error.find("connection closed by the server") != std::string::npos);
    }
  }

  TEST_CASE("https: ALPN h2, the certificate checked against ca_file and the host name") {
    igw::server::testing::TempDir dir;
    auto files = igw::server::testing::make_self_signed(dir, "collector");
    auto tls = server_tls(files);
    Peer peer{Reply{}, Speaks::h2, tls.get()};
    std::string port = std::to_string(peer.port());
    otlp::Endpoint e;
    bool verified = true;
    SUBCASE("https:// by name") {
      e.url = "https://localhost:" + port;
      e.ca_file = files.cert;
    }
    SUBCASE("https:// by address") {
      e.url = "https://127.0.0.1:" + port;
      e.ca_file = files.cert;
    }
    SUBCASE("no scheme, not insecure: TLS") {
      e.url = "127.0.0.1:" + port;
      e.ca_file = files.cert;
    }
    SUBCASE("insecure: no verification") {
      e.url = "https://127.0.0.1:" + port;
      e.insecure = true;
    }
    SUBCASE("the system store does not know the certificate") {
      e.url = "https://127.0.0.1:" + port;
      verified = false;
    }
    auto result = otlp::make_grpc_transport(e)->send(kPayload);
    CHECK(result.ok == verified);
    if (verified) {
      auto requests = peer.requests();
      REQUIRE(requests.size() == 1);
      CHECK(requests[0].header(":scheme") == "https");
      CHECK(unframe(requests[0].body).second == kPayload);
    } else {
      CHECK_FALSE(result.retryable);
      CHECK(result.error.find("certificate verify failed") != std::string::npos);
    }
  }

  TEST_CASE("a bad endpoint URL: every send fails with one line naming it") {
    otlp::Endpoint e;
    e.url = "ftp://collector:4317";
    auto result = otlp::make_grpc_transport(e)->send(kPayload);
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.retryable);
    CHECK(result.error ==
          "OTLP gRPC export to ftp://collector:4317: endpoint: unsupported scheme 'ftp' (expected "
          "http or https)");
  }
}
