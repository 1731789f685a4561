#include <doctest/doctest.h>

#include <CLI/CLI.hpp>

#include "cli/model/command.hpp"

using namespace igw::cli::model;

namespace {

// A small command line with every kind of option the readers must tell apart.
struct Fixture {
  CLI::App app{"tool: does things", "tool"};
  std::string output = "table", dir, cert, interval, provider, name, level;
  std::vector<std::string> files;
  bool once = false;
  int workers = 1;

  Fixture() {
    app.footer("Exit codes: 0 ok");
    auto* group = app.add_subcommand("metrics", "Metrics");
    group->require_subcommand(1);
    auto* top = group->add_subcommand("top", "Live view: req/s and more");
    top->add_option("-o,--output", output, "table or json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    top->add_flag("--once", once, "One table");
    top->add_option("--interval", interval, "Time between scrapes");
    top->add_option("--workers", workers, "Threads")->check(CLI::Range(1, 8));
    top->add_option("--provider", provider, "Only this provider");
    top->add_option("--level", level, "Log level")->type_name("{debug,info}");
    auto* tail = app.add_subcommand("tail", "Follow logs");
    tail->add_option("files", files, "Log files");
    tail->add_option("--output-dir", dir, "Where to write");
    tail->add_option("--tls-cert", cert, "PEM file")->check(CLI::ExistingFile);
    tail->add_option("--secret", name, "Not shown")->group("");
    app.add_subcommand("hidden", "Not listed")->group("");
  }
};

const Option& option(const Command& c, std::string_view name) {
  for (const auto& o : c.options)
    if (o.name() == name) return o;
  FAIL("no option " << name);
  return c.options.front();
}

}  // namespace

TEST_SUITE("cli/model/command") {
  TEST_CASE("subcommands at every level, hidden ones left out, paths and descriptions") {
    Fixture f;
    auto root = read(f.app);
    CHECK(root.full_name() == "tool");
    CHECK(root.footer == "Exit codes: 0 ok");
    REQUIRE(root.subcommands.size() == 2);
    const auto& metrics = root.subcommands[0];
    CHECK(metrics.full_name() == "tool metrics");
    CHECK(metrics.subcommand_required);
    CHECK(metrics.footer.empty());  // inherited from the root: not its own
    REQUIRE(metrics.subcommands.size() == 1);
    CHECK(metrics.subcommands[0].path == std::vector<std::string>{"tool", "metrics", "top"});
    CHECK(metrics.subcommands[0].description == "Live view: req/s and more");
    std::vector<std::string> visited;
    for_each(root, [&](const Command& c) { visited.push_back(c.full_name()); });
    CHECK(visited == std::vector<std::string>{"tool", "tool metrics", "tool metrics top", "tool tail"});
  }

  TEST_CASE("choices come from IsMember and from a type name written as a set") {
    Fixture f;
    auto top = read(f.app).subcommands[0].subcommands[0];
    const auto& out = option(top, "--output");
    CHECK(out.names == std::vector<std::string>{"-o", "--output"});
    CHECK(out.value == Value::choice);
    CHECK(out.choices == std::vector<std::string>{"table", "json"});
    CHECK(out.type == "{table,json}");
    CHECK(out.default_value == "table");
    CHECK(option(top, "--level").choices == std::vector<std::string>{"debug", "info"});
  }

  TEST_CASE("flags, typed values, files, folders and hints") {
    Fixture f;
    auto root = read(f.app, {{"--provider", {"openai", "anthropic"}}});
    const auto& top = root.subcommands[0].subcommands[0];
    CHECK(option(top, "--once").value == Value::none);
    CHECK_FALSE(option(top, "--once").takes_value());
    CHECK(option(top, "--interval").value == Value::text);
    CHECK(option(top, "--workers").value == Value::text);
    CHECK(option(top, "--provider").choices == std::vector<std::string>{"openai", "anthropic"});
    CHECK(option(top, "--help").value == Value::none);
    const auto& tail = root.subcommands[1];
    CHECK(option(tail, "--tls-cert").value == Value::file);
    CHECK(option(tail, "--output-dir").value == Value::directory);
    for (const auto& o : tail.options) CHECK(o.name() != "--secret");
    REQUIRE(tail.positionals.size() == 1);
    CHECK(tail.positionals[0].name() == "files");
    CHECK(tail.positionals[0].value == Value::file);
    CHECK(tail.positionals[0].repeatable);
  }

  TEST_CASE("summary: the first clause, cut to the width") {
    CHECK(summary("Print the metric catalog: name, type, unit") == "Print the metric catalog");
    CHECK(summary("Query: field op value; more") == "Query: field op value");
    CHECK(summary("Where traces go, e.g. http://collector:4317. More") ==
          "Where traces go, e.g. http://collector:4317");
    CHECK(summary("Output format") == "Output format");
    CHECK(summary("first line\nsecond line") == "first line");
    auto cut = summary(std::string(30, 'a') + " " + std::string(60, 'b'), 40);
    CHECK(cut == std::string(30, 'a') + "...");
  }
}
