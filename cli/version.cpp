// igw version [-o text|json]
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "telemetry/build_info.hpp"

namespace igw::cli {

void add_version(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print the version, git revision, build date and compiler");
  auto format = std::make_shared<std::string>("text");
  cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([format] {
    const auto& b = telemetry::build_info();
    if (*format == "json") {
      nlohmann::ordered_json j{{"version", b.version},
                               {"revision", b.revision},
                               {"build_date", b.build_date},
                               {"compiler", b.compiler}};
      std::cout << j.dump(2) << '\n';
    } else {
      std::cout << "igw " << b.version << " (" << b.revision << ", built " << b.build_date << ", " << b.compiler
                << ")\n";
    }
  });
}

}  // namespace igw::cli
