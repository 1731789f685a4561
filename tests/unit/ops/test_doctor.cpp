#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "config/providers.hpp"
#include "ops/doctor.hpp"
#include "telemetry/catalog.hpp"

using namespace igw::ops::doctor;
using igw::ops::HttpResult;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

igw::config::Config load(igw::config::Environment env) {
  auto cfg = igw::config::Config::load(env);
  REQUIRE(cfg.has_value());
  return std::move(*cfg);
}

Probe answer(int status, std::string body, std::string content_type = "application/json") {
  return HttpResult{status, std::move(content_type), std::move(body)};
}
Probe refused(std::string what = "GET http://127.0.0.1:9/x: Could not establish connection") {
  return std::unexpected(std::move(what));
}

const igw::config::ProviderDef& provider(std::string_view id) {
  return igw::config::providers()[*igw::config::find_provider(id)];
}

// An exposition that holds every implemented catalog metric as an empty family of its type (target_info with
// its one sample).
std::string catalog_exposition() {
  std::string text;
  for (const auto& m : igw::telemetry::metrics()) {
    if (m.status != igw::telemetry::Status::implemented) continue;
    text += "# TYPE " + std::string{m.name} + " " + std::string{igw::telemetry::to_string(m.type)} + "\n";
    if (m.name == "target_info") {
      text += "target_info{";
      for (std::size_t i = 0; i < m.labels.size(); ++i)
        text += (i ? "," : "") + std::string{m.labels[i]} + "=\"x\"";
      text += "} 1\n";
    }
  }
  return text;
}

std::string fix_of(const std::vector<Check>& checks, std::string_view name) {
  for (const auto& c : checks)
    if (c.name == name) return c.fix;
  return "(no such check)";
}
const Check& by_name(const std::vector<Check>& checks, std::string_view name) {
  for (const auto& c : checks)
    if (c.name == name) return c;
  FAIL("no check named " << name);
  return checks.front();
}

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

// A small gateway stand-in on 127.0.0.1, port 0: /health, /metrics, a provider's /v1/models that wants
// key "k", an MCP endpoint and an agent card.
class Peer {
 public:
  explicit Peer(std::string exposition) : exposition_(std::move(exposition)) {
    server_.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"message":"OK"})", "application/json");
    });
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(exposition_, "text/plain; version=0.0.4");
    });
    server_.Get("/v1/models", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != "Bearer k") {
        res.status = 401;
        res.set_content(R"({"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}})",
                        "application/json");
        return;
      }
      res.set_content(R"({"object":"list","data":[{"id":"a"},{"id":"b"}]})", "application/json");
    });
    server_.Post("/mcp", [](const httplib::Request& req, httplib::Response& res) {
      auto body = json::parse(req.body);
      bool sse = req.get_header_value("Accept").find("text/event-stream") != std::string::npos;
      json reply{{"jsonrpc", "2.0"},
                 {"id", body["id"]},
                 {"result",
                  {{"protocolVersion", body["params"]["protocolVersion"]},
                   {"serverInfo", {{"name", "weather"}, {"version", "1.0"}}}}}};
      // Answers in SSE, as Streamable HTTP servers may.
      if (sse)
        res.set_content("event: message\ndata: " + reply.dump() + "\n\n", "text/event-stream");
      else
        res.set_content(reply.dump(), "application/json");
    });
    server_.Get("/agent/.well-known/agent-card.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"name":"helper","url":"http://x/a2a"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    REQUIRE(server_.is_running());
  }
  ~Peer() {
    server_.stop();
    thread_.join();
  }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  std::string exposition_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

}  // namespace

