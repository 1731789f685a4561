#include "ops/doctor.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "config/settings.hpp"
#include "manifests/options.hpp"
#include "manifests/otel_collector.hpp"
#include "ops/check.hpp"
#include "telemetry/build_info.hpp"
#include "telemetry/exposition.hpp"

namespace igw::ops::doctor {
namespace {

using config::env_name;
using config::Key;
using nlohmann::json;

// MCP's current protocol revision and A2A's agent card location (the same values as server/tools).
constexpr std::string_view kMcpProtocolVersion = "2025-06-18";
constexpr std::string_view kAgentCardPath = "/.well-known/agent-card.json";
// The label the Prometheus Operator of kube-prometheus-stack selects ServiceMonitors by.
constexpr std::string_view kReleaseLabel = "release";
constexpr std::size_t kFindingsShown = 3;
constexpr std::size_t kSnippet = 160;

Check make(std::string name, Status status, std::string detail, std::string fix = {}) {
  return Check{std::move(name), status, std::move(detail), std::move(fix)};
}

std::string trim_slashes(std::string_view url) {
  while (url.ends_with('/')) url.remove_suffix(1);
  return std::string{url};
}

// The host as a URL writes it: wildcards become loopback, IPv6 gets brackets.
std::string url_host(std::string host) {
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::" || host == "[::]") return "[::1]";
  if (host.find(':') != std::string::npos && !host.starts_with('[')) return "[" + host + "]";
  return host;
}

std::string lower(std::string_view s) {
  std::string out{s};
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Loopback spellings compare equal: the gateway's wildcard listener answers on all of them.
std::string comparable_host(std::string_view host) {
  std::string h = lower(host);
  if (h == "localhost" || h == "0.0.0.0" || h == "::1" || h == "::" || h.starts_with("127."))
    return "loopback";
  return h;
}

// One line of an answer body, short, for a detail.
std::string snippet(std::string_view body) {
  auto end = body.find_first_of("\r\n");
  std::string_view line = body.substr(0, end);
  if (line.size() <= kSnippet) return std::string{line};
  return std::string{line.substr(0, kSnippet)} + "...";
}

// The message of an error answer: OpenAI's {"error":{"message"}}, Anthropic's {"error":{"message"}} or a
// plain {"message"}; else the first line of the body.
std::string error_message(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("error") && j["error"].is_object() && j["error"].contains("message") &&
        j["error"]["message"].is_string())
      return snippet(j["error"]["message"].get<std::string>());
    if (j.contains("error") && j["error"].is_string()) return snippet(j["error"].get<std::string>());
    if (j.contains("message") && j["message"].is_string()) return snippet(j["message"].get<std::string>());
  }
  return snippet(body);
}

std::string without_secret(std::string text, std::string_view secret) {
  if (secret.size() < 4) return text;
  std::string masked = config::mask_secret(secret);
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + masked.size()))
    text.replace(pos, secret.size(), masked);
  return text;
}

