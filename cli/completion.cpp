// igw completion bash|zsh|fish: shell completion scripts, and (hidden) `igw completion man`: the igw(1) page.
// Both are written from the command line as defined when they run, so every command group, flag and
// choice, this one's included, is in them; completions/ and man/ hold the generated copies.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/model/completion.hpp"
#include "cli/model/man_page.hpp"
#include "config/providers.hpp"
#include "config/settings.hpp"
#include "telemetry/build_info.hpp"
#include "telemetry/log.hpp"

namespace igw::cli {
namespace {

// Values CLI11 sees as free text: a provider id (--provider), a log level (--level).
model::Hints hints() {
  std::vector<std::string> providers, levels;
  for (const auto& p : config::providers()) providers.emplace_back(p.id);
  using enum telemetry::log::Level;
  for (auto level : {debug, info, warn, error}) levels.emplace_back(telemetry::log::to_string(level));
  return {{"--provider", providers}, {"--level", levels}};
}

model::ManPageInfo man_page_info() {
  model::ManPageInfo info;
  info.version = "igw " + std::string{telemetry::build_info().version};
  for (const auto& s : config::settings()) {
    info.environment.push_back({s.env, s.aliases, s.flag, std::string{config::to_string(s.type)},
                                s.default_value, s.description, s.choices, s.group, s.secret,
                                s.status == config::Status::planned});
  }
  info.exit_statuses = {{kExitOk, "Success"},
                        {kExitFailure,
                         "A runtime failure: a port in use, an unreachable endpoint, a file that "
                         "cannot be read or written"},
                        {kExitUsage, "A usage or configuration error: a bad flag, argument or setting value"},
                        {kExitCheckFailed, "A check found problems (igw metrics check, igw doctor)"}};
  info.see_also = {"prometheus(1)", "promtool(1)"};
  return info;
}

void add_script(CLI::App& group, const CLI::App& root, std::string name, std::string help,
                std::string (*write)(const model::Command&)) {
  auto* cmd = group.add_subcommand(std::move(name), std::move(help));
  cmd->callback([&root, write] { std::cout << write(model::read(root, hints())); });
}

}  // namespace

void add_completion(CLI::App& app) {
  auto* group = app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
  group->require_subcommand(1);
  group->footer(
      "Try it in the current shell:\n"
      "  source <(igw completion bash)\n"
      "  source <(igw completion zsh)       # after compinit\n"
      "  igw completion fish | source\n"
      "Or save it where the shell looks (the igw package installs all three there):\n"
      "  igw completion bash > ~/.local/share/bash-completion/completions/igw\n"
      "  igw completion zsh > \"${fpath[1]}/_igw\"\n"
      "  igw completion fish > ~/.config/fish/completions/igw.fish");
  add_script(*group, app, "bash", "bash completion (with the bash-completion package)", &model::bash_script);
  add_script(*group, app, "zsh", "zsh completion (a #compdef function for $fpath)", &model::zsh_script);
  add_script(*group, app, "fish", "fish completion", &model::fish_script);
  // Hidden (group ""): the man page, written into man/ by scripts/update-completions.
  auto* man = group->add_subcommand("man", "Print the igw(1) man page (roff)")->group("");
  man->callback([&app] { std::cout << model::man_page(model::read(app, hints()), man_page_info()); });
}

}  // namespace igw::cli