TEST_SUITE("ops/doctor") {
  TEST_CASE("default URLs come from the same settings as serve") {
    auto cfg = load({});
    CHECK(default_api_url(cfg) == "http://127.0.0.1:8080");
    CHECK(default_metrics_url(cfg) == "http://127.0.0.1:9464/metrics");
    cfg = load({{"SERVER_HOST", "0.0.0.0"}, {"SERVER_PORT", "9000"}, {"TELEMETRY_METRICS_PORT", "9100"}});
    CHECK(default_api_url(cfg) == "http://127.0.0.1:9000");
    CHECK(default_metrics_url(cfg) == "http://127.0.0.1:9100/metrics");
    cfg = load({{"SERVER_HOST", "::"},
                {"TELEMETRY_METRICS_HOST", "10.0.0.5"},
                {"SERVER_TLS_CERT_PATH", "/c.pem"},
                {"SERVER_TLS_KEY_PATH", "/k.pem"}});
    CHECK(default_api_url(cfg) == "https://[::1]:8080");
    CHECK(default_metrics_url(cfg) == "http://10.0.0.5:9464/metrics");
  }

  TEST_CASE("parse_endpoint: scheme, host, port (the scheme's default when not written), path") {
    auto e = parse_endpoint("http://otel-collector:4317");
    REQUIRE(e);
    CHECK(e->scheme == "http");
    CHECK(e->host == "otel-collector");
    CHECK(e->port == 4317);
    CHECK(e->path.empty());
    e = parse_endpoint("HTTPS://user:pw@[::1]/v1/traces?x=1");
    REQUIRE(e);
    CHECK(e->host == "::1");
    CHECK(e->port == 443);
    CHECK(e->path == "/v1/traces?x=1");
    CHECK(parse_endpoint("http://h/metrics")->port == 80);
    CHECK_FALSE(parse_endpoint("otel:4317"));
    CHECK_FALSE(parse_endpoint("ftp://h"));
    CHECK_FALSE(parse_endpoint("http://h:99999"));
    CHECK_FALSE(parse_endpoint("http://:80"));
  }

  TEST_CASE("the OTLP port convention: grpc on 4317, the HTTP protocols on 4318") {
    auto p = otlp_port_mismatch("http/protobuf", 4317);
    REQUIRE(p);
    CHECK(p->detail == "OTLP/HTTP (http/protobuf) sent to 4317, the gRPC port");
    CHECK(p->fix == "use port 4318 or OTEL_EXPORTER_OTLP_PROTOCOL=grpc");
    CHECK(otlp_port_mismatch("http/json", 4317));
    p = otlp_port_mismatch("grpc", 4318);
    REQUIRE(p);
    CHECK(p->detail == "OTLP/gRPC sent to 4318, the OTLP/HTTP port");
    CHECK(p->fix == "use port 4317 or OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");
    CHECK_FALSE(otlp_port_mismatch("grpc", 4317));
    CHECK_FALSE(otlp_port_mismatch("http/protobuf", 4318));
    CHECK_FALSE(otlp_port_mismatch("http/protobuf", 443));  // no convention to break
    CHECK_FALSE(otlp_port_mismatch("grpc", 55680));
  }

  TEST_CASE("evaluate_otlp: reachability and protocol are two lines") {
    auto c = evaluate_otlp("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317", "http/protobuf", {});
    REQUIRE(c.size() == 2);
    CHECK(c[0].name == "otlp");
    CHECK(c[0].status == Status::ok);
    CHECK(c[1].name == "otlp-protocol");
    CHECK(c[1].status == Status::fail);
    CHECK(c[1].detail.find("4317, the gRPC port") != std::string::npos);
    c = evaluate_otlp("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces", "http/json",
                      std::unexpected(std::string{"c:4318: connection refused"}));
    CHECK(c[0].status == Status::fail);
    CHECK(c[0].detail ==
          "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://c:4318/v1/traces: c:4318: connection refused");
    CHECK(c[0].fix.find("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != std::string::npos);
    CHECK(c[1].status == Status::ok);
    CHECK(c[1].detail == "http/json to port 4318");
  }

  TEST_CASE("api: 200 ok; anything else fails naming SERVER_HOST/SERVER_PORT and --api") {
    CHECK(evaluate_api("http://h:1/", answer(200, "{}")).status == Status::ok);
    CHECK(evaluate_api("http://h:1/", answer(200, "{}")).detail == "GET http://h:1/health answered 200");
    auto c = evaluate_api("http://h:1", refused());
    CHECK(c.status == Status::fail);
    CHECK(c.fix.find("SERVER_HOST/SERVER_PORT") != std::string::npos);
    CHECK(c.fix.find("--api") != std::string::npos);
    CHECK(evaluate_api("http://h:1", answer(404, "nope")).status == Status::fail);
  }

  TEST_CASE("metrics: telemetry off is named; a live endpoint despite it is a warning") {
    const std::string api = "http://127.0.0.1:8080", metrics = "http://127.0.0.1:9464/metrics";
    auto c = evaluate_metrics(false, api, metrics, refused());
    REQUIRE(c.size() == 3);
    CHECK(c[0].name == "telemetry");
    CHECK(c[0].status == Status::fail);
    CHECK(c[0].detail.find("telemetry is off") != std::string::npos);
    CHECK(c[0].fix == "set TELEMETRY_ENABLE=true");
    CHECK(c[1].status == Status::skip);
    CHECK(c[2].status == Status::skip);
    c = evaluate_metrics(false, api, metrics, answer(200, catalog_exposition(), "text/plain"));
    CHECK(c[0].status == Status::warn);
    CHECK(c[0].detail.find("another environment") != std::string::npos);
    CHECK(c[1].status == Status::ok);
    CHECK(c[2].status == Status::ok);
  }

  TEST_CASE("metrics: on the API port, unreachable, not 200, not an exposition") {
    auto c =
        evaluate_metrics(true, "http://127.0.0.1:8080", "http://localhost:8080/metrics", answer(404, "{}"));
    CHECK(c[0].status == Status::ok);
    CHECK(c[1].status == Status::fail);
    CHECK(c[1].detail.find("is the API port 8080") != std::string::npos);
    CHECK(c[1].fix == "scrape TELEMETRY_METRICS_PORT (default 9464), not SERVER_PORT");
    CHECK(c[2].status == Status::skip);
    // Another host on the same port number is fine.
    c = evaluate_metrics(true, "https://api.example.com", "https://metrics.example.com/metrics",
                         answer(200, catalog_exposition()));
    CHECK(c[1].status == Status::ok);
    c = evaluate_metrics(true, "http://127.0.0.1:8080", "http://127.0.0.1:9464/metrics", refused());
    CHECK(c[1].status == Status::fail);
    CHECK(c[1].fix.find("TELEMETRY_METRICS_PORT") != std::string::npos);
    c = evaluate_metrics(true, "http://127.0.0.1:8080", "http://127.0.0.1:9464/metrics", answer(503, "busy"));
    CHECK(c[1].status == Status::fail);
    CHECK(c[1].detail.find("HTTP 503") != std::string::npos);
    c = evaluate_metrics(true, "http://127.0.0.1:8080", "http://127.0.0.1:9464/metrics",
                         answer(200, "# TYPE a counter\na 1\nthis is { not a sample\n"));
    CHECK(c[1].status == Status::fail);
    CHECK(c[1].detail.find("line 3") != std::string::npos);
    CHECK(c[2].status == Status::skip);
  }

  TEST_CASE("catalog: findings fail with the first few listed; none is ok with the family count") {
    std::string wrong = catalog_exposition();
    const std::string counter = "# TYPE llm_requests_total counter";
    wrong.replace(wrong.find(counter), counter.size(), "# TYPE llm_requests_total gauge");
    auto c =
        evaluate_metrics(true, "http://127.0.0.1:8080", "http://127.0.0.1:9464/metrics", answer(200, wrong));
    const Check& catalog = by_name(c, "catalog");
    CHECK(catalog.status == Status::fail);
    CHECK(catalog.detail == "1 problem: llm_requests_total: type gauge, expected counter");
    CHECK(catalog.fix.find("different versions") != std::string::npos);
    c = evaluate_metrics(true, "http://127.0.0.1:8080", "http://127.0.0.1:9464/metrics",
                         answer(200, "# TYPE llm_requests_total gauge\n"));
    CHECK(by_name(c, "catalog").detail.find("; and ") != std::string::npos);  // only the first few listed
    c = evaluate_metrics(true, "http://127.0.0.1:8080", "http://127.0.0.1:9464/metrics",
                         answer(200, catalog_exposition()));
    CHECK(by_name(c, "catalog").status == Status::ok);
    CHECK(by_name(c, "catalog").detail.find("families)") != std::string::npos);
  }

  TEST_CASE("providers: URL and headers from the table; key refused names <ID>_API_KEY") {
    CHECK(models_url("https://api.openai.com/v1/", "/models") == "https://api.openai.com/v1/models");
    CHECK(models_url("https://api.cohere.ai", "/v1/models") == "https://api.cohere.ai/v1/models");
    using H = std::vector<std::pair<std::string, std::string>>;
    CHECK(provider_headers(provider("openai"), "sk-1") == H{{"Authorization", "Bearer sk-1"}});
    CHECK(provider_headers(provider("anthropic"), "a-1") ==
          H{{"x-api-key", "a-1"}, {"anthropic-version", "2023-06-01"}});
    CHECK(provider_headers(provider("ollama"), "").empty());
    CHECK(provider_headers(provider("llamacpp"), "").empty());

    const auto& openai = provider("openai");
    const std::string url = "https://api.openai.com/v1/models";
    auto ok = evaluate_provider(openai, url, "sk-1", answer(200, R"({"data":[{"id":"a"},{"id":"b"}]})"));
    CHECK(ok.name == "provider openai");
    CHECK(ok.status == Status::ok);
    CHECK(ok.detail == "GET https://api.openai.com/v1/models answered 200 (2 models)");
    auto bad = evaluate_provider(
        openai, url, "sk-secret-key-123",
        answer(401, R"({"error":{"message":"Incorrect API key provided: sk-secret-key-123"}})"));
    CHECK(bad.status == Status::fail);
    CHECK(bad.detail.starts_with("key refused"));
    CHECK(bad.detail.find("sk-secret-key-123") == std::string::npos);  // never printed
    CHECK(bad.fix == "check OPENAI_API_KEY");
    CHECK(evaluate_provider(openai, url, "k", answer(403, "forbidden")).fix == "check OPENAI_API_KEY");
    auto gone = evaluate_provider(openai, url, "k", refused());
    CHECK(gone.status == Status::fail);
    CHECK(gone.fix.starts_with("fix OPENAI_API_URL"));
    CHECK(evaluate_provider(openai, url, "k", answer(404, "{}")).fix.starts_with("fix OPENAI_API_URL"));
    CHECK(evaluate_provider(openai, url, "k", answer(429, "{}")).status == Status::warn);
    auto placeholder = evaluate_provider(
        provider("cloudflare"), "https://api.cloudflare.com/client/v4/accounts/{ACCOUNT_ID}/ai/models/search",
        "k", refused("not probed"));
    CHECK(placeholder.status == Status::fail);
    CHECK(placeholder.fix.find("CLOUDFLARE_API_URL") != std::string::npos);
  }

  TEST_CASE("mcp and a2a answers") {
    const std::string url = "http://m/mcp";
    auto ok =
        evaluate_mcp(url, answer(200, R"({"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18",
      "serverInfo":{"name":"weather","version":"2"}}})"));
    CHECK(ok.name == "mcp http://m/mcp");
    CHECK(ok.status == Status::ok);
    CHECK(ok.detail == "initialize answered: weather 2 (protocol 2025-06-18)");
    auto sse = evaluate_mcp(
        url, answer(200,
                    "event: message\r\ndata: "
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"x\"}}\r\n\r\n",
                    "text/event-stream"));
    CHECK(sse.status == Status::ok);
    auto rpc =
        evaluate_mcp(url, answer(200, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"no"}})"));
    CHECK(rpc.status == Status::fail);
    CHECK(rpc.detail == "initialize: JSON-RPC error -32600: no");
    CHECK(evaluate_mcp(url, answer(404, "")).status == Status::fail);
    CHECK(evaluate_mcp(url, refused()).fix.find("MCP_SERVERS") != std::string::npos);

    CHECK(agent_card_url("http://a/agent/") == "http://a/agent/.well-known/agent-card.json");
    CHECK(agent_card_url("http://a/card.json") == "http://a/card.json");
    CHECK(evaluate_a2a("http://a", answer(200, R"({"name":"helper","url":"u"})")).detail ==
          "agent card: helper");
    CHECK(evaluate_a2a("http://a", answer(200, "[]")).status == Status::fail);
    CHECK(evaluate_a2a("http://a", refused()).fix.find("A2A_AGENTS") != std::string::npos);
  }

  TEST_CASE("servicemonitor: the release label, in any document of the file") {
    const std::string labelled = R"(apiVersion: v1
kind: Service
metadata: {name: gw}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: inference-gateway
  namespace: monitoring
  labels:
    release: kube-prometheus-stack
)";
    auto c = check_servicemonitor("sm.yaml", labelled);
    CHECK(c.name == "servicemonitor");
    CHECK(c.status == Status::ok);
    CHECK(c.detail.find("release=kube-prometheus-stack") != std::string::npos);
    auto missing =
        check_servicemonitor("sm.yaml", "kind: ServiceMonitor\nmetadata:\n  name: gw\n  labels: {app: gw}\n");
    CHECK(missing.status == Status::fail);
    CHECK(missing.detail.find(
              "no release label: the Prometheus Operator's default selector will not pick it up") !=
          std::string::npos);
    CHECK(missing.fix == "igw gen k8s --release <helm release of kube-prometheus-stack>");
    CHECK(
        check_servicemonitor("sm.yaml", "kind: ServiceMonitor\nmetadata: {name: gw, labels: {release: ''}}\n")
            .status == Status::fail);
    CHECK(check_servicemonitor("sm.yaml", "kind: Service\n").detail == "sm.yaml holds no ServiceMonitor");
    CHECK(check_servicemonitor("sm.yaml", "a: [").status == Status::fail);
    // JSON (gen k8s -o json), as an array or a List.
    CHECK(
        check_servicemonitor(
            "sm.json", R"([{"kind":"ServiceMonitor","metadata":{"name":"gw","labels":{"release":"prom"}}}])")
            .status == Status::ok);
    CHECK(check_servicemonitor(
              "sm.json", R"({"kind":"List","items":[{"kind":"ServiceMonitor","metadata":{"name":"gw"}}]})")
              .status == Status::fail);
  }

  TEST_CASE("output: one line per check, fixes after fail and warn; JSON shape") {
    std::vector<Check> checks{{"api", Status::ok, "fine", ""},
                              {"telemetry", Status::fail, "telemetry is off", "set TELEMETRY_ENABLE=true"},
                              {"providers", Status::warn, "none", "set one"},
                              {"otlp", Status::skip, "tracing off", ""}};
    CHECK(render_text(checks, false) ==
          "ok   api: fine\n"
          "fail telemetry: telemetry is off -> fix: set TELEMETRY_ENABLE=true\n"
          "warn providers: none -> fix: set one\n"
          "skip otlp: tracing off\n");
    CHECK(render_text(checks, true).find("\x1b[31mfail\x1b[0m telemetry") != std::string::npos);
    CHECK(any_failed(checks));
    auto j = json::parse(render_json(checks));
    CHECK(j["ok"] == false);
    CHECK(j["checks"].size() == 4);
    CHECK(j["checks"][1] == json{{"name", "telemetry"},
                                 {"status", "fail"},
                                 {"detail", "telemetry is off"},
                                 {"fix", "set TELEMETRY_ENABLE=true"}});
    checks.erase(checks.begin() + 1);
    CHECK_FALSE(any_failed(checks));
    CHECK(json::parse(render_json(checks))["ok"] == true);
  }

  TEST_CASE("tcp_connect: accepted, refused, unresolvable") {
    Peer peer{catalog_exposition()};
    CHECK(tcp_connect("127.0.0.1", static_cast<std::uint16_t>(peer.port()), 2s).has_value());
    auto refused_port = static_cast<std::uint16_t>(closed_port());
    auto r = tcp_connect("127.0.0.1", refused_port, 2s);
    REQUIRE_FALSE(r);
    CHECK(r.error().find("refused") != std::string::npos);
    CHECK_FALSE(tcp_connect("no-such-host.invalid", 80, 2s));
  }

  TEST_CASE("run: every check against live peers") {
    Peer api{""}, metrics{catalog_exposition()};
    auto sm =
        std::filesystem::temp_directory_path() / ("igw-doctor-sm-" + std::to_string(::getpid()) + ".yaml");
    {
      std::ofstream out{sm};
      out << "kind: ServiceMonitor\nmetadata:\n  name: gw\n  labels:\n    release: prom\n";
    }
    auto cfg = load({{"TELEMETRY_ENABLE", "true"},
                     {"OPENAI_API_URL", api.url() + "/v1"},
                     {"OPENAI_API_KEY", "k"},
                     {"GROQ_API_URL", api.url() + "/v1"},
                     {"GROQ_API_KEY", "wrong"},
                     {"OTEL_EXPORTER_OTLP_ENDPOINT", api.url()},
                     {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
                     {"MCP_ENABLE", "true"},
                     {"MCP_SERVERS", api.url() + "/mcp"},
                     {"A2A_ENABLE", "true"},
                     {"A2A_AGENTS", api.url() + "/agent"}});
    Targets t{api.url(), metrics.url() + "/metrics", sm.string(), 3s};
    auto checks = run(cfg, t);
    std::filesystem::remove(sm);
    std::vector<std::string> names;
    for (const auto& c : checks) names.push_back(c.name);
    CHECK(names == std::vector<std::string>{"api", "telemetry", "metrics", "catalog", "otlp", "otlp-protocol",
                                            "provider openai", "provider groq", "mcp " + api.url() + "/mcp",
                                            "a2a " + api.url() + "/agent", "servicemonitor"});
    for (const auto& c : checks) {
      INFO(c.name << ": " << c.detail);
      CHECK(c.status == (c.name == "provider groq" ? Status::fail : Status::ok));
    }
    CHECK(by_name(checks, "provider groq").detail.starts_with("key refused"));
    CHECK(fix_of(checks, "provider groq") == "check GROQ_API_KEY");
    CHECK(by_name(checks, "mcp " + api.url() + "/mcp").detail.find("weather") != std::string::npos);
    CHECK(run_api(t).status == Status::ok);
  }

  TEST_CASE("run: nothing configured, nothing listening") {
    auto port = std::to_string(closed_port());
    auto cfg = load({{"SERVER_PORT", port}});
    Targets t{default_api_url(cfg), default_metrics_url(cfg), "", 1s};
    auto checks = run(cfg, t);
    CHECK(by_name(checks, "api").status == Status::fail);
    CHECK(by_name(checks, "telemetry").status == Status::fail);
    CHECK(by_name(checks, "metrics").status == Status::skip);
    CHECK(by_name(checks, "otlp").status == Status::skip);
    CHECK(by_name(checks, "otlp").detail == "tracing off: OTEL_EXPORTER_OTLP_ENDPOINT is not set");
    CHECK(by_name(checks, "providers").status == Status::warn);
    CHECK(by_name(checks, "mcp").status == Status::skip);
    CHECK(by_name(checks, "a2a").status == Status::skip);
    CHECK(by_name(checks, "servicemonitor").status == Status::skip);
    t.servicemonitor_file = "/nonexistent/sm.yaml";
    CHECK(by_name(run(cfg, t), "servicemonitor").status == Status::fail);
  }
}
