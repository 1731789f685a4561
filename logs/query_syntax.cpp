#include "logs/query_syntax.hpp"

#include <cctype>
#include <charconv>

namespace igw::logs {
namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '@' ||
         c == '/' || c == ':' || c == '*';
}

}  // namespace

bool is_keyword(const Token& t) {
  return t.type == Token::word && (ieq(t.text, "and") || ieq(t.text, "or") || ieq(t.text, "not"));
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

std::string shown(const Token& t) {
  return t.type == Token::end ? "the end of the query" : "'" + std::string{t.text} + "'";
}

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

Token Lexer::single(Token::Type type) {
  std::size_t at = p_++;
  return Token{type, s_.substr(at, 1), {}, at};
}

std::expected<Token, QueryError> Lexer::next() {
  while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  std::size_t start = p_;
  if (p_ >= s_.size()) return Token{Token::end, {}, {}, start};
  char c = s_[p_];
  if (c == '(') return single(Token::lparen);
  if (c == ')') return single(Token::rparen);
  if (c == '"' || c == '\'') return quoted(c);
  bool logql = dialect_ == Dialect::logql;
  if (logql) {
    if (c == '{') return single(Token::lbrace);
    if (c == '}') return single(Token::rbrace);
    if (c == ',') return single(Token::comma);
    if (c == '`') return quoted(c);
    if (c == '|' &&
        (p_ + 1 >= s_.size() || std::string_view{"=~>"}.find(s_[p_ + 1]) == std::string_view::npos))
      return single(Token::pipe);
  }
  if (std::string_view ops = logql ? "=!<>|" : "=!<>"; ops.find(c) != std::string_view::npos) return op();
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
  std::string hint = !logql && (c == '|' || c == '{')
                         ? " (a LogQL query starts with a stream selector {...} or with '|')"
                         : "";
  return std::unexpected(QueryError{start, "unexpected character '" + std::string(1, c) + "'" + hint});
}

std::expected<Token, QueryError> Lexer::op() {
  std::size_t start = p_;
  static constexpr std::string_view kOps[] = {"==", "!=", "<=", ">=", "=~", "!~", "=", "<", ">"};
  static constexpr std::string_view kLineOps[] = {"|=", "|~", "|>", "!>"};
  for (auto o : kOps) {
    if (s_.substr(p_, o.size()) == o) {
      p_ += o.size();
      return Token{Token::op, s_.substr(start, o.size()), {}, start};
    }
  }
  if (dialect_ == Dialect::logql) {
    for (auto o : kLineOps) {
      if (s_.substr(p_, o.size()) == o) {
        p_ += o.size();
        return Token{Token::op, s_.substr(start, o.size()), {}, start};
      }
    }
    return std::unexpected(QueryError{start, "'!' must be followed by = or ~"});
  }
  return std::unexpected(QueryError{start, "'!' must be followed by = or ~ (use `not` to negate)"});
}

// "..." and '...' take \-escapes; LogQL's `...` is raw.
std::expected<Token, QueryError> Lexer::quoted(char q) {
  std::size_t start = p_++;
  std::string value;
  while (p_ < s_.size() && s_[p_] != q) {
    char c = s_[p_++];
    if (c == '\\' && q != '`' && p_ < s_.size()) {
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

std::expected<void, QueryError> set_value(Comparison& c, const Token& t, std::string_view op_text) {
  std::string op{op_text};
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
    return std::unexpected(QueryError{t.pos, "expected a value after '" + op +
                                                 "' (a \"string\", a number, null, true or false), found " +
                                                 shown(t)});
  }
  bool regex = c.op == Op::match || c.op == Op::not_match;
  if (regex) {
    if (c.kind != Kind::string)
      return std::unexpected(
          QueryError{t.pos, "'" + op + "' needs a regular expression in quotes, found " + shown(t)});
    auto p = Pattern::compile(c.text);
    if (!p)
      return std::unexpected(QueryError{t.pos, "bad regular expression " + shown(t) + ": " + p.error()});
    c.pattern = std::move(*p);
  }
  bool ordering = c.op == Op::lt || c.op == Op::le || c.op == Op::gt || c.op == Op::ge;
  if (ordering && (c.kind == Kind::null || c.kind == Kind::boolean))
    return std::unexpected(QueryError{t.pos, "'" + op + "' compares numbers or strings, found " + shown(t)});
  return {};
}

}  // namespace igw::logs
