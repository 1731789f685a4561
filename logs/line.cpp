#include "logs/line.hpp"

#include <cctype>
#include <charconv>
#include <cstring>

namespace igw::logs {
namespace {

// A recursive-descent validator over one JSON text; positions are byte offsets into s.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  void skip_ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\r' || s_[p_] == '\n')) ++p_;
  }
  bool at_end() const { return p_ >= s_.size(); }
  char peek() const { return p_ < s_.size() ? s_[p_] : '\0'; }
  std::size_t pos() const { return p_; }

  bool string() {
    if (peek() != '"') return false;
    ++p_;
    while (p_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!escape()) return false;
        continue;
      }
      ++p_;
    }
    return false;
  }

  bool number() {
    std::size_t start = p_;
    if (peek() == '-') ++p_;
    if (!digits()) return false;
    if (peek() == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++p_;
      if (peek() == '+' || peek() == '-') ++p_;
      if (!digits()) return false;
    }
    return p_ > start;
  }

  bool literal(std::string_view word) {
    if (s_.substr(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool value(Kind& kind, int depth) {
    switch (peek()) {
      case '"':
        kind = Kind::string;
        return string();
      case '{':
        kind = Kind::object;
        return container('}', depth);
      case '[':
        kind = Kind::array;
        return container(']', depth);
      case 't':
        kind = Kind::boolean;
        return literal("true");
      case 'f':
        kind = Kind::boolean;
        return literal("false");
      case 'n':
        kind = Kind::null;
        return literal("null");
      default:
        kind = Kind::number;
        return number();
    }
  }

  // An object or array; members are reported to out only at the top level.
  bool container(char close, int depth, std::vector<Member>* out = nullptr) {
    if (depth > Line::kMaxDepth) return false;
    ++p_;
    skip_ws();
    if (peek() == close) {
      ++p_;
      return true;
    }
    while (true) {
      std::size_t key_start = p_, key_end = p_;
      if (close == '}') {
        if (!string()) return false;
        key_end = p_ - 1;
        skip_ws();
        if (peek() != ':') return false;
        ++p_;
        skip_ws();
      }
      std::size_t value_start = p_;
      Kind kind;
      if (!value(kind, depth + 1)) return false;
      if (out)
        out->push_back({s_.substr(key_start + 1, key_end - key_start - 1),
                        s_.substr(value_start, p_ - value_start), kind});
      skip_ws();
      if (peek() == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (peek() != close) return false;
      ++p_;
      return true;
    }
  }

 private:
  // At a backslash inside a string: one of \" \\ \/ \b \f \n \r \t or \u and four hex digits.
  bool escape() {
    if (p_ + 1 >= s_.size()) return false;
    char e = s_[p_ + 1];
    if (e == 'u') {
      if (p_ + 6 > s_.size()) return false;
      for (std::size_t i = p_ + 2; i < p_ + 6; ++i)
        if (!std::isxdigit(static_cast<unsigned char>(s_[i]))) return false;
      p_ += 6;
      return true;
    }
    if (std::strchr("\"\\/bfnrt", e) == nullptr || e == '\0') return false;
    p_ += 2;
    return true;
  }

  bool digits() {
    std::size_t start = p_;
    while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
    return p_ > start;
  }

  std::string_view s_;
  std::size_t p_ = 0;
};

bool parse_object(std::string_view text, std::vector<Member>& out) {
  Scanner sc(text);
  sc.skip_ws();
  if (sc.peek() != '{') return false;
  if (!sc.container('}', 1, &out)) return false;
  sc.skip_ws();
  return sc.at_end();
}

unsigned hex4(std::string_view s) {
  unsigned v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= c - '0';
    else if (c >= 'a' && c <= 'f')
      v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v |= c - 'A' + 10;
    else
      return 0x110000;
  }
  return v;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the \uXXXX escape at s[i] (s[i] == 'u'), with a following low surrogate if any; returns the
// number of characters consumed after the backslash, or 0 when it is malformed.
std::size_t unicode_escape(std::string_view s, std::size_t i, std::string& out) {
  if (i + 5 > s.size()) return 0;
  unsigned cp = hex4(s.substr(i + 1, 4));
  if (cp > 0xFFFF) return 0;
  if (cp >= 0xD800 && cp < 0xDC00 && i + 11 <= s.size() && s[i + 5] == '\\' && s[i + 6] == 'u') {
    unsigned lo = hex4(s.substr(i + 7, 4));
    if (lo >= 0xDC00 && lo < 0xE000) {
      append_utf8(out, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
      return 11;
    }
  }
  append_utf8(out, cp);
  return 5;
}

}  // namespace

bool Line::parse(std::string_view text) {
  text_ = text;
  members_.clear();
  if (!parse_object(text, members_)) {
    members_.clear();
    return false;
  }
  return true;
}

const Member* Line::find(std::string_view key) const {
  for (const auto& m : members_)
    if (key_is(m.key, key)) return &m;
  return nullptr;
}

std::optional<Member> Line::find_path(std::string_view path) const {
  if (const Member* m = find(path)) return *m;  // a key may itself contain dots
  std::size_t dot = path.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const Member* head = find(path.substr(0, dot));
  std::optional<Member> cur;
  if (head) cur = *head;
  path.remove_prefix(dot + 1);
  while (cur && cur->kind == Kind::object) {
    auto inner = object_members(cur->raw);
    std::size_t next = path.find('.');
    std::string_view name = path.substr(0, next);
    cur.reset();
    for (const auto& m : inner)
      if (key_is(m.key, name)) cur = m;
    if (next == std::string_view::npos) return cur;
    path.remove_prefix(next + 1);
  }
  return std::nullopt;
}

std::vector<Member> object_members(std::string_view raw) {
  std::vector<Member> out;
  if (!parse_object(raw, out)) out.clear();
  return out;
}

void append_unescaped(std::string& out, std::string_view raw) {
  if (raw.size() >= 2) raw = raw.substr(1, raw.size() - 2);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 >= raw.size()) {
      out += c;
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        std::size_t used = unicode_escape(raw, i, out);
        if (used == 0)
          out += "\\u";
        else
          i += used - 1;
        break;
      }
      default:
        out += e;  // \" \\ \/
    }
  }
}

std::string text_of(const Member& m) {
  if (m.kind != Kind::string) return std::string{m.raw};
  std::string out;
  if (m.raw.find('\\') == std::string_view::npos) return std::string{m.raw.substr(1, m.raw.size() - 2)};
  append_unescaped(out, m.raw);
  return out;
}

std::optional<double> number_of(const Member& m) {
  std::string_view s = m.raw;
  if (m.kind == Kind::string)
    s = s.substr(1, s.size() - 2);
  else if (m.kind != Kind::number)
    return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<telemetry::log::Level> level_of(std::string_view text) {
  char buf[8];
  if (text.size() > sizeof buf) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  return telemetry::log::parse_level(std::string_view{buf, text.size()});
}

bool key_is(std::string_view raw_key, std::string_view name) {
  if (raw_key.find('\\') == std::string_view::npos) return raw_key == name;
  std::string k;
  append_unescaped(k, std::string{"\""} + std::string{raw_key} + "\"");
  return k == name;
}

}  // namespace igw::logs