// The JSON-RPC message of an MCP answer: the body itself, or the data of the first SSE event carrying one.
json rpc_message(const HttpResult& answer) {
  json direct = json::parse(answer.body, nullptr, false);
  if (!direct.is_discarded()) return direct;
  std::string data;
  std::size_t pos = 0;
  while (pos < answer.body.size()) {
    auto end = answer.body.find('\n', pos);
    std::string_view line = std::string_view{answer.body}.substr(pos, end - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.starts_with("data:")) {
      line.remove_prefix(5);
      if (line.starts_with(' ')) line.remove_prefix(1);
      data.append(line);
    } else if (line.empty() && !data.empty()) {
      json j = json::parse(data, nullptr, false);
      if (!j.is_discarded()) return j;
      data.clear();
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return json::parse(data, nullptr, false);
}

std::string metrics_fix() {
  return fmt::format("start the gateway with {}=true and scrape its {} (default {}), or pass --metrics URL",
                     env_name(Key::telemetry_enable), env_name(Key::telemetry_metrics_port),
                     config::default_port(Key::telemetry_metrics_port));
}

// The YAML objects of a file: each document, the members of a top-level sequence or of a `kind: List`.
void collect_objects(const YAML::Node& node, std::vector<YAML::Node>& out) {
  if (node.IsSequence()) {
    for (const auto& item : node) collect_objects(item, out);
    return;
  }
  if (!node.IsMap()) return;
  if (node["kind"] && node["kind"].IsScalar() && node["kind"].Scalar() == "List" && node["items"])
    return collect_objects(node["items"], out);
  out.push_back(node);
}

std::string scalar_at(const YAML::Node& node, std::initializer_list<std::string_view> path) {
  YAML::Node cur;
  cur.reset(node);  // (assigning a Node would overwrite the node it refers to)
  for (auto key : path) {
    if (!cur.IsMap()) return {};
    const YAML::Node& map = cur;
    YAML::Node next = map[std::string{key}];
    if (!next) return {};
    cur.reset(next);
  }
  return cur.IsScalar() ? cur.Scalar() : std::string{};
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::ok:
      return "ok";
    case Status::warn:
      return "warn";
    case Status::fail:
      return "fail";
    case Status::skip:
      return "skip";
  }
  return "fail";
}

std::string default_api_url(const config::Config& cfg) {
  bool tls = !cfg.text(Key::server_tls_cert_path).empty();
  return fmt::format("{}://{}:{}", tls ? "https" : "http", url_host(cfg.text(Key::server_host)),
                     cfg.port(Key::server_port));
}

std::string default_metrics_url(const config::Config& cfg) {
  const std::string& host = cfg.text(Key::telemetry_metrics_host);
  return fmt::format("http://{}:{}{}", url_host(host.empty() ? cfg.text(Key::server_host) : host),
                     cfg.port(Key::telemetry_metrics_port), manifests::kMetricsPath);
}

std::optional<Endpoint> parse_endpoint(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  Endpoint ep;
  ep.scheme = lower(url.substr(0, sep));
  if (ep.scheme != "http" && ep.scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(sep + 3);
  auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) ep.path = std::string{rest.substr(slash)};
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view port_text;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    ep.host = std::string{authority.substr(1, close - 1)};
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return std::nullopt;
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    ep.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (ep.host.empty()) return std::nullopt;
  ep.port = ep.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value > 65535) return std::nullopt;
    ep.port = static_cast<std::uint16_t>(value);
  }
  return ep;
}

Check evaluate_api(const std::string& api_url, const Probe& health) {
  const std::string url = trim_slashes(api_url) + std::string{manifests::kHealthPath};
  const std::string fix =
      fmt::format("start the gateway, or point doctor at it: {}/{} as the gateway has them, or --api URL",
                  env_name(Key::server_host), env_name(Key::server_port));
  if (!health) return make("api", Status::fail, health.error(), fix);
  if (health->status != 200)
    return make("api", Status::fail,
                fmt::format("GET {} answered HTTP {}: {}", url, health->status, snippet(health->body)),
                "is " + api_url + " the gateway's API? " + fix);
  return make("api", Status::ok, fmt::format("GET {} answered 200", url));
}

