#include "telemetry/exposition.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <unordered_map>

namespace igw::telemetry::exposition {
namespace {

// Offending text in a message is cut to this many bytes.
constexpr std::size_t kQuoteMax = 60;
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// UTF-8 as Go's utf8.ValidString reads it: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    if (i + k >= s.size()) return false;
    const auto c = static_cast<unsigned char>(s[i + k]);
    return c >= lo && c <= hi;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
    } else if (c >= 0xc2 && c <= 0xdf) {
      if (!cont(1)) return false;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      const bool second = c == 0xe0 ? cont(1, 0xa0) : c == 0xed ? cont(1, 0x80, 0x9f) : cont(1);
      if (!second || !cont(2)) return false;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      const bool second = c == 0xf0 ? cont(1, 0x90) : c == 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
      if (!second || !cont(2) || !cont(3)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

// `"text"`, cut to about kQuoteMax bytes (on a character boundary), control bytes as \xNN, and every byte
// >= 0x80 too when the text is not UTF-8, so a message stays one printable line.
std::string quote(std::string_view text) {
  const bool cut = text.size() > kQuoteMax;
  if (cut) {
    std::size_t n = kQuoteMax;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80) --n;
    text = text.substr(0, n);
  }
  const bool utf8 = valid_utf8(text);
  std::string out;
  out.reserve(text.size() + 8);
  out += '"';
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || (u >= 0x80 && !utf8)) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  if (cut) out += "...";
  return out;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
bool is_alpha_(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view s) {
  if (s.empty() || !(is_alpha_(s[0]) || s[0] == ':')) return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return is_alpha_(c) || is_digit(c) || c == ':'; });
}

// [a-zA-Z_][a-zA-Z0-9_]*
bool valid_label_name(std::string_view s) {
  if (s.empty() || !is_alpha_(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return is_alpha_(c) || is_digit(c); });
}

std::size_t skip_blanks(std::string_view s, std::size_t p) {
  while (p < s.size() && is_blank(s[p])) ++p;
  return p;
}

// End of the token starting at p: the first blank (or the end of the line).
std::size_t token_end(std::string_view s, std::size_t p) {
  while (p < s.size() && !is_blank(s[p])) ++p;
  return p;
}

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// from_chars reports overflow and underflow alike; Prometheus (Go's ParseFloat) rejects the first and reads
// the second as 0. `digits` is a well-formed unsigned decimal: its order of magnitude decides.
bool underflows(std::string_view digits) {
  const auto e = digits.find_first_of("eE");
  long long exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp = digits.substr(e + 1);
    const bool negative = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
    if (std::from_chars(exp.data(), exp.data() + exp.size(), exponent).ec != std::errc{})
      exponent = 1'000'000'000;
    if (negative) exponent = -exponent;
    digits = digits.substr(0, e);
  }
  const auto dot = std::min(digits.find('.'), digits.size());
  std::string_view integer = digits.substr(0, dot);
  while (!integer.empty() && integer[0] == '0') integer.remove_prefix(1);
  if (!integer.empty()) return static_cast<long long>(integer.size()) + exponent < 0;
  const std::string_view fraction = digits.substr(std::min(dot + 1, digits.size()));
  const auto zeros = std::min(fraction.find_first_not_of('0'), fraction.size());
  return exponent - static_cast<long long>(zeros) < 0;
}

