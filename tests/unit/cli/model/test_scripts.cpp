#include <doctest/doctest.h>

#include "cli/model/completion.hpp"
#include "cli/model/man_page.hpp"

using namespace igw::cli::model;

namespace {

// igw [-h] {run [-o {yaml,json}] [--dir DIR] [--now] [files...]}
Command sample() {
  Option help{.names = {"-h", "--help"}, .description = "Print this help message and exit"};
  Option output{.names = {"-o", "--output"},
                .description = "Output format",
                .type = "{yaml,json}",
                .default_value = "yaml",
                .value = Value::choice,
                .choices = {"yaml", "json"}};
  Option dir{.names = {"--dir"}, .description = "Write here", .type = "TEXT", .value = Value::directory};
  Option now{.names = {"--now"}, .description = "Right away; don't wait"};
  Option port{.names = {"--port"}, .description = "Port [PORT]", .type = "port", .value = Value::text};
  Option files{.names = {"files"},
               .description = "Input files",
               .type = "TEXT",
               .value = Value::file,
               .repeatable = true};
  Command run{.path = {"igw", "run"},
              .description = "Run it: now",
              .footer = "Example:\n  igw run -o json",
              .options = {help, output, dir, now, port},
              .positionals = {files}};
  return Command{.path = {"igw"},
                 .description = "igw: a sample",
                 .options = {help},
                 .subcommands = {run},
                 .subcommand_required = true};
}

}  // namespace

TEST_SUITE("cli/model/scripts") {
  TEST_CASE("bash: a node per command, values per option, positionals as @N") {
    auto s = bash_script(sample());
    CHECK(s.find("    'igw') cmds='run' opts='-h --help' ;;") != std::string::npos);
    CHECK(
        s.find(
            "    'igw run') opts='-h --help -o --output --dir --now --port' vals='-o --output --dir --port' "
            "npos=-1 ;;") != std::string::npos);
    CHECK(s.find("    'igw run -o' | 'igw run --output') _igw_words 'yaml json' ;;") != std::string::npos);
    CHECK(s.find("    'igw run --dir') _igw_files -d ;;") != std::string::npos);
    CHECK(s.find("    'igw run @1') _igw_files ;;") != std::string::npos);
    CHECK(s.find("--port')") == std::string::npos);  // typed text: nothing to complete
    CHECK(s.find("complete -F _igw igw") != std::string::npos);
  }

  TEST_CASE("zsh: _arguments specs with escaped descriptions, a function per command") {
    auto s = zsh_script(sample());
    CHECK(s.starts_with("#compdef igw\n"));
    CHECK(s.find("'(-o --output)'{-o,--output}'[Output format]:output:(yaml json)'") != std::string::npos);
    CHECK(s.find("'--now[Right away; don'\\''t wait]'") != std::string::npos);
    CHECK(s.find("'--port[Port \\[PORT\\]]:port: '") != std::string::npos);
    CHECK(s.find("'--dir[Write here]:dir:_files -/'") != std::string::npos);
    CHECK(s.find("'*:files:_files'") != std::string::npos);
    CHECK(s.find("'run:Run it: now'") != std::string::npos);
    CHECK(s.find("        run) _igw__run && ret=0 ;;") != std::string::npos);
  }

  TEST_CASE("fish: complete lines conditioned on the command path") {
    auto s = fish_script(sample());
    CHECK(s.find("set -g __igw_commands \\\n    'igw run'\n") != std::string::npos);
    CHECK(s.find("complete -c igw -n '__igw_at \"igw\"' -f -a 'run' -d 'Run it: now'") != std::string::npos);
    CHECK(s.find("complete -c igw -n '__igw_at \"igw run\"' -s o -l output -x -a 'yaml json' -d 'Output "
                 "format'") != std::string::npos);
    CHECK(s.find("-l now -d 'Right away; don\\'t wait'") != std::string::npos);
    CHECK(s.find("-l dir -x -a '(__fish_complete_directories)'") != std::string::npos);
  }

  TEST_CASE("man page: sections, options, environment, exit statuses") {
    ManPageInfo info{.version = "igw 1.2.3",
                     .environment = {{.name = "PORT",
                                      .aliases = {"OLD_PORT"},
                                      .flag = "--port",
                                      .type = "port",
                                      .default_value = "8080",
                                      .description = "Port to listen on",
                                      .group = "server"},
                                     {.name = "API_KEY",
                                      .type = "string",
                                      .description = "The key",
                                      .group = "server",
                                      .secret = true}},
                     .exit_statuses = {{0, "Success"}, {2, "A usage error"}},
                     .see_also = {"promtool(1)"}};
    auto s = man_page(sample(), info);
    CHECK(s.find(".TH IGW 1 \"\" \"igw 1.2.3\" \"User Commands\"\n") != std::string::npos);
    CHECK(s.find(".SH NAME\nigw \\- a sample\n") != std::string::npos);
    CHECK(s.find("\\fBigw run\\fR [\\fIoptions\\fR] [\\fIfiles\\fR ...]\n") != std::string::npos);
    CHECK(s.find(".SS \"igw run\"\n") != std::string::npos);
    CHECK(s.find("\\fB\\-o\\fR, \\fB\\-\\-output\\fR \\fI{yaml,\\:json}\\fR\nOutput format. Default: "
                 "\\fByaml\\fR.") != std::string::npos);
    CHECK(s.find(".RS 4\n.nf\nigw run \\-o json\n.fi\n.RE\n") != std::string::npos);
    CHECK(s.find(".TP\n\\fBPORT\\fR\nPort to listen on.\n") != std::string::npos);
    CHECK(s.find("Flag: \\fB\\-\\-port\\fR. Also read as: \\fBOLD_PORT\\fR.") != std::string::npos);
    CHECK(s.find("\\fBAPI_KEY\\fR") != std::string::npos);
    CHECK(s.find("Secret: no flag") != std::string::npos);
    CHECK(s.find(".SH EXIT STATUS\n.TP\n\\fB0\\fR\nSuccess.\n") != std::string::npos);
    CHECK(s.find(".BR promtool (1)\n") != std::string::npos);
    // --port is the only setting flag and `igw run` takes it: documented once, under ENVIRONMENT.
    CHECK(s.find("\\fB\\-\\-port\\fR \\fIport\\fR") == std::string::npos);
  }

  TEST_CASE("roff escaping") {
    CHECK(roff_escape("a-b") == "a\\-b");
    CHECK(roff_escape(".start\n.next") == "\\&.start\n\\&.next");
    CHECK(roff_escape("it's `x` \\n") == "it\\(aqs \\(gax\\(ga \\en");
    CHECK(roff_escape("a,b, c") == "a,\\:b, c");
    CHECK(roff_escape("caf\xc3\xa9 \xe2\x80\x94") == "caf\\[u00E9] \\[u2014]");
  }
}
