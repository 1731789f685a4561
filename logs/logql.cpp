#include "logs/logql.hpp"

#include <algorithm>
#include <cctype>

namespace igw::logs {
namespace {

// LogQL's range and vector aggregations: a query starting with one is a metric query.
constexpr std::string_view kMetricFunctions[] = {"rate",
                                                 "rate_counter",
                                                 "count_over_time",
                                                 "bytes_over_time",
                                                 "bytes_rate",
                                                 "sum_over_time",
                                                 "avg_over_time",
                                                 "max_over_time",
                                                 "min_over_time",
                                                 "first_over_time",
                                                 "last_over_time",
                                                 "stdvar_over_time",
                                                 "stddev_over_time",
                                                 "quantile_over_time",
                                                 "absent_over_time",
                                                 "sum",
                                                 "avg",
                                                 "min",
                                                 "max",
                                                 "count",
                                                 "stddev",
                                                 "stdvar",
                                                 "topk",
                                                 "bottomk",
                                                 "sort",
                                                 "sort_desc",
                                                 "label_replace",
                                                 "vector"};

// Why each refused stage is refused: igw reads JSON lines and shows them; it does not rewrite them.
struct Refused {
  std::string_view stage, why;
};
constexpr Refused kRefused[] = {
    {"logfmt", "igw logs are JSON, and `| json` is implicit"},
    {"regexp", "igw logs are JSON and every field is already a label"},
    {"pattern", "igw logs are JSON and every field is already a label"},
    {"unpack", "igw logs are JSON and every field is already a label"},
    {"xml", "igw logs are JSON and every field is already a label"},
    {"line_format", "igw logs tail does not rewrite lines (choose fields with --fields, or -o raw)"},
    {"label_format", "igw logs tail does not rename or compute fields"},
    {"keep", "choose the fields shown with --fields"},
    {"drop", "choose the fields shown with --fields"},
    {"decolorize", "igw's JSON lines carry no colors"},
    {"unwrap", "it belongs to metric queries, which igw logs tail does not run"},
};

bool is_metric_function(std::string_view word) {
  return std::ranges::find(kMetricFunctions, word) != std::end(kMetricFunctions);
}

bool is_op(const Token& t, std::string_view text) {
  return t.type == Token::op && t.text == text;
}

bool is_line_filter_op(const Token& t) {
  return is_op(t, "|=") || is_op(t, "!=") || is_op(t, "|~") || is_op(t, "!~");
}

bool is_label_op(const Token& t) {
  return t.type == Token::op && t.text.front() != '|' && t.text != "!>";
}

bool ends_stage(const Token& t) {
  return t.type == Token::end || t.type == Token::pipe || is_line_filter_op(t) || is_op(t, "|>") ||
         is_op(t, "!>");
}

std::unexpected<QueryError> fail(std::size_t pos, std::string message) {
  return std::unexpected(QueryError{pos, std::move(message)});
}

}  // namespace

bool is_logql(std::string_view q) {
  std::size_t start = q.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  if (q[start] == '{' || q[start] == '|' || q[start] == '!') return true;  // != and !~ line filters
  std::size_t end = std::min(q.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", start), q.size());
  if (!is_metric_function(q.substr(start, end - start))) return false;
  std::string_view rest = q.substr(end);
  rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
  return rest.starts_with('(') || rest.starts_with("by") || rest.starts_with("without");
}

std::expected<void, QueryError> LogqlParser::run() {
  if (auto e = advance(); !e) return e;
  if (tok_.type == Token::word && is_metric_function(tok_.text))
    return fail(tok_.pos, "`" + std::string{tok_.text} +
                              "` makes a LogQL metric query, which igw logs tail does not run: pass the "
                              "log query inside it ({...} | ...)");
  if (tok_.type == Token::lbrace)
    if (auto e = selector(); !e) return e;
  std::vector<std::size_t> roots;
  while (tok_.type != Token::end)
    if (auto e = stage(roots); !e) return e;
  if (!roots.empty()) add(Query::Node{Query::Node::all, std::move(roots), 0});  // the root is last
  return {};
}

auto LogqlParser::advance() -> Status {
  auto t = lex_.next();
  if (!t) return std::unexpected(t.error());
  tok_ = std::move(*t);
  return {};
}

// The token after the current one; a lexing error reads as the end (advance() reports it).
Token LogqlParser::peek() const {
  Lexer copy = lex_;
  auto t = copy.next();
  return t ? *t : Token{Token::end, {}, {}, 0};
}

// {name op "value", ...}: checked, then ignored.
auto LogqlParser::selector() -> Status {
  std::size_t open = tok_.pos;
  if (auto e = advance(); !e) return e;
  while (tok_.type != Token::rbrace) {
    if (tok_.type != Token::word)
      return fail(tok_.pos, "expected a label name or '}' in the stream selector, found " + shown(tok_));
    std::string name{tok_.text};
    if (auto e = advance(); !e) return e;
    bool matcher_op = is_op(tok_, "=") || is_op(tok_, "!=") || is_op(tok_, "=~") || is_op(tok_, "!~");
    if (!matcher_op)
      return fail(tok_.pos,
                  "expected = != =~ or !~ after '" + name + "' in the stream selector, found " + shown(tok_));
    bool regex = tok_.text.back() == '~';
    std::string op{tok_.text};
    if (auto e = advance(); !e) return e;
    if (tok_.type != Token::string)
      return fail(tok_.pos,
                  "expected a \"string\" after '" + op + "' in the stream selector, found " + shown(tok_));
    if (regex)
      if (auto p = Pattern::compile(tok_.value); !p)
        return fail(tok_.pos, "bad regular expression " + shown(tok_) + ": " + p.error());
    if (auto e = advance(); !e) return e;
    if (tok_.type == Token::comma) {
      if (auto e = advance(); !e) return e;
    } else if (tok_.type != Token::rbrace) {
      return fail(tok_.pos, "expected ',' or '}' to close the stream selector opened at column " +
                                std::to_string(open + 1) + ", found " + shown(tok_));
    }
  }
  return advance();
}

auto LogqlParser::stage(std::vector<std::size_t>& roots) -> Status {
  if (is_op(tok_, "|>") || is_op(tok_, "!>"))
    return fail(tok_.pos,
                "pattern line filters (|> and !>) are not supported: use |~ or !~ with a regular "
                "expression");
  if (is_line_filter_op(tok_)) return line_filter();
  if (tok_.type != Token::pipe)
    return fail(tok_.pos,
                "expected '|' or a line filter (|= != |~ !~) before the next stage, found " + shown(tok_));
  if (auto e = advance(); !e) return e;
  if (tok_.type == Token::word && !is_label_op(peek())) {
    auto known = std::ranges::find(kRefused, tok_.text, &Refused::stage);
    if (known != std::end(kRefused))
      return fail(tok_.pos,
                  "`" + std::string{known->stage} + "` is not supported: " + std::string{known->why});
    if (tok_.text == "json") return named_stage();
  }
  if (tok_.type == Token::end)
    return fail(tok_.pos,
                "expected a stage after '|' (json, or a label filter such as level=\"error\"), "
                "found the end of the query");
  auto root = or_expr();
  if (!root) return std::unexpected(root.error());
  if (!ends_stage(tok_))
    return fail(tok_.pos, "expected `and`, `or`, ',', '|' or the end of the query, found " + shown(tok_));
  roots.push_back(*root);
  return {};
}

// `| json`: what igw does anyway. Its parameters would rename or pick fields, which igw does not do.
auto LogqlParser::named_stage() -> Status {
  if (auto e = advance(); !e) return e;
  if (ends_stage(tok_)) return {};
  return fail(tok_.pos,
              "`json` with parameters is not supported: every field is already a label; name it "
              "in a label filter (dotted names for nested fields: usage.total_tokens)");
}

auto LogqlParser::line_filter() -> Status {
  std::string op{tok_.text};
  LineFilter f{op == "|="   ? LineFilter::contains
               : op == "!=" ? LineFilter::not_contains
               : op == "|~" ? LineFilter::match
                            : LineFilter::not_match,
               {},
               {}};
  bool regex = f.type == LineFilter::match || f.type == LineFilter::not_match;
  do {  // the operator, then each `or`
    if (auto e = advance(); !e) return e;
    if (tok_.type != Token::string)
      return fail(tok_.pos, "expected a \"string\" after '" + op + "' (a line filter), found " + shown(tok_));
    if (regex) {
      auto p = Pattern::compile(tok_.value);
      if (!p) return fail(tok_.pos, "bad regular expression " + shown(tok_) + ": " + p.error());
      f.patterns.push_back(std::move(*p));
    } else {
      f.texts.push_back(tok_.value);
    }
    if (auto e = advance(); !e) return e;
  } while (tok_.type == Token::word && tok_.text == "or");
  q_.line_filters_.push_back(std::move(f));
  return {};
}

auto LogqlParser::or_expr() -> Result {
  auto first = and_expr();
  if (!first) return first;
  Query::Node n{Query::Node::any, {*first}, 0};
  while (tok_.type == Token::word && ieq(tok_.text, "or")) {
    if (auto e = advance(); !e) return std::unexpected(e.error());
    auto next = and_expr();
    if (!next) return next;
    n.children.push_back(*next);
  }
  return n.children.size() == 1 ? *first : add(std::move(n));
}

// `and`, ',' or nothing between two filters.
auto LogqlParser::and_expr() -> Result {
  auto first = primary();
  if (!first) return first;
  Query::Node n{Query::Node::all, {*first}, 0};
  while (true) {
    if ((tok_.type == Token::word && ieq(tok_.text, "and")) || tok_.type == Token::comma) {
      if (auto e = advance(); !e) return std::unexpected(e.error());
    } else if (tok_.type != Token::lparen && !(tok_.type == Token::word && !ieq(tok_.text, "or"))) {
      break;
    }
    auto next = primary();
    if (!next) return next;
    n.children.push_back(*next);
  }
  return n.children.size() == 1 ? *first : add(std::move(n));
}

auto LogqlParser::primary() -> Result {
  if (++depth_ > 200) return fail(tok_.pos, "the query is nested too deeply");
  Result r;
  if (tok_.type == Token::lparen) {
    std::size_t open = tok_.pos;
    if (auto e = advance(); !e) return std::unexpected(e.error());
    r = or_expr();
    if (r && tok_.type != Token::rparen)
      return fail(tok_.pos, "expected ')' to close the '(' at column " + std::to_string(open + 1) +
                                ", found " + shown(tok_));
    if (r)
      if (auto e = advance(); !e) return std::unexpected(e.error());
  } else {
    r = label_filter();
  }
  --depth_;
  return r;
}

auto LogqlParser::label_filter() -> Result {
  if (tok_.type == Token::word && ieq(tok_.text, "not"))
    return fail(tok_.pos, "LogQL has no `not`: use != or !~");
  if (tok_.type != Token::word || is_keyword(tok_))
    return fail(tok_.pos, "expected a label filter (field op value) or '(', found " + shown(tok_));
  std::size_t field_pos = tok_.pos;
  Comparison c;
  c.field = std::string{tok_.text};
  if (auto e = advance(); !e) return std::unexpected(e.error());
  if (!is_label_op(tok_))
    return fail(tok_.pos, "expected an operator (= == != < <= > >= =~ !~) after '" + c.field + "', found " +
                              shown(tok_));
  c.op = op_of(tok_.text);
  std::string op{tok_.text};
  if (auto e = advance(); !e) return std::unexpected(e.error());
  if (auto e = check_value(op); !e) return std::unexpected(e.error());
  if (auto e = set_value(c, tok_, op); !e) return std::unexpected(e.error());
  if (auto e = advance(); !e) return std::unexpected(e.error());
  if (c.field == "__error__") {
    if (c.op == Op::eq && c.kind == Kind::string && c.text.empty())
      return add(Query::Node{Query::Node::all, {}, 0});  // always holds
    return fail(field_pos, "igw sets no __error__ label: only __error__=\"\" (always true) is accepted");
  }
  return add_filter(std::move(c));
}

// LogQL values are quoted strings or numbers; a bare word is an error, not a string as in -q.
auto LogqlParser::check_value(std::string_view op) const -> Status {
  if (tok_.type == Token::string || tok_.type == Token::number) return {};
  std::string found = shown(tok_);
  if (tok_.type == Token::word && std::isdigit(static_cast<unsigned char>(tok_.text.front())))
    return fail(tok_.pos, "durations and byte sizes (" + found +
                              ") are not supported: igw fields hold plain numbers (duration_ms > 5000)");
  if (tok_.type == Token::word && tok_.text == "ip") return fail(tok_.pos, "ip() filters are not supported");
  std::string hint =
      tok_.type == Token::word ? " (LogQL strings are quoted: \"" + std::string{tok_.text} + "\")" : "";
  return fail(tok_.pos,
              "expected a \"string\" or a number after '" + std::string{op} + "', found " + found + hint);
}

// Loki reads a missing label as "": a filter that holds for "" also holds for a missing or null field.
auto LogqlParser::add_filter(Comparison c) -> Result {
  bool negated = c.op == Op::ne || c.op == Op::not_match;
  bool regex = c.op == Op::match || c.op == Op::not_match;
  bool holds_for_empty = c.kind == Kind::string && (c.op == Op::eq || c.op == Op::ne || regex) &&
                         (regex ? c.pattern.full_match("") : c.text.empty());
  if (!holds_for_empty) return add_comparison(std::move(c));
  if (negated) c.op = regex ? Op::match : Op::eq;
  Comparison missing{c.field, Op::eq, Kind::null, "null", 0, {}};
  std::size_t a = add_comparison(std::move(missing)), b = add_comparison(std::move(c));
  std::size_t either = add(Query::Node{Query::Node::any, {a, b}, 0});
  return negated ? add(Query::Node{Query::Node::negate, {either}, 0}) : either;
}

std::size_t LogqlParser::add(Query::Node n) {
  q_.nodes_.push_back(std::move(n));
  return q_.nodes_.size() - 1;
}

std::size_t LogqlParser::add_comparison(Comparison c) {
  q_.comparisons_.push_back(std::move(c));
  return add(Query::Node{Query::Node::compare, {}, q_.comparisons_.size() - 1});
}

}  // namespace igw::logs