std::vector<Check> evaluate_metrics(bool telemetry_enabled, const std::string& api_url,
                                    const std::string& metrics_url, const Probe& scrape) {
  std::vector<Check> out;
  const std::string& enable = env_name(Key::telemetry_enable);
  auto api = parse_endpoint(api_url);
  auto metrics = parse_endpoint(metrics_url);
  const bool on_api_port = api && metrics && api->port == metrics->port &&
                           comparable_host(api->host) == comparable_host(metrics->host);
  const bool answered = scrape && scrape->status == 200 && !on_api_port;

  if (telemetry_enabled)
    out.push_back(make("telemetry", Status::ok, enable + "=true"));
  else if (answered)
    out.push_back(make("telemetry", Status::warn,
                       fmt::format("{} is false in this environment, but {} answers: the gateway runs with "
                                   "another environment than this one",
                                   enable, metrics_url),
                       "run igw doctor with the gateway's environment (or its flags)"));
  else
    out.push_back(make("telemetry", Status::fail,
                       fmt::format("telemetry is off ({}=false): the gateway serves no /metrics", enable),
                       "set " + enable + "=true"));

  auto skip_catalog = [&out](std::string why) {
    out.push_back(make("catalog", Status::skip, std::move(why)));
  };
  if (on_api_port) {
    out.push_back(make(
        "metrics", Status::fail,
        fmt::format("{} is the API port {}: the metrics have their own port", metrics_url, metrics->port),
        fmt::format("scrape {} (default {}), not {}", env_name(Key::telemetry_metrics_port),
                    config::default_port(Key::telemetry_metrics_port), env_name(Key::server_port))));
    skip_catalog("no exposition to check");
    return out;
  }
  if (!answered && !telemetry_enabled) {
    out.push_back(make("metrics", Status::skip, "not served: telemetry is off"));
    skip_catalog("no exposition to check");
    return out;
  }
  if (!scrape) {
    out.push_back(make("metrics", Status::fail, scrape.error(), metrics_fix()));
    skip_catalog("no exposition to check");
    return out;
  }
  if (scrape->status != 200) {
    out.push_back(
        make("metrics", Status::fail,
             fmt::format("GET {} answered HTTP {}: {}", metrics_url, scrape->status, snippet(scrape->body)),
             metrics_fix()));
    skip_catalog("no exposition to check");
    return out;
  }
  auto exposition = telemetry::exposition::parse(scrape->body);
  if (!exposition) {
    out.push_back(make("metrics", Status::fail,
                       fmt::format("{} is not a Prometheus exposition: line {}: {}", metrics_url,
                                   exposition.error().line, exposition.error().message),
                       "is " + metrics_url + " the gateway's metrics endpoint? " + metrics_fix()));
    skip_catalog("no exposition to check");
    return out;
  }
  out.push_back(make(
      "metrics", Status::ok,
      fmt::format("GET {} answered 200 ({} metric families)", metrics_url, exposition->families.size())));
  auto findings = check_exposition(*exposition);
  if (findings.empty()) {
    out.push_back(make("catalog", Status::ok,
                       fmt::format("every catalog metric is exposed with its type and labels ({} families)",
                                   exposition->families.size())));
    return out;
  }
  std::string detail = fmt::format("{} problem{}:", findings.size(), findings.size() == 1 ? "" : "s");
  for (std::size_t i = 0; i < findings.size() && i < kFindingsShown; ++i)
    detail += fmt::format("{} {}: {}", i ? ";" : "", findings[i].metric, findings[i].problem);
  if (findings.size() > kFindingsShown)
    detail += fmt::format("; and {} more", findings.size() - kFindingsShown);
  out.push_back(make("catalog", Status::fail, std::move(detail),
                     "the gateway and this igw are different versions? compare `igw version` with the "
                     "gateway's igw_build_info"));
  return out;
}

std::optional<Problem> otlp_port_mismatch(std::string_view protocol, std::uint16_t port) {
  const std::string& variable = env_name(Key::otel_exporter_otlp_protocol);
  const bool grpc = protocol == config::kOtlpGrpc;
  if (!grpc && port == manifests::kOtlpGrpcPort)
    return Problem{
        fmt::format("OTLP/HTTP ({}) sent to {}, the gRPC port", protocol, port),
        fmt::format("use port {} or {}={}", manifests::kOtlpHttpPort, variable, config::kOtlpGrpc)};
  if (grpc && port == manifests::kOtlpHttpPort)
    return Problem{
        fmt::format("OTLP/gRPC sent to {}, the OTLP/HTTP port", port),
        fmt::format("use port {} or {}={}", manifests::kOtlpGrpcPort, variable, config::kOtlpHttpProtobuf)};
  return std::nullopt;
}

