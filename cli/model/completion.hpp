// Shell completion scripts written from the command model: subcommands at every level, options, choice
// values, files where an argument is a path. Static scripts: completing never runs igw.
#pragma once

#include <string>

#include "cli/model/command.hpp"

namespace igw::cli::model {

// For bash with bash-completion (works without it, with plainer file completion).
std::string bash_script(const Command& root);
// A #compdef file for zsh's completion system (fpath), also usable with `source` after compinit.
std::string zsh_script(const Command& root);
// `complete` lines for fish.
std::string fish_script(const Command& root);

}  // namespace igw::cli::model
