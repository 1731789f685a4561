// How fast telemetry::exposition::parse reads a large scrape: a synthetic exposition of every catalog metric
// for MODELS x PROVIDERS (names, types, labels and buckets from the catalog; label values and numbers made
// up), or a given file, parsed RUNS times in process. Prints one line of key=value pairs (bench/exposition.sh
// reads it). Exit 1 when the text does not parse.
//
//   igw-exposition-parse [--models N] [--providers N] [--runs N] [--out FILE] [--in FILE]
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/catalog.hpp"
#include "telemetry/exposition.hpp"

namespace {

namespace tel = igw::telemetry;

struct Options {
  int models = 100;
  int providers = 15;
  int runs = 20;
  std::string out;  // write the generated text here
  std::string in;   // parse this file instead of generating
};

void append_number(std::string& out, double v) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

// HELP text escaped as the format wants it (\\ and \n).
void append_help(std::string& out, std::string_view help) {
  for (const char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

std::string padded(int i, int width) {
  std::string s = std::to_string(i);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

// Label values: provider-07 and model-042 range over the grid; every other label has one value of its name.
std::string label_value(std::string_view label, int provider, int model) {
  if (label == tel::label::provider) return "provider-" + padded(provider, 2);
  if (label == tel::label::model) return "model-" + padded(model, 3);
  return std::string{label} + "-value";
}

std::string labels_of(const tel::MetricDef& m, int provider, int model) {
  std::string out;
  for (const auto label : m.labels) {
    out += out.empty() ? "{" : ",";
    out += label;
    out += "=\"";
    out += label_value(label, provider, model);
    out += '"';
  }
  return out;
}

bool has_label(const tel::MetricDef& m, std::string_view label) {
  return std::find(m.labels.begin(), m.labels.end(), label) != m.labels.end();
}

std::string generate(const Options& o) {
  std::string out;
  out.reserve(8u << 20);
  std::uint64_t seed = 1;
  const auto next = [&seed] {  // a small LCG: the same text every run
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(seed >> 44);  // 0 .. 2^20
  };
  for (const auto& m : tel::metrics()) {
    out += "# HELP ";
    out += m.name;
    out += ' ';
    append_help(out, m.help);
    out += "\n# TYPE ";
    out += m.name;
    out += ' ';
    out += tel::to_string(m.type);
    out += '\n';
    const int providers = has_label(m, tel::label::provider) ? o.providers : 1;
    const int models = has_label(m, tel::label::model) ? o.models : 1;
    for (int p = 0; p < providers; ++p) {
      for (int mo = 0; mo < models; ++mo) {
        const std::string labels = labels_of(m, p, mo);
        if (m.type != tel::MetricType::histogram) {
          out += m.name;
          out += labels;
          out += labels.empty() ? "" : "}";
          out += ' ';
          append_number(out, m.type == tel::MetricType::counter ? next() : next() / 1024);
          out += '\n';
          continue;
        }
        // As prometheus-cpp writes a histogram: _count, _sum, then the cumulative buckets and +Inf.
        std::vector<double> counts;
        double total = 0;
        for (std::size_t b = 0; b <= m.buckets.size(); ++b) counts.push_back(total += next() / 4096);
        const auto series = [&](std::string_view suffix, std::string_view le, double v) {
          out += m.name;
          out += suffix;
          out += labels;
          if (!le.empty()) {
            out += labels.empty() ? "{le=\"" : ",le=\"";
            out += le;
            out += '"';
          }
          out += labels.empty() && le.empty() ? "" : "}";
          out += ' ';
          append_number(out, v);
          out += '\n';
        };
        series(tel::kCountSuffix, {}, total);
        series(tel::kSumSuffix, {}, total * 37.25);
        for (std::size_t b = 0; b < m.buckets.size(); ++b) {
          std::string le;
          append_number(le, m.buckets[b]);
          series(tel::kBucketSuffix, le, counts[b]);
        }
        series(tel::kBucketSuffix, "+Inf", total);
      }
    }
  }
  return out;
}

int usage() {
  std::fprintf(
      stderr,
      "usage: igw-exposition-parse [--models N] [--providers N] [--runs N] [--out FILE] [--in FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    if (arg == "--models")
      o.models = std::atoi(value);
    else if (arg == "--providers")
      o.providers = std::atoi(value);
    else if (arg == "--runs")
      o.runs = std::max(1, std::atoi(value));
    else if (arg == "--out")
      o.out = value;
    else if (arg == "--in")
      o.in = value;
    else
      return usage();
  }

  std::string text;
  if (!o.in.empty()) {
    std::ifstream in{o.in, std::ios::binary};
    if (!in) {
      std::fprintf(stderr, "igw-exposition-parse: cannot read %s\n", o.in.c_str());
      return 2;
    }
    text.assign(std::istreambuf_iterator<char>{in}, {});
  } else {
    text = generate(o);
  }
  if (!o.out.empty()) std::ofstream{o.out, std::ios::binary} << text;

  std::vector<double> ms;
  std::size_t families = 0, samples = 0;
  for (int r = 0; r < o.runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const auto parsed = igw::telemetry::exposition::parse(text);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!parsed) {
      std::fprintf(stderr, "igw-exposition-parse: line %zu: %s\n", parsed.error().line,
                   parsed.error().message.c_str());
      return 1;
    }
    families = parsed->families.size();
    samples = 0;
    for (const auto& f : parsed->families) samples += f.samples.size();
  }
  std::sort(ms.begin(), ms.end());
  const auto lines = std::count(text.begin(), text.end(), '\n');
  std::printf(
      "bytes=%zu lines=%td families=%zu samples=%zu runs=%d best_ms=%.2f median_ms=%.2f mb_per_s=%.0f\n",
      text.size(), lines, families, samples, o.runs, ms.front(), ms[ms.size() / 2],
      static_cast<double>(text.size()) / 1e6 / (ms.front() / 1e3));
  return 0;
}