std::vector<Check> evaluate_otlp(std::string_view variable, const std::string& endpoint,
                                 std::string_view protocol, const std::expected<void, std::string>& connect) {
  std::vector<Check> out;
  auto ep = parse_endpoint(endpoint);
  if (!ep) {
    out.push_back(make("otlp", Status::fail, fmt::format("{}={}: not an http(s) URL", variable, endpoint),
                       fmt::format("set {} to the collector's URL, e.g. http://otel-collector:{}", variable,
                                   manifests::kOtlpGrpcPort)));
    return out;
  }
  if (connect)
    out.push_back(make("otlp", Status::ok, fmt::format("{} accepts connections", endpoint)));
  else
    out.push_back(make("otlp", Status::fail, fmt::format("{}={}: {}", variable, endpoint, connect.error()),
                       fmt::format("start the collector, or set {} to an address that resolves and answers "
                                   "from where the gateway runs",
                                   variable)));
  if (auto problem = otlp_port_mismatch(protocol, ep->port))
    out.push_back(make("otlp-protocol", Status::fail, std::move(problem->detail), std::move(problem->fix)));
  else
    out.push_back(make("otlp-protocol", Status::ok, fmt::format("{} to port {}", protocol, ep->port)));
  return out;
}

std::string models_url(std::string_view base_url, std::string_view models_path) {
  return trim_slashes(base_url) + std::string{models_path};
}

std::vector<std::pair<std::string, std::string>> provider_headers(const config::ProviderDef& provider,
                                                                  std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  switch (provider.auth) {
    case config::AuthStyle::bearer:
      if (!key.empty()) out.emplace_back("Authorization", "Bearer " + std::string{key});
      break;
    case config::AuthStyle::x_api_key:
      if (!key.empty()) out.emplace_back("x-api-key", std::string{key});
      break;
    case config::AuthStyle::none:
      break;
  }
  for (const auto& h : provider.extra_headers) out.emplace_back(std::string{h.name}, std::string{h.value});
  return out;
}

Check evaluate_provider(const config::ProviderDef& provider, const std::string& url, std::string_view key,
                        const Probe& models) {
  std::string name = "provider " + std::string{provider.id};
  const std::string url_env = config::provider_url_env(provider);
  const std::string key_env = config::provider_key_env(provider);
  if (url.find('{') != std::string::npos)
    return make(std::move(name), Status::fail, "the URL still holds a placeholder: " + url,
                "set " + url_env + " to your account's URL");
  if (!models)
    return make(std::move(name), Status::fail, without_secret(models.error(), key),
                "fix " + url_env + ": the provider must be reachable from here");
  const int status = models->status;
  const std::string message = without_secret(error_message(models->body), key);
  if (status == 200) {
    json j = json::parse(models->body, nullptr, false);
    std::size_t count = 0;
    if (j.is_object())
      for (const char* field : {"data", "models", "result"})
        if (j.contains(field) && j[field].is_array()) count = j[field].size();
    return make(std::move(name), Status::ok, fmt::format("GET {} answered 200 ({} models)", url, count));
  }
  if (status == 401 || status == 403)
    return make(std::move(name), Status::fail,
                fmt::format("key refused: GET {} answered HTTP {}: {}", url, status, message),
                "check " + key_env);
  if (status == 429)
    return make(std::move(name), Status::warn,
                fmt::format("GET {} answered HTTP 429 (rate limited): {}", url, message),
                "the key is accepted but throttled; check the account's limits");
  return make(
      std::move(name), Status::fail, fmt::format("GET {} answered HTTP {}: {}", url, status, message),
      "fix " + url_env + " (the models path " + std::string{provider.models_path} + " is appended to it)");
}

Check evaluate_mcp(const std::string& url, const Probe& initialize) {
  std::string name = "mcp " + url;
  const std::string fix = "start the MCP server, or fix " + env_name(Key::mcp_servers);
  if (!initialize) return make(std::move(name), Status::fail, initialize.error(), fix);
  if (initialize->status != 200)
    return make(
        std::move(name), Status::fail,
        fmt::format("initialize answered HTTP {}: {}", initialize->status, error_message(initialize->body)),
        "is " + url + " a Streamable-HTTP MCP endpoint? " + fix);
  json m = rpc_message(*initialize);
  if (m.is_object() && m.contains("error") && m["error"].is_object())
    return make(std::move(name), Status::fail,
                fmt::format("initialize: JSON-RPC error {}: {}", m["error"].value("code", 0),
                            m["error"].value("message", std::string{})),
                fix);
  if (!m.is_object() || !m.contains("result") || !m["result"].is_object() ||
      !m["result"].contains("protocolVersion"))
    return make(std::move(name), Status::fail,
                "initialize: the answer is not a JSON-RPC result: " + snippet(initialize->body), fix);
  const json& r = m["result"];
  std::string server = "an unnamed server";
  if (r.contains("serverInfo") && r["serverInfo"].is_object()) {
    server = r["serverInfo"].value("name", server);
    if (auto v = r["serverInfo"].value("version", std::string{}); !v.empty()) server += " " + v;
  }
  return make(std::move(name), Status::ok,
              fmt::format("initialize answered: {} (protocol {})", server,
                          r["protocolVersion"].is_string() ? r["protocolVersion"].get<std::string>() : "?"));
}

