#include "manifests/k8s_gateway_options.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace igw::manifests {
namespace {

// The suffixes of a Kubernetes quantity and the factor each stands for.
constexpr std::array<std::pair<std::string_view, double>, 16> kSuffixes{{
    {"Ki", 0x1p10},
    {"Mi", 0x1p20},
    {"Gi", 0x1p30},
    {"Ti", 0x1p40},
    {"Pi", 0x1p50},
    {"Ei", 0x1p60},
    {"n", 1e-9},
    {"u", 1e-6},
    {"m", 1e-3},
    {"k", 1e3},
    {"M", 1e6},
    {"G", 1e9},
    {"T", 1e12},
    {"P", 1e15},
    {"E", 1e18},
    {"", 1},
}};

constexpr int kMaxReplicas = 1000;
constexpr int kMaxCpuTarget = 100;

// A Secret name: a lowercase DNS subdomain (RFC 1123), at most 253 characters.
bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (!std::isalnum(static_cast<unsigned char>(s.front())) ||
      !std::isalnum(static_cast<unsigned char>(s.back())))
    return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '-' || c == '.'))
      return false;
  return true;
}

std::expected<void, std::string> check_count(std::string_view flag, int value, int min, int max) {
  if (value >= min && value <= max) return {};
  return std::unexpected(fmt::format("{} {}: expected a whole number from {} to {}", flag, value, min, max));
}

// A request must be set; a limit may be left out ("") but, when set, not be below the request.
std::expected<void, std::string> check_resource(std::string_view what, const std::string& request,
                                                const std::string& limit) {
  auto expected = [&](std::string_view kind, const std::string& text) {
    return std::unexpected(fmt::format("--{}-{} \"{}\": expected a Kubernetes quantity like {}", what, kind,
                                       text, what == "cpu" ? "250m or 1" : "128Mi or 1Gi"));
  };
  auto req = quantity_value(request);
  if (!req || *req <= 0) return expected("request", request);
  if (limit.empty()) return {};
  auto lim = quantity_value(limit);
  if (!lim || *lim <= 0) return expected("limit", limit);
  if (*lim < *req)
    return std::unexpected(
        fmt::format("--{}-limit \"{}\": expected at least --{}-request \"{}\"", what, limit, what, request));
  return {};
}

}  // namespace

std::optional<double> quantity_value(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  std::string_view number = text.substr(0, i), suffix = text.substr(i);
  if (number.empty() || number.size() > 30 || number == "." || number.find('.') != number.rfind('.'))
    return std::nullopt;
  double value = std::stod(std::string{number.front() == '.' ? "0" : ""} + std::string{number});
  if (suffix.size() > 1 && (suffix.front() == 'e' || suffix.front() == 'E')) {  // a decimal exponent: 1e3
    auto exponent = suffix.substr(1);
    if (exponent.front() == '+' || exponent.front() == '-') exponent.remove_prefix(1);
    if (exponent.empty() || exponent.size() > 2) return std::nullopt;
    for (char c : exponent)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    return value * std::pow(10.0, std::stoi(std::string{suffix.substr(1)}));
  }
  for (auto [name, factor] : kSuffixes)
    if (suffix == name) return value * factor;
  return std::nullopt;
}

int min_pods(const GatewayOptions& g) {
  if (!has_autoscaler(g)) return g.replicas;
  return g.hpa_min > 0 ? g.hpa_min : g.replicas;
}

std::expected<void, std::string> validate(const GatewayOptions& g) {
  if (auto ok = check_count("--replicas", g.replicas, 1, kMaxReplicas); !ok) return ok;
  if (g.hpa_min != 0 && !has_autoscaler(g))
    return std::unexpected(fmt::format("--hpa-min {}: expected --hpa-max as well", g.hpa_min));
  if (has_autoscaler(g)) {
    if (g.hpa_min != 0)
      if (auto ok = check_count("--hpa-min", g.hpa_min, 1, kMaxReplicas); !ok) return ok;
    if (auto ok = check_count("--hpa-max", g.hpa_max, min_pods(g), kMaxReplicas); !ok)
      return std::unexpected(ok.error() + (g.hpa_min ? " (at least --hpa-min)" : " (at least --replicas)"));
    if (auto ok = check_count("--hpa-cpu", g.hpa_cpu, 1, kMaxCpuTarget); !ok) return ok;
  }
  if (!g.secret.empty() && !is_dns_subdomain(g.secret))
    return std::unexpected(fmt::format(
        "--secret \"{}\": expected a Secret name (a lowercase DNS subdomain: a-z, 0-9, '-', '.')", g.secret));
  if (auto ok = check_resource("cpu", g.cpu_request, g.cpu_limit); !ok) return ok;
  return check_resource("memory", g.memory_request, g.memory_limit);
}

}  // namespace igw::manifests
