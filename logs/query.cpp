#include "logs/query.hpp"

#include <algorithm>

#include "logs/logql.hpp"
#include "logs/query_syntax.hpp"

namespace igw::logs {

// Recursive descent: or_expr := and_expr ("or" and_expr)*; and_expr := unary ("and" unary)*;
// unary := "not" unary | "(" or_expr ")" | field op value.
class QueryParser {
 public:
  QueryParser(std::string_view text, Query& q) : lex_(text, Dialect::query), q_(q) {}

  std::expected<void, QueryError> run() {
    if (auto e = advance(); !e) return e;
    if (tok_.type == Token::end) return std::unexpected(QueryError{0, "the query is empty"});
    auto root = or_expr();
    if (!root) return std::unexpected(root.error());
    if (tok_.type != Token::end)
      return std::unexpected(
          QueryError{tok_.pos, "expected `and`, `or` or the end of the query, found " + shown(tok_)});
    q_.nodes_.push_back(Query::Node{Query::Node::all, {*root}, 0});  // the root is last
    return {};
  }

 private:
  using Result = std::expected<std::size_t, QueryError>;

  std::expected<void, QueryError> advance() {
    auto t = lex_.next();
    if (!t) return std::unexpected(t.error());
    tok_ = std::move(*t);
    return {};
  }

  std::size_t add(Query::Node n) {
    q_.nodes_.push_back(std::move(n));
    return q_.nodes_.size() - 1;
  }

  Result chain(Query::Node::Type type, std::string_view keyword, Result (QueryParser::*sub)()) {
    auto first = (this->*sub)();
    if (!first) return first;
    Query::Node n{type, {*first}, 0};
    while (tok_.type == Token::word && ieq(tok_.text, keyword)) {
      if (auto e = advance(); !e) return std::unexpected(e.error());
      auto next = (this->*sub)();
      if (!next) return next;
      n.children.push_back(*next);
    }
    return n.children.size() == 1 ? *first : add(std::move(n));
  }

  Result or_expr() { return chain(Query::Node::any, "or", &QueryParser::and_expr); }
  Result and_expr() { return chain(Query::Node::all, "and", &QueryParser::unary); }

  Result unary() {
    if (++depth_ > 200) return std::unexpected(QueryError{tok_.pos, "the query is nested too deeply"});
    Result r = unary_inner();
    --depth_;
    return r;
  }

  Result unary_inner() {
    if (tok_.type == Token::word && ieq(tok_.text, "not")) {
      if (auto e = advance(); !e) return std::unexpected(e.error());
      auto inner = unary();
      if (!inner) return inner;
      return add(Query::Node{Query::Node::negate, {*inner}, 0});
    }
    if (tok_.type == Token::lparen) {
      std::size_t open = tok_.pos;
      if (auto e = advance(); !e) return std::unexpected(e.error());
      auto inner = or_expr();
      if (!inner) return inner;
      if (tok_.type != Token::rparen)
        return std::unexpected(QueryError{tok_.pos, "expected ')' to close the '(' at column " +
                                                        std::to_string(open + 1) + ", found " + shown(tok_)});
      if (auto e = advance(); !e) return std::unexpected(e.error());
      return inner;
    }
    return comparison();
  }

  Result comparison() {
    if (tok_.type != Token::word || is_keyword(tok_))
      return std::unexpected(
          QueryError{tok_.pos, "expected a field name, `not` or '(', found " + shown(tok_)});
    Comparison c;
    c.field = std::string{tok_.text};
    if (auto e = advance(); !e) return std::unexpected(e.error());
    if (tok_.type != Token::op)
      return std::unexpected(QueryError{tok_.pos, "expected an operator (= != < <= > >= =~ !~) after '" +
                                                      c.field + "', found " + shown(tok_)});
    c.op = op_of(tok_.text);
    std::string op_text{tok_.text};
    if (auto e = advance(); !e) return std::unexpected(e.error());
    if (auto e = set_value(c, tok_, op_text); !e) return std::unexpected(e.error());
    if (auto e = advance(); !e) return std::unexpected(e.error());
    q_.comparisons_.push_back(std::move(c));
    return add(Query::Node{Query::Node::compare, {}, q_.comparisons_.size() - 1});
  }

  Lexer lex_;
  Query& q_;
  Token tok_{Token::end, {}, {}, 0};
  int depth_ = 0;
};

std::expected<Query, QueryError> Query::parse(std::string_view text) {
  Query q;
  auto r = is_logql(text) ? LogqlParser(text, q).run() : QueryParser(text, q).run();
  if (!r) return std::unexpected(r.error());
  return q;
}

namespace {

template <typename T>
bool order(Op op, const T& a, const T& b) {
  switch (op) {
    case Op::lt:
      return a < b;
    case Op::le:
      return a <= b;
    case Op::gt:
      return a > b;
    case Op::ge:
      return a >= b;
    default:
      return false;
  }
}

// = =~ and the orderings; != and !~ are handled as negations by the caller.
bool compare(const Comparison& c, Op op, const std::optional<Member>& m) {
  if (op == Op::match) return m && m->kind != Kind::null && c.pattern.full_match(text_of(*m));
  if (c.kind == Kind::null) return !m || m->kind == Kind::null;
  if (!m) return false;
  if (c.kind == Kind::boolean) return m->kind == Kind::boolean && m->raw == c.text;
  if (c.kind == Kind::number) {
    auto n = number_of(*m);
    if (!n) return false;
    return op == Op::eq ? *n == c.number : order(op, *n, c.number);
  }
  if (m->kind == Kind::null || m->kind == Kind::object || m->kind == Kind::array) return false;
  std::string text = text_of(*m);
  return op == Op::eq ? text == c.text : order(op, text, c.text);
}

}  // namespace

bool Query::eval(std::size_t node, const Line& line) const {
  const Node& n = nodes_[node];
  switch (n.type) {
    case Node::all:
      for (auto c : n.children)
        if (!eval(c, line)) return false;
      return true;
    case Node::any:
      for (auto c : n.children)
        if (eval(c, line)) return true;
      return false;
    case Node::negate:
      return !eval(n.children.front(), line);
    case Node::compare: {
      const Comparison& c = comparisons_[n.comparison];
      auto m = line.find_path(c.field);
      if (c.op == Op::ne) return !compare(c, Op::eq, m);
      if (c.op == Op::not_match) return !compare(c, Op::match, m);
      return compare(c, c.op, m);
    }
  }
  return false;
}

bool Query::matches(const Line& line) const {
  if (!line_filters_.empty() && !matches_text(line.text())) return false;
  return nodes_.empty() || eval(nodes_.size() - 1, line);
}

bool Query::matches_text(std::string_view text) const {
  for (const auto& f : line_filters_)
    if (!f.matches(text)) return false;
  return true;
}

bool LineFilter::matches(std::string_view line) const {
  auto found = [&](const std::string& t) { return line.find(t) != std::string_view::npos; };
  auto finds = [&](const Pattern& p) { return p.search(line); };
  switch (type) {
    case contains:
      return std::ranges::any_of(texts, found);
    case not_contains:
      return std::ranges::none_of(texts, found);
    case match:
      return std::ranges::any_of(patterns, finds);
    case not_match:
      return std::ranges::none_of(patterns, finds);
  }
  return false;
}

std::string describe(const QueryError& error, std::string_view query) {
  std::string out = "query: at column " + std::to_string(error.position + 1) + ": " + error.message + "\n  " +
                    std::string{query} + "\n  " + std::string(error.position, ' ') + "^";
  return out;
}

}  // namespace igw::logs