std::string agent_card_url(std::string_view base) {
  if (base.ends_with(".json")) return std::string{base};
  return trim_slashes(base) + std::string{kAgentCardPath};
}

Check evaluate_a2a(const std::string& base, const Probe& card) {
  std::string name = "a2a " + base;
  const std::string url = agent_card_url(base);
  const std::string fix = "start the agent, or fix " + env_name(Key::a2a_agents);
  if (!card) return make(std::move(name), Status::fail, card.error(), fix);
  if (card->status != 200)
    return make(std::move(name), Status::fail,
                fmt::format("GET {} answered HTTP {}: {}", url, card->status, snippet(card->body)), fix);
  json j = json::parse(card->body, nullptr, false);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string())
    return make(std::move(name), Status::fail,
                "GET " + url + ": not an agent card (no name): " + snippet(card->body), fix);
  return make(std::move(name), Status::ok, "agent card: " + j["name"].get<std::string>());
}

Check check_servicemonitor(const std::string& file, std::string_view yaml_text) {
  const std::string regenerate = "igw gen k8s --release <helm release of kube-prometheus-stack>";
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string{yaml_text});
  } catch (const YAML::Exception& e) {
    return make("servicemonitor", Status::fail, fmt::format("{}: not YAML: {}", file, e.what()),
                "regenerate it: " + regenerate);
  }
  std::vector<YAML::Node> objects;
  for (const auto& d : docs) collect_objects(d, objects);
  std::vector<std::string> labelled, unlabelled;
  for (const auto& o : objects) {
    if (scalar_at(o, {"kind"}) != "ServiceMonitor") continue;
    std::string name = scalar_at(o, {"metadata", "name"});
    std::string release = scalar_at(o, {"metadata", "labels", kReleaseLabel});
    if (release.empty())
      unlabelled.push_back(name.empty() ? "(unnamed)" : name);
    else
      labelled.push_back(fmt::format("{} has {}={}", name, kReleaseLabel, release));
  }
  if (!unlabelled.empty())
    return make(
        "servicemonitor", Status::fail,
        fmt::format("ServiceMonitor {} in {} has no {} label: the Prometheus Operator's default selector "
                    "will not pick it up",
                    fmt::join(unlabelled, ", "), file, kReleaseLabel),
        regenerate);
  if (labelled.empty())
    return make("servicemonitor", Status::fail, file + " holds no ServiceMonitor",
                "generate one: " + regenerate + " --only ServiceMonitor");
  return make("servicemonitor", Status::ok,
              fmt::format("ServiceMonitor {} (it must match your kube-prometheus-stack Helm release)",
                          fmt::join(labelled, ", ")));
}

