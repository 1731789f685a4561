#include "telemetry/process_stats.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace igw::telemetry {
namespace {

// Fields of /proc/self/stat after the command name (which may contain spaces), 0-based from field 3.
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> out;
  auto close = line.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream rest(line.substr(close + 2));
  for (std::string f; rest >> f;) out.push_back(f);
  return out;
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

ProcessStats read_process_stats() {
  ProcessStats s;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  auto f = stat_fields();
  // utime and stime are fields 14 and 15 of /proc/self/stat (indices 11 and 12 here); rss is field 24.
  if (f.size() > 21 && ticks > 0) {
    s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    s.resident_bytes = std::stod(f[21]) * static_cast<double>(sysconf(_SC_PAGESIZE));
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    s.open_fds += 1;
  return s;
}

double process_start_time_seconds() {
  auto f = stat_fields();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  // starttime is field 22 (index 19 here), in clock ticks since boot.
  if (f.size() <= 19 || ticks <= 0) return 0;
  return boot_time_seconds() + std::stod(f[19]) / ticks;
}

}  // namespace igw::telemetry
