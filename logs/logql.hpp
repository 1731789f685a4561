// LogQL log queries as written in Grafana (and on the observability page), read by `igw logs tail -q` into
// the same Query as the -q language: each label filter becomes the -q comparison with that field, operator
// and value, so missing fields and number-vs-string comparisons behave exactly as in -q.
//   query       := [selector] stage*
//   selector    := "{" [name (= != =~ !~) "string" ("," ...)*] "}"   checked, then ignored: igw's lines
//                  carry no stream labels (app, namespace... are added by Promtail)
//   stage       := line_filter | "|" "json" | "|" label_expr
//   line_filter := (|= != |~ !~) "string" ("or" "string")*   on the raw line; |~ and !~ search anywhere
//   label_expr  := and_expr ("or" and_expr)*     and_expr := primary (["and" | ","] primary)*
//   primary     := "(" label_expr ")" | field op value
//                  op = == != < <= > >= =~ !~ (regexes match the whole value); value "string", `raw` or a
//                  number
// Stages are ANDed; `and` (also `,` or nothing) binds tighter than `or`. As in Loki, a missing or null
// field reads as "": a filter that holds for "" (field="", field!="", field=~".*") also judges missing
// fields that way. `__error__=""` is accepted and always holds (igw never sets __error__).
// Refused with the stage named: logfmt, regexp, pattern, unpack, json with parameters, line_format,
// label_format, keep, drop, decolorize, unwrap, |> and !>, durations and byte sizes, metric queries.
#pragma once

#include <expected>
#include <string_view>

#include "logs/query.hpp"
#include "logs/query_syntax.hpp"

namespace igw::logs {

// True when the query is LogQL: it starts with '{', '|' or '!' (a line filter), or is a metric query
// (rate(...), sum by ...). None of these can start a -q query.
bool is_logql(std::string_view query);

class LogqlParser {
 public:
  LogqlParser(std::string_view text, Query& q) : lex_(text, Dialect::logql), q_(q) {}
  std::expected<void, QueryError> run();

 private:
  using Status = std::expected<void, QueryError>;
  using Result = std::expected<std::size_t, QueryError>;

  Status advance();
  Token peek() const;
  Status selector();
  Status stage(std::vector<std::size_t>& roots);
  Status named_stage();
  Status line_filter();
  Result or_expr();
  Result and_expr();
  Result primary();
  Result label_filter();
  Status check_value(std::string_view op_text) const;
  Result add_filter(Comparison c);
  std::size_t add(Query::Node n);
  std::size_t add_comparison(Comparison c);

  Lexer lex_;
  Query& q_;
  Token tok_{Token::end, {}, {}, 0};
  int depth_ = 0;
};

}  // namespace igw::logs
