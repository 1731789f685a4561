// igw: one binary, many commands. This file only lists the command groups.
#include "cli/app.hpp"
#include "cli/commands.hpp"

namespace {

// The order here is the order of `igw --help`.
constexpr igw::cli::Register kCommandGroups[] = {
    &igw::cli::add_serve,
    &igw::cli::add_mock,
    &igw::cli::add_demo,
    &igw::cli::add_metrics,
    &igw::cli::add_gen,
    &igw::cli::add_logs,
    &igw::cli::add_config,
    &igw::cli::add_doctor,
    &igw::cli::add_completion,
    &igw::cli::add_version,
};

}  // namespace

int main(int argc, char** argv) { return igw::cli::run_cli(argc, argv, kCommandGroups); }
