// A keep-alive connection to a provider: the stream, its read buffer and the parser of the response on it.
// Beast: included by the .cpp files of the upstream client only.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "server/beast.hpp"
#include "server/upstream_response.hpp"

namespace igw::server {

struct UpstreamConnection {
  AnyStream stream;
  std::string origin;
  beast::flat_buffer buffer;
  std::optional<UpstreamResponseParser> parser;  // the response being read; a new one per request
  std::chrono::steady_clock::time_point idle_since{};
  bool reused = false;
  explicit UpstreamConnection(AnyStream s, std::string o) : stream(std::move(s)), origin(std::move(o)) {
    buffer.reserve(kReadSize);  // a typical response in one read (Beast reads what the buffer holds, 512 at least)
  }
  static constexpr std::size_t kReadSize = 4096;
};

}  // namespace igw::server
