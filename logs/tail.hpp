// `igw logs tail`: reads the sources, filters, renders, and writes to an output descriptor.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "logs/filter.hpp"
#include "logs/render.hpp"

namespace igw::logs {

struct TailOptions {
  std::vector<std::string> files;  // empty: stdin; "-" is stdin too
  bool follow = false;
  std::optional<std::size_t>
      lines;  // -n: the last N matching lines first (default 10 with follow, all without)
  std::size_t max_line = 1024 * 1024;
  std::chrono::milliseconds poll_interval{100};
  RenderOptions render;
};

inline constexpr std::size_t kDefaultFollowLines = 10;

// Exit code: 0 at the end of the input (or when the reader of out went away), 1 when a file could not
// be read. Notes (truncation, rotation, unreadable files) go to err_fd prefixed with "igw: ".
int run_tail(const TailOptions& options, const Filter& filter, int out_fd, int err_fd);

}  // namespace igw::logs
