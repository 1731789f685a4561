// OTLP over HTTP/1.1: one POST of the encoded request to the traces URL, on a kept-alive connection.
#include <httplib.h>

#include <exception>

#include "telemetry/build_info.hpp"
#include "telemetry/otlp_transport.hpp"

namespace igw::telemetry::otlp {
namespace {

// The collector may take the same batch later (OTLP/HTTP's retryable statuses).
bool retryable_status(int status) { return status == 429 || status == 502 || status == 503 || status == 504; }

class HttpTransport final : public Transport {
 public:
  HttpTransport(const Endpoint& endpoint, Protocol protocol)
      : url_(endpoint.url),
        content_type_(protocol == Protocol::http_json ? "application/json" : "application/x-protobuf") {
    // "scheme://authority" for the client, the rest is the path. Only http:// and https:// with a host:
    // cpp-httplib would take "collector:4318" or "not a url" for a host name and fail each send as a
    // retryable connection error.
    std::size_t authority_start = 0;
    if (url_.starts_with("http://"))
      authority_start = 7;
    else if (url_.starts_with("https://"))
      authority_start = 8;
    else
      return;
    auto path_start = url_.find('/', authority_start);
    if (authority_start == url_.size() || url_[authority_start] == '/' || url_[authority_start] == ':')
      return;
    std::string origin = url_.substr(0, path_start);
    path_ = path_start == std::string::npos ? "/" : url_.substr(path_start);
    try {
      client_ = std::make_unique<httplib::Client>(origin);
    } catch (const std::exception&) {  // cpp-httplib throws std::invalid_argument for what it cannot parse
      client_.reset();
    }
    valid_ = client_ && client_->is_valid();
    if (!valid_) return;
    timeout_ms_ = std::to_string(endpoint.timeout.count());
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(endpoint.timeout);
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(endpoint.timeout - seconds);
    client_->set_connection_timeout(seconds.count(), micros.count());
    client_->set_read_timeout(seconds.count(), micros.count());
    client_->set_write_timeout(seconds.count(), micros.count());
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);
    client_->set_compress(endpoint.gzip);
    gzip_ = endpoint.gzip;
    if (!endpoint.ca_file.empty()) client_->set_ca_cert_path(endpoint.ca_file.c_str());
    client_->enable_server_certificate_verification(!endpoint.insecure);
    headers_.emplace("User-Agent", "igw/" + std::string{build_info().version});
    for (const auto& [k, v] : endpoint.headers) headers_.emplace(k, v);
  }

  SendResult send(std::string_view body) override {
    SendResult r;
    if (!valid_) {
      r.error = "OTLP export to " + url_ + ": not a usable URL (expected http:// or https:// and a host)";
      return r;
    }
    // Uncompressed, the body is written to the socket straight from the caller's buffer (the plain Post
    // copies it into the request first); gzip needs httplib's compressor, which takes the whole body.
    auto res = gzip_ ? client_->Post(path_, headers_, body.data(), body.size(), content_type_)
                     : client_->Post(
                           path_, headers_, body.size(),
                           [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             return sink.write(body.data() + offset, length);
                           },
                           content_type_);
    if (!res) {
      // The collector could not be reached or did not answer in time: retryable. A certificate it will not
      // accept or cannot load is not.
      auto error = res.error();
      r.retryable =
          error != httplib::Error::SSLServerVerification && error != httplib::Error::SSLLoadingCerts;
      r.error = "OTLP export to " + url_ + ": " + describe(error);
      return r;
    }
    if (res->status >= 200 && res->status < 300) {
      r.ok = true;
      return r;
    }
    r.retryable = retryable_status(res->status);
    std::string detail = res->body.substr(0, 200);
    for (char& c : detail)
      if (c == '\n' || c == '\r') c = ' ';
    r.error = "OTLP export to " + url_ + ": HTTP " + std::to_string(res->status) +
              (detail.empty() ? "" : ": " + detail);
    return r;
  }

 private:
  // cpp-httplib's own names are bare enumerators ("Connection", "Read").
  std::string describe(httplib::Error error) const {
    switch (error) {
      case httplib::Error::Connection:
        return "could not connect (refused, unreachable or unknown host)";
      case httplib::Error::ConnectionTimeout:
        return "connect timed out after " + timeout_ms_ + " ms";
      case httplib::Error::Read:
        return "no answer (connection closed, or timed out after " + timeout_ms_ + " ms)";
      case httplib::Error::Write:
        return "sending the request failed (connection closed or timed out)";
      case httplib::Error::SSLConnection:
        return "TLS handshake failed";
      case httplib::Error::SSLLoadingCerts:
        return "TLS: could not load the CA certificates";
      case httplib::Error::SSLServerVerification:
        return "TLS: server certificate verify failed";
      case httplib::Error::Compression:
        return "gzip compression failed";
      default:
        return "HTTP client error " + httplib::to_string(error);
    }
  }

  std::string url_, path_, content_type_, timeout_ms_;
  std::unique_ptr<httplib::Client> client_;
  httplib::Headers headers_;
  bool valid_ = false;
  bool gzip_ = false;
};

}  // namespace

std::unique_ptr<Transport> make_http_transport(const Endpoint& endpoint, Protocol protocol) {
  return std::make_unique<HttpTransport>(endpoint, protocol);
}

}  // namespace igw::telemetry::otlp
