#include "logs/query.hpp"

#include <cctype>
#include <charconv>

namespace igw::logs {
namespace {

struct Token {
  enum Type { end, word, string, number, op, lparen, rparen } type;
  std::string_view text;  // as written
  std::string value;      // strings unquoted
  std::size_t pos;
};

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '@' ||
         c == '/' || c == ':' || c == '*';
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::expected<Token, QueryError> next() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
    std::size_t start = p_;
    if (p_ >= s_.size()) return Token{Token::end, {}, {}, start};
    char c = s_[p_];
    if (c == '(' || c == ')') {
      ++p_;
      return Token{c == '(' ? Token::lparen : Token::rparen, s_.substr(start, 1), {}, start};
    }
    if (c == '"' || c == '\'') return quoted(c);
    if (std::string_view ops = "=!<>"; ops.find(c) != std::string_view::npos) return op();
    if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t end = p_ + 1;
      while (end < s_.size() && is_word_char(s_[end])) ++end;
      std::string_view t = s_.substr(p_, end - p_);
      double v;
      auto num = t.front() == '+' ? t.substr(1) : t;
      auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
      if (ec == std::errc{} && ptr == num.data() + num.size()) {
        p_ = end;
        return Token{Token::number, t, {}, start};
      }
    }
    if (is_word_char(c)) {
      while (p_ < s_.size() && is_word_char(s_[p_])) ++p_;
      return Token{Token::word, s_.substr(start, p_ - start), {}, start};
    }
    return std::unexpected(QueryError{start, "unexpected character '" + std::string(1, c) + "'"});
  }

 private:
  std::expected<Token, QueryError> op() {
    std::size_t start = p_;
    static constexpr std::string_view kOps[] = {"==", "!=", "<=", ">=", "=~", "!~", "=", "<", ">"};
    for (auto o : kOps) {
      if (s_.substr(p_, o.size()) == o) {
        p_ += o.size();
        return Token{Token::op, s_.substr(start, o.size()), {}, start};
      }
    }
    return std::unexpected(QueryError{start, "'!' must be followed by = or ~ (use `not` to negate)"});
  }

  std::expected<Token, QueryError> quoted(char q) {
    std::size_t start = p_++;
    std::string value;
    while (p_ < s_.size() && s_[p_] != q) {
      char c = s_[p_++];
      if (c == '\\' && p_ < s_.size()) {
        char e = s_[p_++];
        value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        value += c;
      }
    }
    if (p_ >= s_.size())
      return std::unexpected(
          QueryError{start, "unterminated string (missing closing " + std::string(1, q) + ")"});
    ++p_;
    return Token{Token::string, s_.substr(start, p_ - start), std::move(value), start};
  }

  std::string_view s_;
  std::size_t p_ = 0;
};

Op op_of(std::string_view t) {
  if (t == "=" || t == "==") return Op::eq;
  if (t == "!=") return Op::ne;
  if (t == "<") return Op::lt;
  if (t == "<=") return Op::le;
  if (t == ">") return Op::gt;
  if (t == ">=") return Op::ge;
  if (t == "=~") return Op::match;
  return Op::not_match;
}

std::string shown(const Token& t) {
  return t.type == Token::end ? "the end of the query" : "'" + std::string{t.text} + "'";
}

bool is_keyword(const Token& t) {
  return t.type == Token::word && (ieq(t.text, "and") || ieq(t.text, "or") || ieq(t.text, "not"));
}

}  // namespace

// Recursive descent: or_expr := and_expr ("or" and_expr)*; and_expr := unary ("and" unary)*;
// unary := "not" unary | "(" or_expr ")" | field op value.
class QueryParser {
 public:
  QueryParser(std::string_view text, Query& q) : lex_(text), q_(q) {}

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
    if (auto e = value(c, op_text); !e) return std::unexpected(e.error());
    if (auto e = advance(); !e) return std::unexpected(e.error());
    q_.comparisons_.push_back(std::move(c));
    return add(Query::Node{Query::Node::compare, {}, q_.comparisons_.size() - 1});
  }

  // Fills c's value from the current token.
  std::expected<void, QueryError> value(Comparison& c, const std::string& op_text) {
    const Token& t = tok_;
    if (t.type == Token::string || (t.type == Token::word && !is_keyword(t))) {
      bool literal = t.type == Token::word && (t.text == "null" || t.text == "true" || t.text == "false");
      c.kind = !literal ? Kind::string : t.text == "null" ? Kind::null : Kind::boolean;
      c.text = t.type == Token::string ? t.value : std::string{t.text};
    } else if (t.type == Token::number) {
      c.kind = Kind::number;
      c.text = std::string{t.text};
      auto num = c.text.front() == '+' ? std::string_view{c.text}.substr(1) : std::string_view{c.text};
      std::from_chars(num.data(), num.data() + num.size(), c.number);
    } else {
      return std::unexpected(QueryError{t.pos, "expected a value after '" + op_text +
                                                   "' (a \"string\", a number, null, true or false), found " +
                                                   shown(t)});
    }
    bool regex = c.op == Op::match || c.op == Op::not_match;
    if (regex) {
      if (c.kind != Kind::string)
        return std::unexpected(
            QueryError{t.pos, "'" + op_text + "' needs a regular expression in quotes, found " + shown(t)});
      auto p = Pattern::compile(c.text);
      if (!p)
        return std::unexpected(QueryError{t.pos, "bad regular expression " + shown(t) + ": " + p.error()});
      c.pattern = std::move(*p);
    }
    bool ordering = c.op == Op::lt || c.op == Op::le || c.op == Op::gt || c.op == Op::ge;
    if (ordering && (c.kind == Kind::null || c.kind == Kind::boolean))
      return std::unexpected(
          QueryError{t.pos, "'" + op_text + "' compares numbers or strings, found " + shown(t)});
    return {};
  }

  Lexer lex_;
  Query& q_;
  Token tok_{Token::end, {}, {}, 0};
  int depth_ = 0;
};

std::expected<Query, QueryError> Query::parse(std::string_view text) {
  Query q;
  QueryParser parser(text, q);
  if (auto r = parser.run(); !r) return std::unexpected(r.error());
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
  return nodes_.empty() || eval(nodes_.size() - 1, line);
}

std::string describe(const QueryError& error, std::string_view query) {
  std::string out = "query: at column " + std::to_string(error.position + 1) + ": " + error.message + "\n  " +
                    std::string{query} + "\n  " + std::string(error.position, ' ') + "^";
  return out;
}

}  // namespace igw::logs
