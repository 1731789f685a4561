// Running `igw metrics top` and `igw metrics check`: scraping (cpp-httplib), the interactive screen on a TTY
// (raw keys, alternate screen, refresh, resize; the terminal restored on exit, q or Ctrl-C) and the one-shot
// outputs for scripts. Returns the process exit code.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ops/top.hpp"

namespace igw::ops {

struct TopOptions {
  std::vector<std::string> urls;  // gateways' metrics URLs (summed)
  std::string prometheus;         // or a Prometheus server
  std::string selector;           // with --prometheus
  std::string window = "1m";      // with --prometheus
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds timeout{3000};
  top::By by = top::By::provider;
  bool once = false;
  std::string output = "table";  // table | json
  std::string sort = "key";
  bool reverse = false;
  bool color = false;           // for the plain table
  bool interactive = false;     // stdin and stdout are a terminal and the output is a table
};

int run_top(const TopOptions& options);

// `igw metrics check URL`: 0 when every catalog metric holds, 3 when something is missing or wrong, 1 when
// the URL cannot be scraped or parsed. `output`: table (one line per finding) or json.
int run_check(const std::string& url, const std::string& output, std::chrono::milliseconds timeout);

}  // namespace igw::ops
