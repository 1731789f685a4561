// OTLP/gRPC trace export: one HTTP/2 connection (nghttp2) kept across exports, plaintext (h2c with prior
// knowledge) or TLS (OpenSSL, ALPN h2). It runs on the exporter thread only, so it blocks; every wait is a
// poll() bounded by what is left of the endpoint's timeout.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include "telemetry/build_info.hpp"
#include "telemetry/otlp_grpc_wire.hpp"
#include "telemetry/resource.hpp"

namespace igw::telemetry::otlp {
namespace grpc {
namespace {

// The gRPC status codes this file acts on (the full list is kStatusNames).
constexpr int kCancelled = 1;
constexpr int kUnknown = 2;
constexpr int kDeadlineExceeded = 4;
constexpr int kPermissionDenied = 7;
constexpr int kResourceExhausted = 8;
constexpr int kAborted = 10;
constexpr int kOutOfRange = 11;
constexpr int kUnimplemented = 12;
constexpr int kInternal = 13;
constexpr int kUnavailable = 14;
constexpr int kDataLoss = 15;
constexpr int kUnauthenticated = 16;

constexpr std::array<std::string_view, 17> kStatusNames = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

std::string lowercase(std::string_view text) {
  std::string out{text};
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::expected<std::uint16_t, std::string> parse_port(std::string_view text) {
  auto value = parse_int(text);
  if (!value || *value < 1 || *value > 65535)
    return std::unexpected("port: not a number from 1 to 65535: '" + std::string(text) + "'");
  return static_cast<std::uint16_t>(*value);
}

// Binary metadata (the -bin headers) is base64, padded or not.
std::string base64_decode(std::string_view text) {
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+' || c == '-' ? 62
            : c == '/' || c == '_' ? 63
                                   : -1;
    if (v < 0) continue;  // padding and anything else
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

}  // namespace

std::string Target::authority() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::expected<Target, std::string> parse_target(const Endpoint& endpoint) {
  std::string_view rest = endpoint.url;
  Target target;
  target.tls = !endpoint.insecure;
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    std::string scheme = lowercase(rest.substr(0, sep));
    if (scheme != "http" && scheme != "https")
      return std::unexpected("unsupported scheme '" + scheme + "' (expected http or https)");
    target.tls = scheme == "https";
    rest.remove_prefix(sep + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));  // gRPC fixes the path itself
  std::optional<std::string_view> port;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return std::unexpected(std::string("unclosed '[' in the host"));
    target.host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after[0] != ':') return std::unexpected(std::string("expected ':' after ']'"));
    if (!after.empty()) port = after.substr(1);
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    target.host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else {
    target.host = rest;
  }
  if (target.host.empty()) return std::unexpected("no host in '" + endpoint.url + "'");
  if (port) {
    auto number = parse_port(*port);
    if (!number) return std::unexpected(number.error());
    target.port = *number;
  }
  return target;
}

std::string frame_message(std::string_view message, bool compressed) {
  std::string out;
  out.reserve(5 + message.size());
  out += static_cast<char>(compressed ? 1 : 0);
  auto size = static_cast<std::uint32_t>(message.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xff);
  out.append(message);
  return out;
}

std::string grpc_timeout(std::chrono::milliseconds timeout) {
  constexpr long long kMaxDigits = 99'999'999;
  long long ms = std::max<long long>(timeout.count(), 1);  // 0 would mean "already expired"
  if (ms <= kMaxDigits) return std::to_string(ms) + "m";
  return std::to_string(std::min(ms / 1000, kMaxDigits)) + "S";
}

std::string_view status_name(int code) {
  if (code < 0 || code >= static_cast<int>(kStatusNames.size())) return kStatusNames[kUnknown];
  return kStatusNames[static_cast<std::size_t>(code)];
}

bool retryable_status(int code, std::string_view status_details_bin) {
  switch (code) {
    case kCancelled:
    case kDeadlineExceeded:
    case kAborted:
    case kOutOfRange:
    case kUnavailable:
    case kDataLoss:
      return true;
    case kResourceExhausted:
      // The details are a google.rpc.Status whose Any entries carry their type URL in clear.
      return base64_decode(status_details_bin).find("google.rpc.RetryInfo") != std::string::npos;
    default:
      return false;
  }
}

int status_from_http(int http_status) {
  switch (http_status) {
    case 400:
      return kInternal;
    case 401:
      return kUnauthenticated;
    case 403:
      return kPermissionDenied;
    case 404:
      return kUnimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return kUnavailable;
    default:
      return kUnknown;
  }
}

std::optional<std::string> gzip(std::string_view bytes) {
  if (bytes.size() > UINT_MAX) return std::nullopt;
  z_stream z{};
  // 15 + 16: the largest window, with a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return std::nullopt;
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

// What went wrong, as the tail of the one-line error, and whether the same batch may be sent again.
struct Failure {
  std::string what;
  bool retryable = true;
};
template <class T = void>
using Result = std::expected<T, Failure>;

std::unexpected<Failure> transient(std::string what) {
  return std::unexpected(Failure{std::move(what), true});
}
std::unexpected<Failure> permanent(std::string what) {
  return std::unexpected(Failure{std::move(what), false});
}

std::string errno_text(int err) {
  char buf[128];
  return strerror_r(err, buf, sizeof buf);  // the GNU variant: thread-safe, returns the text
}

// The newest OpenSSL complaint of this thread, short ("certificate verify failed"), and a clean queue.
std::string openssl_error() {
  unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  if (const char* reason = ERR_reason_error_string(e)) return reason;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// One export's time budget: connect, handshake, request and answer together.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget) : budget_(budget), at_(Clock::now() + budget) {}
  // Rounded up so that a poll() never wakes a hair early and spins.
  int remaining_ms() const {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(at_ - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
  }
  std::unexpected<Failure> timed_out(std::string_view doing) const {
    return transient("timed out after " + std::to_string(budget_.count()) + " ms " + std::string(doing));
  }

 private:
  std::chrono::milliseconds budget_;
  Clock::time_point at_;
};

// Waits for the events on the socket; the revents, or a timeout failure naming what was being waited for.
Result<short> wait_fd(int fd, short events, const Deadline& deadline, std::string_view doing) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, deadline.remaining_ms());
    if (n > 0) return p.revents;
    if (n == 0) return deadline.timed_out(doing);
    if (errno != EINTR) return transient("poll: " + errno_text(errno));
  }
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// One address: a non-blocking connect bounded by the deadline.
Result<Fd> try_connect(const addrinfo& ai, const Deadline& deadline) {
  Fd fd{::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol)};
  if (fd.get() < 0) return transient("socket: " + errno_text(errno));
  int one = 1;  // small frames (HEADERS, WINDOW_UPDATE) must not wait for Nagle
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) == 0) return fd;
  if (errno != EINPROGRESS && errno != EINTR) return transient("connect: " + errno_text(errno));
  auto ready = wait_fd(fd.get(), POLLOUT, deadline, "while connecting");
  if (!ready) return std::unexpected(ready.error());
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return transient("connect: " + errno_text(err));
  return fd;
}