std::expected<void, std::string> tcp_connect(const std::string& host, std::uint16_t port,
                                             std::chrono::milliseconds timeout) {
  const std::string where =
      fmt::format("{}:{}", host.find(':') != std::string::npos ? "[" + host + "]" : host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    return std::unexpected(fmt::format("{}: cannot resolve {}: {}", where, host, ::gai_strerror(rc)));
  std::string error = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (ready == 0) {
        err = ETIMEDOUT;
      } else if (ready < 0) {
        err = errno;
      } else {
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
    ::close(fd);
    if (err == 0) {
      ::freeaddrinfo(found);
      return {};
    }
    error = err == ETIMEDOUT ? fmt::format("no answer within {} ms", timeout.count()) : std::strerror(err);
  }
  ::freeaddrinfo(found);
  return std::unexpected(fmt::format("{}: {}", where, lower(error)));
}

namespace {

// An HTTP probe whose failure names its cause: httplib's errors are terse ("Connection"), so a failed
// request is followed by a plain TCP connect that says refused, unresolvable or timed out.
Probe probe(const HttpRequest& request) {
  auto answer = http_request(request);
  if (answer) return answer;
  auto ep = parse_endpoint(request.url);
  if (!ep) return answer;
  auto connect = tcp_connect(ep->host, ep->port, request.timeout);
  if (connect) return answer;
  return std::unexpected(fmt::format("{} {}: {}", request.method, request.url, connect.error()));
}

Probe probe_get(const std::string& url, std::chrono::milliseconds timeout) {
  HttpRequest r;
  r.url = url;
  r.timeout = timeout;
  return probe(r);
}

std::vector<Check> run_otlp(const config::Config& cfg, std::chrono::milliseconds timeout) {
  Key key = Key::otel_exporter_otlp_traces_endpoint;
  if (cfg.text(key).empty()) key = Key::otel_exporter_otlp_endpoint;
  const std::string& endpoint = cfg.text(key);
  if (endpoint.empty())
    return {make("otlp", Status::skip,
                 "tracing off: " + env_name(Key::otel_exporter_otlp_endpoint) + " is not set")};
  std::expected<void, std::string> connect = std::unexpected(std::string{"not an http(s) URL"});
  if (auto ep = parse_endpoint(endpoint)) connect = tcp_connect(ep->host, ep->port, timeout);
  return evaluate_otlp(env_name(key), endpoint, cfg.text(Key::otel_exporter_otlp_protocol), connect);
}

std::vector<std::future<Check>> probe_providers(const config::Config& cfg,
                                                std::chrono::milliseconds timeout) {
  std::vector<std::future<Check>> out;
  auto defs = config::providers();
  for (std::size_t i = 0; i < defs.size(); ++i) {
    if (!cfg.provider_enabled(i)) continue;
    const config::ProviderDef& def = defs[i];
    std::string url = models_url(cfg.provider_url(i), def.models_path);
    std::string key = cfg.provider_key(i);
    out.push_back(std::async(std::launch::async, [&def, url, key, timeout] {
      Probe answer = std::unexpected(std::string{"not probed"});
      if (url.find('{') == std::string::npos) {
        HttpRequest r;
        r.url = url;
        r.headers = provider_headers(def, key);
        r.timeout = timeout;
        answer = probe(r);
      }
      return evaluate_provider(def, url, key, answer);
    }));
  }
  return out;
}

std::string initialize_request() {
  return json{{"jsonrpc", "2.0"},
              {"id", 1},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", kMcpProtocolVersion},
                {"capabilities", json::object()},
                {"clientInfo", {{"name", "igw-doctor"}, {"version", telemetry::build_info().version}}}}}}
      .dump();
}

std::vector<std::future<Check>> probe_mcp(const config::Config& cfg, std::chrono::milliseconds timeout) {
  std::vector<std::future<Check>> out;
  for (const auto& url : cfg.list(Key::mcp_servers)) {
    out.push_back(std::async(std::launch::async, [url, timeout] {
      HttpRequest r;
      r.method = "POST";
      r.url = url;
      r.headers = {{"Accept", "application/json, text/event-stream"}};
      r.body = initialize_request();
      r.timeout = timeout;
      return evaluate_mcp(url, probe(r));
    }));
  }
  return out;
}

std::vector<std::future<Check>> probe_a2a(const config::Config& cfg, std::chrono::milliseconds timeout) {
  std::vector<std::future<Check>> out;
  for (const auto& base : cfg.list(Key::a2a_agents))
    out.push_back(std::async(std::launch::async, [base, timeout] {
      return evaluate_a2a(base, probe_get(agent_card_url(base), timeout));
    }));
  return out;
}