// A sample value as Prometheus reads it: a decimal float with optional sign and exponent, or Inf / Infinity
// (any case, optional sign), or NaN (any case, no sign). No hex floats, no digit separators.
std::optional<double> parse_value(std::string_view s) {
  bool negative = false, sign = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    sign = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  if (is_digit(s[0]) || s[0] == '.') {
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
    if (end != s.data() + s.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range && underflows(s))
      v = 0;
    else if (ec != std::errc{})
      return std::nullopt;
    return negative ? -v : v;
  }
  if (iequals(s, "inf") || iequals(s, "infinity"))
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (!sign && iequals(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

// A timestamp: a decimal int64 (milliseconds), optional sign.
std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  if (s.size() > 1 && (s[0] == '+' || s[0] == '-') && is_digit(s[1])) {
    if (s[0] == '+') s.remove_prefix(1);
  } else if (s.empty() || !is_digit(s[0])) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<Type> parse_type(std::string_view s) {
  static constexpr std::pair<std::string_view, Type> kTypes[] = {{"counter", Type::counter},
                                                                 {"gauge", Type::gauge},
                                                                 {"histogram", Type::histogram},
                                                                 {"summary", Type::summary},
                                                                 {"untyped", Type::untyped}};
  for (const auto& [name, type] : kTypes)
    if (s == name) return type;
  return std::nullopt;
}

// What the parser remembers of a family beyond what Family holds: where its # TYPE / # HELP / first sample
// were (0: not yet).
struct FamilyLines {
  std::size_t type = 0;
  std::size_t help = 0;
  std::size_t first_sample = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::expected<Exposition, ParseError> run() {
    std::size_t pos = 0;
    while (pos < text_.size()) {
      ++line_no_;
      auto nl = text_.find('\n', pos);
      if (nl == std::string_view::npos) nl = text_.size();
      std::string_view line = text_.substr(pos, nl - pos);
      pos = nl + 1;
      const auto start = skip_blanks(line, 0);
      if (start == line.size()) continue;
      line.remove_prefix(start);
      const bool ok = line[0] == '#' ? comment(line.substr(1)) : sample(line);
      if (!ok) return std::unexpected(ParseError{line_no_, std::move(error_)});
    }
    return std::move(out_);
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  std::size_t find_family(std::string_view name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? kNone : it->second;
  }

  // `name` views into text_, which outlives the parse, so it can key the index.
  std::size_t add_family(std::string_view name) {
    const auto i = out_.families.size();
    out_.families.push_back(Family{std::string{name}, Type::untyped, {}, {}});
    lines_.emplace_back();
    index_.emplace(name, i);
    return i;
  }

  std::size_t family_of(std::string_view name) {
    const auto i = find_family(name);
    return i == kNone ? add_family(name) : i;
  }

  // The family a sample belongs to: its own name's; else, for name_sum / name_count of a summary or
  // histogram and name_bucket of a histogram, that family; else a new untyped family of its name.
  std::size_t family_of_sample(std::string_view name) {
    if (name == last_sample_name_) return last_sample_family_;
    auto i = find_family(name);
    if (i == kNone) {
      const auto typed_base = [&](std::string_view suffix, bool summary_too) {
        if (!name.ends_with(suffix)) return kNone;
        const auto b = find_family(name.substr(0, name.size() - suffix.size()));
        if (b == kNone) return kNone;
        const auto t = out_.families[b].type;
        return t == Type::histogram || (summary_too && t == Type::summary) ? b : kNone;
      };
      i = typed_base("_bucket", false);
      if (i == kNone) i = typed_base("_sum", true);
      if (i == kNone) i = typed_base("_count", true);
      if (i == kNone) i = add_family(name);
    }
    last_sample_name_ = name;
    last_sample_family_ = i;
    return i;
  }

  bool comment(std::string_view rest) {
    auto p = skip_blanks(rest, 0);
    const auto keyword_end = token_end(rest, p);
    const auto keyword = rest.substr(p, keyword_end - p);
    if (keyword != "HELP" && keyword != "TYPE") return true;  // an ordinary comment
    p = skip_blanks(rest, keyword_end);
    if (p == rest.size()) return true;  // `# HELP` alone: a comment, as Prometheus reads it
    const auto name_end = token_end(rest, p);
    const auto name = rest.substr(p, name_end - p);
    if (!valid_metric_name(name))
      return fail("bad metric name " + quote(name) + " in # " + std::string{keyword} +
                  ": expected [a-zA-Z_:][a-zA-Z0-9_:]*");
    p = skip_blanks(rest, name_end);
    return keyword == "HELP" ? help(name, rest.substr(p)) : type(name, rest.substr(p));
  }

  bool help(std::string_view name, std::string_view text) {
    const auto i = family_of(name);
    if (lines_[i].help != 0)
      return fail("# HELP given twice for " + quote(name) + " (first on line " +
                  std::to_string(lines_[i].help) + ")");
    lines_[i].help = line_no_;
    last_sample_name_ = {};  // a sample name may now have a family of its own
    std::string& help = out_.families[i].help;
    help.reserve(text.size());
    for (std::size_t p = 0; p < text.size(); ++p) {
      if (text[p] != '\\') {
        help += text[p];
        continue;
      }
      const char next = p + 1 < text.size() ? text[p + 1] : '\0';
      if (next == '\\')
        help += '\\';
      else if (next == 'n')
        help += '\n';
      else
        return fail("bad escape " + quote(text.substr(p, 2)) + " in the help of " + quote(name) +
                    ": expected \\\\ or \\n");
      ++p;
    }
    return true;
  }

  bool type(std::string_view name, std::string_view rest) {
    const auto type_end = token_end(rest, 0);
    const auto word = rest.substr(0, type_end);
    const auto t = parse_type(word);
    if (!t)
      return fail((word.empty() ? "missing type" : "unknown type " + quote(word)) + " for " + quote(name) +
                  ": expected counter, gauge, histogram, summary or untyped");
    const auto after = skip_blanks(rest, type_end);
    if (after != rest.size())
      return fail("unexpected text after the type of " + quote(name) + ": " + quote(rest.substr(after)));

    const auto i = family_of(name);
    if (lines_[i].type != 0)
      return fail("# TYPE given twice for " + quote(name) + " (first on line " +
                  std::to_string(lines_[i].type) + ")");
    if (lines_[i].first_sample != 0) return type_after_samples(name, name, lines_[i].first_sample);
    // Samples of this histogram or summary that came before, as an untyped family of their own name.
    if (t == Type::histogram || t == Type::summary) {
      for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (*t == Type::summary && suffix == "_bucket") continue;
        std::string series{name};
        series += suffix;
        const auto s = find_family(series);
        if (s != kNone && lines_[s].type == 0 && lines_[s].first_sample != 0)
          return type_after_samples(name, series, lines_[s].first_sample);
      }
    }
    lines_[i].type = line_no_;
    out_.families[i].type = *t;
    last_sample_name_ = {};  // a sample name may now belong elsewhere
    return true;
  }

  bool type_after_samples(std::string_view name, std::string_view series, std::size_t line) {
    return fail("# TYPE for " + quote(name) + " after its samples (" + quote(series) + " on line " +
                std::to_string(line) + ")");
  }

  bool sample(std::string_view line) {
    std::size_t p = 0;
    while (p < line.size() && !is_blank(line[p]) && line[p] != '{') ++p;
    const auto name = line.substr(0, p);
    if (!valid_metric_name(name))
      return fail(name.empty() ? "missing metric name before " + quote(line)
                               : "bad metric name " + quote(name) + ": expected [a-zA-Z_:][a-zA-Z0-9_:]*");
    const auto fi = family_of_sample(name);
    Family& family = out_.families[fi];
    if (lines_[fi].first_sample == 0) lines_[fi].first_sample = line_no_;
    Sample& s = family.samples.emplace_back();
    s.name.assign(name);

    p = skip_blanks(line, p);
    if (p < line.size() && line[p] == '{' && !labels(line, p, s)) return false;

    p = skip_blanks(line, p);
    if (p == line.size()) return fail("missing value of " + quote(name));
    auto end = token_end(line, p);
    const auto value = parse_value(line.substr(p, end - p));
    if (!value)
      return fail("bad value " + quote(line.substr(p, end - p)) + " of " + quote(name) +
                  ": expected a float, +Inf, -Inf or NaN");
    s.value = *value;
    if ((family.type == Type::histogram || family.type == Type::summary) && !bound_label(family.type, s))
      return false;

    p = skip_blanks(line, end);
    if (p == line.size()) return true;
    end = token_end(line, p);
    const auto timestamp = parse_timestamp(line.substr(p, end - p));
    if (!timestamp)
      return fail("bad timestamp " + quote(line.substr(p, end - p)) + " of " + quote(name) +
                  ": expected integer milliseconds");
    s.timestamp_ms = *timestamp;
    p = skip_blanks(line, end);
    if (p != line.size())
      return fail("unexpected text after the timestamp of " + quote(name) + ": " + quote(line.substr(p)));
    return true;
  }

  // A histogram's le and a summary's quantile label, when present, must be numbers (as Prometheus requires).
  bool bound_label(Type type, const Sample& s) {
    const std::string_view key = type == Type::histogram ? "le" : "quantile";
    for (const auto& l : s.labels)
      if (l.name == key && !parse_value(l.value))
        return fail("bad " + std::string{key} + " " + quote(l.value) + " of " + quote(s.name) +
                    ": expected a float, +Inf, -Inf or NaN");
    return true;
  }

  // `{name="value",...}` from line[p] == '{'; p ends after the '}'.
  bool labels(std::string_view line, std::size_t& p, Sample& s) {
    s.labels.reserve(std::count(line.begin() + p, line.end(), '='));  // at least one per label
    ++p;
    while (true) {
      p = skip_blanks(line, p);
      if (p == line.size()) return fail("missing '}' after the labels of " + quote(s.name));
      if (line[p] == '}') break;
      const auto name_start = p;
      while (p < line.size() && !is_blank(line[p]) && line[p] != '=' && line[p] != ',' && line[p] != '}' &&
             line[p] != '"')
        ++p;
      const auto label = line.substr(name_start, p - name_start);
      if (!valid_label_name(label))
        return fail(label.empty()
                        ? "missing label name in " + quote(s.name) + " before " + quote(line.substr(p))
                        : "bad label name " + quote(label) + " in " + quote(s.name) +
                              ": expected [a-zA-Z_][a-zA-Z0-9_]*");
      p = skip_blanks(line, p);
      if (p == line.size() || line[p] != '=')
        return fail("missing '=' after label " + quote(label) + " of " + quote(s.name) + ", found " +
                    quote(line.substr(p)));
      p = skip_blanks(line, p + 1);
      if (p == line.size() || line[p] != '"')
        return fail("missing '\"' before the value of label " + quote(label) + " of " + quote(s.name) +
                    ", found " + quote(line.substr(p)));
      ++p;
      for (const auto& l : s.labels)
        if (l.name == label) return fail("duplicate label " + quote(label) + " in " + quote(s.name));
      Label& l = s.labels.emplace_back();
      l.name.assign(label);
      if (!label_value(line, p, label, s.name, l.value)) return false;
      p = skip_blanks(line, p);
      if (p < line.size() && line[p] == ',') {
        ++p;
        continue;
      }
      if (p < line.size() && line[p] == '}') break;
      return fail(p == line.size() ? "missing '}' after the labels of " + quote(s.name)
                                   : "expected ',' or '}' after label " + quote(label) + " of " +
                                         quote(s.name) + ", found " + quote(line.substr(p)));
    }
    ++p;
    return true;
  }

  // The escaped text from line[p] up to the closing quote; p ends after that quote.
  bool label_value(std::string_view line, std::size_t& p, std::string_view label, std::string_view metric,
                   std::string& out) {
    const auto start = p;
    while (true) {
      const auto run = p;
      while (p < line.size() && line[p] != '"' && line[p] != '\\') ++p;
      out.append(line.data() + run, p - run);
      if (p == line.size())
        return fail("unterminated value of label " + quote(label) + " of " + quote(metric) + ": " +
                    quote(line.substr(start - 1)));
      if (line[p] == '"') break;
      const char next = p + 1 < line.size() ? line[p + 1] : '\0';
      if (next == '\\')
        out += '\\';
      else if (next == '"')
        out += '"';
      else if (next == 'n')
        out += '\n';
      else if (p + 1 == line.size())
        return fail("unterminated value of label " + quote(label) + " of " + quote(metric) + ": " +
                    quote(line.substr(start - 1)));
      else
        return fail("bad escape " + quote(line.substr(p, 2)) + " in the value of label " + quote(label) +
                    " of " + quote(metric) + ": expected \\\\, \\\" or \\n");
      p += 2;
    }
    ++p;
    if (!valid_utf8(out))
      return fail("the value of label " + quote(label) + " of " + quote(metric) +
                  " is not valid UTF-8: " + quote(line.substr(start, p - 1 - start)));
    return true;
  }

  std::string_view text_;
  std::size_t line_no_ = 0;
  Exposition out_;
  std::vector<FamilyLines> lines_;                           // parallel to out_.families
  std::unordered_map<std::string_view, std::size_t> index_;  // family name (a view into text_) -> index
  std::string_view last_sample_name_;                        // consecutive samples of one series: one lookup
  std::size_t last_sample_family_ = kNone;
  std::string error_;
};

}  // namespace

std::string_view to_string(Type type) {
  switch (type) {
    case Type::counter:
      return "counter";
    case Type::gauge:
      return "gauge";
    case Type::histogram:
      return "histogram";
    case Type::summary:
      return "summary";
    case Type::untyped:
      return "untyped";
  }
  return "untyped";
}

std::string_view Sample::label(std::string_view name) const {
  for (const auto& l : labels)
    if (l.name == name) return l.value;
  return {};
}

const Family* Exposition::find(std::string_view name) const {
  for (const auto& f : families)
    if (f.name == name) return &f;
  return nullptr;
}

std::expected<Exposition, ParseError> parse(std::string_view text) {
  return Parser{text}.run();
}

}  // namespace igw::telemetry::exposition
