// libFuzzer target for the Prometheus text exposition parser (what `metrics top`, `metrics check` and
// `doctor` read from a scrape): any bytes must parse or be reported with a line number, never crash, hang,
// leak or read out of bounds. What parses is written back out and must parse again to the same families.
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "telemetry/exposition.hpp"

namespace {

namespace ex = igw::telemetry::exposition;

void append_escaped(std::string& out, std::string_view text, bool quotes) {
  for (const char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quotes)
      out += "\\\"";
    else
      out += c;
  }
}

// The text format of an exposition: # HELP, # TYPE and the samples of each family in turn.
std::string write(const ex::Exposition& e) {
  std::string out;
  for (const auto& f : e.families) {
    out += "# HELP " + f.name + " ";
    append_escaped(out, f.help, false);
    out += "\n# TYPE " + f.name + " " + std::string{ex::to_string(f.type)} + "\n";
    for (const auto& s : f.samples) {
      out += s.name + "{";
      for (const auto& l : s.labels) {
        out += l.name + "=\"";
        append_escaped(out, l.value, true);
        out += "\",";
      }
      char buf[32];
      out += "} ";
      out.append(buf, std::to_chars(buf, buf + sizeof buf, s.value).ptr);
      if (s.timestamp_ms) out += " " + std::to_string(*s.timestamp_ms);
      out += "\n";
    }
  }
  return out;
}

bool same(const ex::Sample& a, const ex::Sample& b) {
  return a.name == b.name && a.labels == b.labels && a.timestamp_ms == b.timestamp_ms &&
         std::memcmp(&a.value, &b.value, sizeof a.value) == 0;
}

bool same(const ex::Family& a, const ex::Family& b) {
  if (a.name != b.name || a.type != b.type || a.help != b.help || a.samples.size() != b.samples.size())
    return false;
  for (std::size_t i = 0; i < a.samples.size(); ++i)
    if (!same(a.samples[i], b.samples[i])) return false;
  return true;
}

}  // namespace

// IGW_FUZZ_SEEDS=<dir>: start from the committed corpus (tests/fuzz/corpus/exposition) as well.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("IGW_FUZZ_SEEDS")) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    for (const auto& seed : std::filesystem::directory_iterator{IGW_FUZZ_CORPUS, ec})
      std::filesystem::copy_file(seed.path(), std::filesystem::path{dir} / seed.path().filename(),
                                 std::filesystem::copy_options::skip_existing, ec);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  const auto parsed = ex::parse(text);
  if (!parsed) {
    std::size_t lines = 1;
    for (const char c : text) lines += c == '\n';
    if (parsed.error().line == 0 || parsed.error().line > lines || parsed.error().message.empty())
      std::abort();
    return 0;
  }
  for (const auto& f : parsed->families) {
    if (parsed->find(f.name) != &f) std::abort();  // one family per name
    for (const auto& s : f.samples) {
      if (!s.name.starts_with(f.name)) std::abort();
      for (const auto& l : s.labels)
        if (s.label(l.name) != l.value) std::abort();  // label names are unique in a sample
    }
  }
  const auto again = ex::parse(write(*parsed));
  if (!again || again->families.size() != parsed->families.size()) std::abort();
  for (std::size_t i = 0; i < parsed->families.size(); ++i)
    if (!same(parsed->families[i], again->families[i])) std::abort();
  return 0;
}