// A tool kind's checks: skipped when disabled, a warning when enabled with nothing listed.
void tool_checks(std::vector<Check>& out, std::string name, bool enabled, Key enable, Key list,
                 std::vector<std::future<Check>> probes) {
  if (!enabled)
    out.push_back(make(std::move(name), Status::skip, env_name(enable) + " is false"));
  else if (probes.empty())
    out.push_back(make(std::move(name), Status::warn,
                       fmt::format("{}=true but {} is empty", env_name(enable), env_name(list)),
                       "list the URLs in " + env_name(list)));
  for (auto& p : probes) out.push_back(p.get());
}

}  // namespace

Check run_api(const Targets& targets) {
  return evaluate_api(targets.api, probe_get(trim_slashes(targets.api) + std::string{manifests::kHealthPath},
                                             targets.timeout));
}

std::vector<Check> run(const config::Config& cfg, const Targets& targets) {
  const auto timeout = targets.timeout;
  // The slow probes (other hosts) start first and run while the gateway itself is checked.
  auto providers = probe_providers(cfg, timeout);
  const bool mcp = cfg.boolean(Key::mcp_enable), a2a = cfg.boolean(Key::a2a_enable);
  auto mcp_probes = mcp ? probe_mcp(cfg, timeout) : std::vector<std::future<Check>>{};
  auto a2a_probes = a2a ? probe_a2a(cfg, timeout) : std::vector<std::future<Check>>{};

  std::vector<Check> out{run_api(targets)};
  for (auto& c : evaluate_metrics(cfg.boolean(Key::telemetry_enable), targets.api, targets.metrics,
                                  probe_get(targets.metrics, timeout)))
    out.push_back(std::move(c));
  for (auto& c : run_otlp(cfg, timeout)) out.push_back(std::move(c));
  if (providers.empty())
    out.push_back(make("providers", Status::warn, "no provider is configured: every model request will fail",
                       fmt::format("set {} (or another provider's key)",
                                   config::provider_key_env(config::providers().front()))));
  for (auto& p : providers) out.push_back(p.get());
  tool_checks(out, "mcp", mcp, Key::mcp_enable, Key::mcp_servers, std::move(mcp_probes));
  tool_checks(out, "a2a", a2a, Key::a2a_enable, Key::a2a_agents, std::move(a2a_probes));
  if (targets.servicemonitor_file.empty()) {
    out.push_back(make("servicemonitor", Status::skip, "no --servicemonitor FILE given"));
  } else {
    std::ifstream in{targets.servicemonitor_file, std::ios::binary};
    if (!in) {
      out.push_back(make("servicemonitor", Status::fail,
                         fmt::format("cannot read {}: {}", targets.servicemonitor_file, std::strerror(errno)),
                         "pass a file `igw gen k8s --output-dir DIR` wrote"));
    } else {
      std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
      out.push_back(check_servicemonitor(targets.servicemonitor_file, text));
    }
  }
  return out;
}

bool any_failed(const std::vector<Check>& checks) {
  return std::ranges::any_of(checks, [](const Check& c) { return c.status == Status::fail; });
}

std::string render_text(const std::vector<Check>& checks, bool color) {
  std::string out;
  for (const auto& c : checks) {
    std::string_view word = to_string(c.status);
    std::string_view paint = c.status == Status::ok     ? "\x1b[32m"
                             : c.status == Status::warn ? "\x1b[33m"
                             : c.status == Status::fail ? "\x1b[31m"
                                                        : "\x1b[2m";
    out += color ? fmt::format("{}{:<4}\x1b[0m", paint, word) : fmt::format("{:<4}", word);
    out += fmt::format(" {}: {}", c.name, c.detail);
    if (!c.fix.empty() && (c.status == Status::fail || c.status == Status::warn)) out += " -> fix: " + c.fix;
    out += '\n';
  }
  return out;
}

std::string render_json(const std::vector<Check>& checks) {
  auto arr = nlohmann::ordered_json::array();
  for (const auto& c : checks)
    arr.push_back({{"name", c.name}, {"status", to_string(c.status)}, {"detail", c.detail}, {"fix", c.fix}});
  nlohmann::ordered_json out{{"checks", std::move(arr)}, {"ok", !any_failed(checks)}};
  return out.dump(2) + "\n";
}

}  // namespace igw::ops::doctor
