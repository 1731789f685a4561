// The tokens and literal values shared by the -q language (query.cpp) and its LogQL form (logql.cpp).
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

#include "logs/query.hpp"

namespace igw::logs {

struct Token {
  enum Type { end, word, string, number, op, lparen, rparen, lbrace, rbrace, comma, pipe } type;
  std::string_view text;  // as written
  std::string value;      // strings unquoted
  std::size_t pos;
};

// The -q dialect knows words, "strings", 'strings', numbers, ( ) and = == != < <= > >= =~ !~.
// The LogQL dialect adds { } , | `raw strings` and the line filter operators |= |~ (and |> !>, which
// are lexed only to be refused by name).
enum class Dialect { query, logql };

class Lexer {
 public:
  Lexer(std::string_view s, Dialect d) : s_(s), dialect_(d) {}
  std::expected<Token, QueryError> next();

 private:
  std::expected<Token, QueryError> op();
  std::expected<Token, QueryError> quoted(char q);
  Token single(Token::Type type);

  std::string_view s_;
  Dialect dialect_;
  std::size_t p_ = 0;
};

// Case-insensitive comparison with a lower-case keyword.
bool ieq(std::string_view text, std::string_view keyword);
// and, or, not (any case).
bool is_keyword(const Token& t);
// "'TOKEN'" or "the end of the query", for error messages.
std::string shown(const Token& t);
Op op_of(std::string_view op_text);
// Fills c's kind and value from a string, number or word token (null, true, false, else a string) and
// checks that they suit c.op: a regex for =~ and !~ (compiled here), no null or boolean for orderings.
std::expected<void, QueryError> set_value(Comparison& c, const Token& value, std::string_view op_text);

}  // namespace igw::logs
