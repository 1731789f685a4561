// The -q query language: `field op value` terms joined by and, or, not and parentheses.
//   ops:    = != < <= > >= =~ !~        (=~ and !~ match the whole value, as in LogQL)
//   values: "string" or 'string', a number, null, true, false, or a bare word (a string)
//   fields: top-level keys, or dotted paths into nested objects (usage.total_tokens)
// A number compares numerically with numbers and numeric strings; a string compares with the field's
// text (numbers as written); `= null` holds for a missing or null field; `!=` and `!~` are the negation
// of `=` and `=~`; an ordering on a missing or non-comparable field is false.
// A query that starts with `{`, `|` or `!` is LogQL, as copied from Grafana (see logql.hpp): its label
// filters become the same comparisons, its line filters test the raw line.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "logs/line.hpp"
#include "logs/pattern.hpp"

namespace igw::logs {

struct QueryError {
  std::size_t position;  // 0-based byte offset into the query
  std::string message;
};

enum class Op { eq, ne, lt, le, gt, ge, match, not_match };

struct Comparison {
  std::string field;
  Op op;
  Kind kind;          // string, number, boolean or null
  std::string text;   // the string value, or the literal as written
  double number = 0;  // for Kind::number
  Pattern pattern;    // for =~ and !~
};

// A LogQL line filter: |= "a" (or "b"...) contains, != contains none, |~ some regex finds, !~ none finds.
struct LineFilter {
  enum Type { contains, not_contains, match, not_match } type;
  std::vector<std::string> texts;  // for contains and not_contains
  std::vector<Pattern> patterns;   // for match and not_match
  bool matches(std::string_view line) const;
};

class Query {
 public:
  static std::expected<Query, QueryError> parse(std::string_view text);
  // A JSON line: the line filters on its text, then the comparisons.
  bool matches(const Line& line) const;
  // A line that is not JSON: only the line filters judge it.
  bool matches_text(std::string_view text) const;

  // Nodes are stored flat; the last one is the root.
  struct Node {
    enum Type { all, any, negate, compare } type;
    std::vector<std::size_t> children;
    std::size_t comparison = 0;
  };

 private:
  bool eval(std::size_t node, const Line& line) const;

  friend class QueryParser;
  friend class LogqlParser;
  std::vector<Node> nodes_;
  std::vector<Comparison> comparisons_;
  std::vector<LineFilter> line_filters_;  // LogQL only; all must hold
};

// "query: at column C: MESSAGE" followed by the query and a caret under the position.
std::string describe(const QueryError& error, std::string_view query);

}  // namespace igw::logs
