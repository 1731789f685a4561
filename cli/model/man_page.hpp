// The igw(1) man page, in man(7) roff, written from the command model and the config catalog: NAME,
// SYNOPSIS, DESCRIPTION, COMMANDS (every command with its options), ENVIRONMENT (every setting), EXIT
// STATUS, SEE ALSO. `groff -ww -man` renders it without a warning.
#pragma once

#include <string>
#include <vector>

#include "cli/model/command.hpp"

namespace igw::cli::model {

// One variable of the config catalog, as the page shows it.
struct EnvVar {
  std::string name{};
  std::vector<std::string> aliases{};
  std::string flag{};  // empty for secrets
  std::string type{};
  std::string default_value{};
  std::string description{};
  std::vector<std::string> choices{};
  std::string group{};  // a subsection per group, in first-seen order
  bool secret = false;
  bool planned = false;
};

struct ExitStatus {
  int code{};
  std::string meaning{};
};

struct ManPageInfo {
  std::string version{};  // in the page's footer: "igw 0.1.0"
  std::vector<EnvVar> environment{};
  std::vector<ExitStatus> exit_statuses{};
  std::vector<std::string> see_also{};  // "promtool(1)"
};

std::string man_page(const Command& root, const ManPageInfo& info);

// Text escaped for roff: backslashes, dashes (\-, so options copy and search as typed), quotes, a leading
// dot or quote, and non-ASCII characters (\[uXXXX]).
std::string roff_escape(std::string_view text);

}  // namespace igw::cli::model
