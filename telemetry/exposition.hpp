// The Prometheus text exposition format (version 0.0.4), read: what `metrics top`, `metrics check` and
// `doctor` scrape from a gateway. Comments, # HELP and # TYPE lines, label values with escapes (\\ \" \n),
// +Inf / -Inf / NaN, optional timestamps. Never throws and never crashes on bad input: the first bad line is
// reported with its number and what is wrong with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace igw::telemetry::exposition {

enum class Type { counter, gauge, histogram, summary, untyped };
std::string_view to_string(Type type);

struct Label {
  std::string name;
  std::string value;  // unescaped
  bool operator==(const Label&) const = default;
};

struct Sample {
  std::string name;           // as written: a histogram's samples end in _bucket, _sum or _count
  std::vector<Label> labels;  // in the order written
  double value = 0;
  std::optional<std::int64_t> timestamp_ms;
  // The value of a label, empty when the sample has none of that name.
  std::string_view label(std::string_view name) const;
};

// A metric family: its # TYPE / # HELP, and its samples (for a histogram: every _bucket, _sum and _count
// sample of the family). Samples without a # TYPE line make an untyped family of their own name.
struct Family {
  std::string name;
  Type type = Type::untyped;
  std::string help;  // unescaped
  std::vector<Sample> samples;
};

struct Exposition {
  std::vector<Family> families;  // in the order they first appear
  const Family* find(std::string_view name) const;
};

struct ParseError {
  std::size_t line = 0;  // 1-based
  std::string message;   // what is wrong, naming the offending text
};

// Parses a whole exposition. Error: the first bad line.
std::expected<Exposition, ParseError> parse(std::string_view text);

}  // namespace igw::telemetry::exposition
