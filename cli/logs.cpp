// igw logs tail: the gateway's JSON log lines for humans (filters, follow, pretty/json/raw output).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "logs/filter.hpp"
#include "logs/tail.hpp"
#include "telemetry/log.hpp"

namespace igw::cli {
namespace {

struct TailArgs {
  logs::TailOptions tail;
  logs::FilterOptions filter;
  std::string output, color = "auto";
  std::vector<std::string> fields;
  std::optional<std::size_t> lines;
};

bool use_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  return (no_color == nullptr || *no_color == '\0') && ::isatty(STDOUT_FILENO);
}

logs::Mode mode_of(const std::string& output) {
  if (output == "json") return logs::Mode::json;
  if (output == "raw") return logs::Mode::raw;
  if (output == "pretty") return logs::Mode::pretty;
  return ::isatty(STDOUT_FILENO) ? logs::Mode::pretty : logs::Mode::json;
}

void run(TailArgs& a) {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  auto filter = logs::Filter::make(a.filter, now.count());
  if (!filter) {
    std::cerr << "igw logs tail: " << filter.error() << '\n';
    throw Exit{kExitUsage};
  }
  a.tail.lines = a.lines;
  a.tail.render.mode = mode_of(a.output);
  a.tail.render.color = use_color(a.color);
  a.tail.render.fields = a.fields;
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe shows up as EPIPE and ends the output quietly
  int rc = logs::run_tail(a.tail, *filter, STDOUT_FILENO, STDERR_FILENO);
  if (rc != kExitOk) throw Exit{rc};
}

void add_filter_flags(CLI::App& tail, TailArgs& a) {
  namespace f = telemetry::log::field;
  tail.add_option("--level", a.filter.level, "Only lines at this level or above: debug, info, warn, error")
      ->group("Filters");
  tail.add_option("--provider", a.filter.provider,
                  "Only lines whose " + std::string{f::provider} + " is this")
      ->group("Filters");
  tail.add_option("--model", a.filter.model, "Only lines whose " + std::string{f::model} + " is this")
      ->group("Filters");
  tail.add_option("--request-id", a.filter.request_id, "Only lines of this " + std::string{f::request_id})
      ->group("Filters");
  tail.add_option("--status", a.filter.status,
                  "Only lines whose " + std::string{f::status_code} +
                      " matches: 500, =500, !=200, <400, >=500, 500-599, 5xx")
      ->group("Filters");
  tail.add_option("--logger", a.filter.logger,
                  "Only lines whose logger matches this regex (whole name), e.g. 'mcp.*'")
      ->group("Filters");
  tail.add_option("--since", a.filter.since,
                  "Only lines newer than this: a duration (10m, 1h30m) or an RFC 3339 time")
      ->group("Filters");
  tail.add_option("--grep", a.filter.grep, "Only lines whose message contains a match of this regex")
      ->group("Filters");
  tail.add_option("-q,--query", a.filter.query,
                  "Query: field op value with and/or/not/(); ops = != < <= > >= =~ !~; "
                  "values \"string\", number, null; dotted names for nested fields; or LogQL (below)")
      ->group("Filters");
}

}  // namespace

void add_logs(CLI::App& app) {
  auto* group = app.add_subcommand("logs", "Read the gateway's JSON logs");
  group->require_subcommand(1);
  auto a = std::make_shared<TailArgs>();
  auto* tail = group->add_subcommand("tail", "Pretty-print, filter and follow the gateway's JSON log lines");
  tail->footer(
      "Reads stdin when no FILE (or '-') is given; several files are merged with the file name as a prefix.\n"
      "Lines that are not JSON pass through in pretty and raw output and are skipped in json output.\n"
      "-q also takes LogQL as copied from Grafana: '{app=\"igw\"} | json | level=\"error\" |= \"timeout\"'.\n"
      "  The stream selector {...} is checked and ignored: igw's lines carry no stream labels.\n"
      "  | json is implicit; label filters act as the -q terms (a missing field reads as \"\", as in Loki);\n"
      "  line filters |= != |~ !~ test the raw line; logfmt, line_format and other stages are refused.\n"
      "Exit codes: 0 at the end of the input, 1 when a file cannot be read, 2 on a bad flag or query.");
  tail->add_option("files", a->tail.files, "Log files ('-' for stdin)");
  tail->add_flag("-f,--follow", a->tail.follow,
                 "Keep reading as files grow; survives rotation and truncation and waits for missing files");
  tail->add_option("-n,--lines", a->lines,
                   "Start with the last N matching lines (default 10 with -f, all without)")
      ->check([](const std::string& v) -> std::string {
        if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) return {};
        return "expected a number of lines (0 or more), got '" + v + "'";
      });
  add_filter_flags(*tail, *a);
  tail->add_option("-o,--output", a->output,
                   "pretty, json (matching lines unchanged) or raw (message only); "
                   "default pretty on a terminal, json otherwise")
      ->check(CLI::IsMember({"pretty", "json", "raw"}));
  tail->add_option("--fields", a->fields,
                   "Show only these fields, in this order (dotted names for nested ones)")
      ->delimiter(',');
  tail->add_option("--color", a->color, "auto (a terminal and no NO_COLOR), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  tail->add_flag("--keep-invalid", a->tail.render.keep_invalid,
                 "With -o json, also print lines that are not JSON");
  tail->add_option("--max-line", a->tail.max_line,
                   "Lines longer than this many bytes are truncated (with a marker)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  tail->callback([a] { run(*a); });
}

}  // namespace igw::cli