// Every address of the host in turn (a name may give ::1 and 127.0.0.1); the last failure if none answers.
Result<Fd> connect_tcp(const Target& target, const Deadline& deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  addrinfo* found = nullptr;
  std::string port = std::to_string(target.port);
  if (int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return transient("resolve " + target.host + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list{found, ::freeaddrinfo};
  Result<Fd> last = transient("connect: no address for " + target.host);
  for (const addrinfo* ai = found; ai; ai = ai->ai_next) {
    last = try_connect(*ai, deadline);
    if (last || deadline.remaining_ms() == 0) break;
  }
  return last;
}

bool is_ip_address(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// The client side of TLS for this endpoint: TLS 1.2+ (HTTP/2 requires it), ALPN h2, the peer verified
// against ca_file or the system store unless `insecure`.
Result<SslCtxPtr> make_tls_context(const Endpoint& endpoint) {
  ERR_clear_error();
  SslCtxPtr ctx{SSL_CTX_new(TLS_client_method())};
  if (!ctx) return permanent("TLS: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  constexpr unsigned char kAlpn[] = {2, 'h', '2'};
  if (SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof kAlpn) != 0)
    return permanent("TLS: cannot offer ALPN h2");
  if (endpoint.insecure) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    return ctx;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (endpoint.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1)
      return permanent("TLS: the system CA store: " + openssl_error());
  } else if (SSL_CTX_load_verify_locations(ctx.get(), endpoint.ca_file.c_str(), nullptr) != 1) {
    return permanent("CA file " + endpoint.ca_file + ": " + openssl_error());
  }
  return ctx;
}

// The byte stream to the collector: plain TCP, or TLS kept in memory BIOs so that every socket write is
// our send(MSG_NOSIGNAL) and every wait is our poll() with the deadline.
class Link {
 public:
  explicit Link(Fd fd) : fd_(std::move(fd)) {}

  int fd() const { return fd_.get(); }
  bool pending() const { return out_pos_ < out_.size(); }

  Result<> start_tls(SSL_CTX* ctx, const Target& target, bool verify, const Deadline& deadline) {
    ERR_clear_error();
    SslPtr ssl{SSL_new(ctx)};
    if (!ssl) return permanent("TLS: " + openssl_error());
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    if (!in || !out) {
      BIO_free(in);
      BIO_free(out);
      return permanent("TLS: " + openssl_error());
    }
    BIO_set_mem_eof_return(in, -1);   // no input yet means "wait", not the end of the stream
    SSL_set_bio(ssl.get(), in, out);  // owned by the SSL from here
    bool ip = is_ip_address(target.host);
    if (!ip) SSL_set_tlsext_host_name(ssl.get(), target.host.c_str());  // SNI takes names only
    if (verify) {
      bool named = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), target.host.c_str()) == 1
                      : SSL_set1_host(ssl.get(), target.host.c_str()) == 1;
      if (!named) return permanent("TLS: cannot check the certificate for " + target.host);
    }
    SSL_set_connect_state(ssl.get());
    ssl_ = std::move(ssl);
    rbio_ = in;
    wbio_ = out;
    return handshake(deadline);
  }

  // Queues bytes for the peer (encrypted first under TLS); flush() sends them.
  Result<> write(const std::uint8_t* data, std::size_t size) {
    if (!ssl_) {
      out_.append(reinterpret_cast<const char*>(data), size);
      return {};
    }
    while (size > 0) {
      ERR_clear_error();
      int n = SSL_write(ssl_.get(), data, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
      if (n <= 0) return transient("TLS: " + openssl_error());
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    take_tls_output();
    return {};
  }

  // Sends what the socket takes now; the rest waits for POLLOUT.
  Result<> flush() {
    while (pending()) {
      ssize_t n = ::send(fd_.get(), out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
      if (n > 0) {
        out_pos_ += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return {};
      } else {
        return transient("send: " + errno_text(errno));
      }
    }
    out_.clear();
    out_pos_ = 0;
    return {};
  }

  // Appends what has arrived (decrypted) to `plain`; false once the peer has ended the stream.
  Result<bool> read(std::string& plain) {
    if (!ssl_) return read_raw(plain);
    std::string raw;
    auto open = read_raw(raw);
    if (!open) return open;
    if (!raw.empty()) BIO_write(rbio_, raw.data(), static_cast<int>(raw.size()));
    auto decrypted = decrypt(plain);
    take_tls_output();  // alerts and key updates the reading produced
    if (!decrypted) return decrypted;
    return *open && *decrypted;
  }

  // Waits for input, and for room in the socket while bytes are queued.
  Result<short> wait(const Deadline& deadline, std::string_view doing) const {
    return wait_fd(fd_.get(), static_cast<short>(POLLIN | (pending() ? POLLOUT : 0)), deadline, doing);
  }

 private:
  // One recv(); appends nothing when nothing is there yet; false at the end of the stream.
  Result<bool> read_raw(std::string& raw) {
    char buf[16384];
    for (;;) {
      ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (n > 0) {
        raw.append(buf, static_cast<std::size_t>(n));
        return true;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      return transient("recv: " + errno_text(errno));
    }
  }

  Result<bool> decrypt(std::string& plain) {
    char buf[16384];
    for (;;) {
      ERR_clear_error();
      int n = SSL_read(ssl_.get(), buf, sizeof buf);
      if (n > 0) {
        plain.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      int err = SSL_get_error(ssl_.get(), n);
      if (err == SSL_ERROR_WANT_READ) return true;
      if (err == SSL_ERROR_ZERO_RETURN) return false;  // close_notify
      return transient("TLS: " + openssl_error());
    }
  }

  void take_tls_output() {
    char buf[16384];
    int n;
    while ((n = BIO_read(wbio_, buf, sizeof buf)) > 0) out_.append(buf, static_cast<std::size_t>(n));
  }

  Result<> handshake(const Deadline& deadline) {
    for (;;) {
      ERR_clear_error();
      int rc = SSL_do_handshake(ssl_.get());
      int err = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), rc);
      take_tls_output();
      if (auto sent = flush(); !sent) return sent;
      if (rc == 1) return check_alpn();
      if (err != SSL_ERROR_WANT_READ) return handshake_failure();
      auto ready = wait(deadline, "in the TLS handshake");
      if (!ready) return std::unexpected(ready.error());
      if (!(*ready & (POLLIN | POLLHUP | POLLERR))) continue;
      std::string raw;
      auto open = read_raw(raw);
      if (!open) return std::unexpected(open.error());
      if (!*open) return transient("TLS handshake: connection closed by the server");
      if (!raw.empty()) BIO_write(rbio_, raw.data(), static_cast<int>(raw.size()));
    }
  }

  std::unexpected<Failure> handshake_failure() {
    long verify = SSL_get_verify_result(ssl_.get());
    if (verify != X509_V_OK)
      return permanent(std::string("TLS handshake: certificate verify failed: ") +
                       X509_verify_cert_error_string(verify));
    return permanent("TLS handshake: " + openssl_error());
  }

  Result<> check_alpn() const {
    const unsigned char* proto = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl_.get(), &proto, &len);
    if (std::string_view(reinterpret_cast<const char*>(proto), len) != "h2")
      return permanent("TLS: the server did not agree to HTTP/2 (ALPN h2)");
    return {};
  }

  Fd fd_;
  SslPtr ssl_;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;  // owned by ssl_
  std::string out_;      // bytes for the socket, sent from out_pos_ on
  std::size_t out_pos_ = 0;
};

// What came back for one call.
struct Answer {
  int http_status = 0;  // 0: no HEADERS yet
  std::string content_type;
  std::optional<int> grpc_status;
  std::string grpc_message;    // decoded
  std::string status_details;  // grpc-status-details-bin, base64
  bool ended = false;          // the server's END_STREAM came: nothing more will come
  bool closed = false;         // both sides are done
  std::uint32_t reset_code = NGHTTP2_NO_ERROR;
};

// One unary call: the framed request body and what came back.
struct Call {
  std::string message;
  std::size_t sent = 0;
  std::int32_t stream_id = -1;
  Answer answer;
};

void record_header(Answer& answer, std::string_view name, std::string_view value) {
  if (name == ":status") {
    answer.http_status = parse_int(value).value_or(0);
  } else if (name == "content-type") {
    answer.content_type = value;
  } else if (name == "grpc-status") {
    answer.grpc_status = parse_int(value).value_or(kUnknown);
  } else if (name == "grpc-message") {
    answer.grpc_message = telemetry::percent_decode(value);
  } else if (name == "grpc-status-details-bin") {
    answer.status_details = value;
  }
}

// The first line of what a server said, printable and bounded, for an error line.
std::string first_line(std::string_view text, std::size_t max = 100) {
  text = text.substr(0, text.find_first_of("\r\n"));
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// One HTTP/2 connection: nghttp2 keeps the protocol state, this class moves its bytes through the Link.
class Session {
 public:
  static Result<std::unique_ptr<Session>> open(Link link) {
    std::unique_ptr<Session> session{new Session(std::move(link))};
    nghttp2_session_callbacks* raw = nullptr;
    if (nghttp2_session_callbacks_new(&raw) != 0) return permanent("HTTP/2: out of memory");
    std::unique_ptr<nghttp2_session_callbacks, decltype(&nghttp2_session_callbacks_del)> callbacks{
        raw, nghttp2_session_callbacks_del};
    nghttp2_session_callbacks_set_on_header_callback(raw, on_header);
    nghttp2_session_callbacks_set_on_stream_close_callback(raw, on_stream_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(raw, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(raw, on_frame_send);
    nghttp2_session_callbacks_set_error_callback2(raw, on_error);
    if (int rc = nghttp2_session_client_new(&session->h2_, raw, session.get()); rc != 0)
      return permanent(std::string("HTTP/2: ") + nghttp2_strerror(rc));
    nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
    nghttp2_submit_settings(session->h2_, NGHTTP2_FLAG_NONE, settings, 1);
    return session;
  }

  ~Session() { nghttp2_session_del(h2_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Whether another call may go on this connection. Reads first what arrived while it was idle (PINGs,
  // SETTINGS, a GOAWAY, the end of the connection), so a connection the collector closed is not reused.
  bool reusable() {
    for (int reads = 0; !dead_ && reads < 64; ++reads) {
      pollfd p{link_.fd(), POLLIN, 0};
      int n = ::poll(&p, 1, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (!receive()) return false;
    }
    return !dead_ && send_pending() && nghttp2_session_want_read(h2_) &&
           nghttp2_session_check_request_allowed(h2_);
  }

  // Runs one call to its end (the stream closed, whatever the answer) or to a failure of the connection.
  Result<> call(const Headers& headers, Call& call, const Deadline& deadline) {
    call_ = &call;
    auto done = run(headers, call, deadline);
    call_ = nullptr;
    return done;
  }

 private:
  explicit Session(Link link) : link_(std::move(link)) {}

  Result<> run(const Headers& headers, Call& call, const Deadline& deadline) {
    call.stream_id = submit(headers);
    if (call.stream_id < 0) return permanent(std::string("HTTP/2: ") + nghttp2_strerror(call.stream_id));
    for (;;) {
      auto sent = send_pending();
      if (call.answer.closed) return {};
      if (call.answer.ended) return stop_sending(call);
      if (!sent) return sent;
      if (!nghttp2_session_want_read(h2_) && !nghttp2_session_want_write(h2_) && !link_.pending())
        return explain(Failure{"the HTTP/2 session ended before the answer", false});
      auto ready = link_.wait(deadline, "waiting for the answer");
      if (!ready) return std::unexpected(ready.error());
      if (!(*ready & (POLLIN | POLLHUP | POLLERR))) continue;
      auto received = receive();
      if (call.answer.closed || call.answer.ended) continue;  // the answer is whole, whatever came after
      if (!received) return received;
    }
  }

  // The server answered before the request was all sent (it may refuse a message it finds too large): the
  // answer is final, so the rest of the request is dropped rather than pushed through flow control.
  Result<> stop_sending(Call& call) {
    nghttp2_submit_rst_stream(h2_, NGHTTP2_FLAG_NONE, call.stream_id, NGHTTP2_NO_ERROR);
    (void)send_pending();  // best effort: the answer is in hand either way
    call.answer.closed = true;
    return {};
  }

  std::int32_t submit(const Headers& headers) {
    std::vector<nghttp2_nv> nv;
    nv.reserve(headers.size());
    for (const auto& [name, value] : headers)
      nv.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE});  // nghttp2 copies them
    nghttp2_data_provider body{};
    body.read_callback = read_body;
    return nghttp2_submit_request(h2_, nullptr, nv.data(), nv.size(), &body, nullptr);
  }

  // Everything nghttp2 has to send, through the link, as far as the socket takes it now.
  Result<> send_pending() {
    for (;;) {
      const std::uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(h2_, &data);
      if (n < 0)
        return broken(Failure{std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)), false});
      if (n == 0) break;
      if (auto queued = link_.write(data, static_cast<std::size_t>(n)); !queued)
        return broken(queued.error());
    }
    if (auto flushed = link_.flush(); !flushed) return broken(flushed.error());
    return {};
  }

  // One read from the link into nghttp2.
  Result<> receive() {
    std::string plain;
    auto open = link_.read(plain);
    if (!open) return broken(open.error());
    if (first_bytes_.size() < kSniffBytes) first_bytes_.append(plain, 0, kSniffBytes - first_bytes_.size());
    if (!plain.empty()) {
      ssize_t n =
          nghttp2_session_mem_recv(h2_, reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size());
      if (n < 0)
        return broken(Failure{std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)), false});
    }
    if (!*open) return broken(Failure{"connection closed by the server", true});
    return {};
  }

  // The connection is unusable from here; the failure, told as well as this session can.
  std::unexpected<Failure> broken(Failure failure) {
    dead_ = true;
    return explain(std::move(failure));
  }

  std::unexpected<Failure> explain(Failure failure) const {
    // An HTTP/1 server answers the HTTP/2 preface with its own status line: say so, not "PROTOCOL_ERROR".
    if (first_bytes_.starts_with("HTTP/"))
      return permanent("not an HTTP/2 (gRPC) server: it answered \"" + first_line(first_bytes_) + "\"");
    if (!goaway_.empty()) failure.what += " (" + goaway_ + ")";
    if (!h2_error_.empty()) failure.what += " (" + h2_error_ + ")";
    return std::unexpected(std::move(failure));
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen, std::uint8_t,
                       void* user) {
    Call* call = static_cast<Session*>(user)->call_;
    if (call && frame->hd.stream_id == call->stream_id)
      record_header(call->answer, {reinterpret_cast<const char*>(name), namelen},
                    {reinterpret_cast<const char*>(value), valuelen});
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code, void* user) {
    Call* call = static_cast<Session*>(user)->call_;
    if (call && stream_id == call->stream_id) {
      call->answer.closed = true;
      call->answer.reset_code = error_code;
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    Call* call = static_cast<Session*>(user)->call_;
    bool ends = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
    if (call && ends && frame->hd.stream_id == call->stream_id) call->answer.ended = true;
    if (frame->hd.type != NGHTTP2_GOAWAY) return 0;
    const auto& goaway = frame->goaway;
    std::string text = std::string("GOAWAY ") + nghttp2_http2_strerror(goaway.error_code);
    if (goaway.opaque_data_len > 0)
      text += ": " + first_line({reinterpret_cast<const char*>(goaway.opaque_data), goaway.opaque_data_len});
    static_cast<Session*>(user)->goaway_ = std::move(text);
    return 0;
  }

  // nghttp2 ends a session the server broke (bad HPACK, bad frames) with a GOAWAY of its own: keep its code.
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<Session*>(user);
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR &&
        self->h2_error_.empty())
      self->h2_error_ = std::string("HTTP/2 ") + nghttp2_http2_strerror(frame->goaway.error_code) +
                        " in what the server sent";
    return 0;
  }

  static int on_error(nghttp2_session*, int, const char* msg, std::size_t len, void* user) {
    static_cast<Session*>(user)->h2_error_ = first_line({msg, len}, 200);
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source*, void* user) {
    Call* call = static_cast<Session*>(user)->call_;
    if (!call || stream_id != call->stream_id) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets it
    std::size_t n = std::min(length, call->message.size() - call->sent);
    std::memcpy(buf, call->message.data() + call->sent, n);
    call->sent += n;
    if (call->sent == call->message.size())
      *flags |= NGHTTP2_DATA_FLAG_EOF;  // END_STREAM: the request is whole
    return static_cast<ssize_t>(n);
  }

  static constexpr std::size_t kSniffBytes = 64;

  Link link_;
  nghttp2_session* h2_ = nullptr;
  Call* call_ = nullptr;     // the call under way, for the callbacks
  bool dead_ = false;        // the link failed or ended
  std::string first_bytes_;  // the server's first bytes, to recognize one that is not HTTP/2
  std::string goaway_;       // the server's GOAWAY, for the error line
  std::string h2_error_;     // nghttp2's last complaint about the peer
};

// A header the user configured, as gRPC metadata: lowercase; none when it would break every call (a
// pseudo-header, one this transport sets, a connection-level or reserved one, characters HTTP/2 forbids).
std::optional<std::string> metadata_name(std::string_view key, std::string_view value) {
  constexpr std::array<std::string_view, 9> kReserved = {
      "content-type",      "te",      "user-agent", "connection", "keep-alive", "proxy-connection",
      "transfer-encoding", "upgrade", "host"};
  std::string name = lowercase(key);
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  };
  if (name.empty() || !std::all_of(name.begin(), name.end(), allowed)) return std::nullopt;
  if (name.starts_with("grpc-") || std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end())
    return std::nullopt;
  auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
  if (std::any_of(value.begin(), value.end(), control)) return std::nullopt;
  return name;
}

class GrpcTransport final : public Transport {
 public:
  explicit GrpcTransport(const Endpoint& endpoint)
      : endpoint_(endpoint),
        target_(parse_target(endpoint)),
        name_(target_ ? target_->authority() : endpoint.url) {}

  SendResult send(std::string_view body) override {
    Deadline deadline{endpoint_.timeout};
    if (!target_) return fail(Failure{"endpoint: " + target_.error(), false});
    auto message = framed(body);
    if (!message) return fail(message.error());
    Call call;
    call.message = std::move(*message);
    if (auto done = exchange(call, deadline); !done) return fail(done.error());
    return judge(call.answer);
  }

 private:
  Result<std::string> framed(std::string_view body) const {
    std::optional<std::string> packed;
    if (endpoint_.gzip && !(packed = gzip(body))) return permanent("gzip: compression failed");
    std::string_view message = packed ? std::string_view(*packed) : body;
    if (message.size() > UINT32_MAX)  // the length prefix has 4 bytes
      return permanent("message of " + std::to_string(message.size()) + " bytes is too large for gRPC");
    return frame_message(message, packed.has_value());
  }

  // A stream the server refused unprocessed (REFUSED_STREAM, e.g. after a GOAWAY) on a kept connection
  // goes once more, at once, on a new one: the batch was not taken, so nothing is sent twice.
  Result<> exchange(Call& call, const Deadline& deadline) {
    for (int attempt = 0;; ++attempt) {
      bool reused = session_ && session_->reusable();
      if (!reused) {
        session_.reset();
        auto opened = connect(deadline);
        if (!opened) return std::unexpected(opened.error());
        session_ = std::move(*opened);
      }
      call.sent = 0;
      call.stream_id = -1;
      call.answer = {};
      auto done = session_->call(request_headers(deadline), call, deadline);
      if (!done) session_.reset();  // broken, timed out or confused: the next send starts afresh
      bool refused = done && call.answer.reset_code == NGHTTP2_REFUSED_STREAM && call.answer.http_status == 0;
      if (refused && reused && attempt == 0) {
        session_.reset();
        continue;
      }
      return done;
    }
  }

  Result<std::unique_ptr<Session>> connect(const Deadline& deadline) {
    auto fd = connect_tcp(*target_, deadline);
    if (!fd) return std::unexpected(fd.error());
    Link link{std::move(*fd)};
    if (target_->tls) {
      if (!tls_) {
        auto ctx = make_tls_context(endpoint_);
        if (!ctx) return std::unexpected(ctx.error());
        tls_ = std::move(*ctx);
      }
      if (auto secured = link.start_tls(tls_.get(), *target_, !endpoint_.insecure, deadline); !secured)
        return std::unexpected(secured.error());
    }
    return Session::open(std::move(link));
  }

  Headers request_headers(const Deadline& deadline) const {
    Headers headers{{":method", "POST"},
                    {":scheme", target_->tls ? "https" : "http"},
                    {":path", std::string(kExportPath)},
                    {":authority", target_->authority()},
                    {"te", "trailers"},
                    {"content-type", "application/grpc"},
                    // What is left after connecting, so the server gives up when this client does.
                    {"grpc-timeout", grpc_timeout(std::chrono::milliseconds(deadline.remaining_ms()))}};
    if (endpoint_.gzip) {
      headers.emplace_back("grpc-encoding", "gzip");
      headers.emplace_back("grpc-accept-encoding", "gzip");
    }
    headers.emplace_back("user-agent", "igw/" + std::string(build_info().version));
    for (const auto& [key, value] : endpoint_.headers)
      if (auto name = metadata_name(key, value)) headers.emplace_back(std::move(*name), value);
    return headers;
  }

  SendResult judge(const Answer& answer) const {
    if (answer.http_status != 0 && answer.http_status != 200) {
      int code = status_from_http(answer.http_status);
      std::string what =
          "HTTP status " + std::to_string(answer.http_status) + " (" + std::string(status_name(code)) + ")";
      if (!answer.grpc_message.empty()) what += ": " + first_line(answer.grpc_message);
      return fail(Failure{std::move(what), retryable_status(code, "")});
    }
    // A grpc-status says it all, even when a reset of the stream followed it.
    if (answer.grpc_status) {
      if (!answer.content_type.empty() && !answer.content_type.starts_with("application/grpc"))
        return fail(
            Failure{"not a gRPC answer (content-type " + first_line(answer.content_type) + ")", false});
      if (*answer.grpc_status == 0) return SendResult{true, false, {}};
      int code = *answer.grpc_status;
      std::string what = "grpc-status " + std::to_string(code) + " (" + std::string(status_name(code)) + ")";
      if (!answer.grpc_message.empty()) what += ": " + first_line(answer.grpc_message);
      return fail(Failure{std::move(what), retryable_status(code, answer.status_details)});
    }
    if (answer.reset_code != NGHTTP2_NO_ERROR) {
      // RFC 7540 codes as gRPC maps them: REFUSED_STREAM is UNAVAILABLE, CANCEL is CANCELLED.
      bool retry = answer.reset_code == NGHTTP2_REFUSED_STREAM || answer.reset_code == NGHTTP2_CANCEL;
      return fail(Failure{
          std::string("stream reset by the server (") + nghttp2_http2_strerror(answer.reset_code) + ")",
          retry});
    }
    if (answer.http_status == 0) return fail(Failure{"the server ended the stream without an answer", true});
    return fail(Failure{"the answer has no grpc-status", false});
  }

  SendResult fail(const Failure& failure) const {
    return SendResult{false, failure.retryable, "OTLP gRPC export to " + name_ + ": " + failure.what};
  }

  Endpoint endpoint_;
  std::expected<Target, std::string> target_;
  std::string name_;                  // the endpoint as error lines name it
  SslCtxPtr tls_;                     // made at the first TLS connection, kept for the next ones
  std::unique_ptr<Session> session_;  // the open connection, if any
};

}  // namespace
}  // namespace grpc

std::unique_ptr<Transport> make_grpc_transport(const Endpoint& endpoint) {
  return std::make_unique<grpc::GrpcTransport>(endpoint);
}

}  // namespace igw::telemetry::otlp
