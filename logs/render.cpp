#include "logs/render.hpp"

#include <cctype>
#include <cstdio>

#include "telemetry/log.hpp"

namespace igw::logs {
namespace field = telemetry::log::field;
namespace {

// SGR codes.
constexpr std::string_view kDim = "2", kBold = "1", kRed = "1;31", kYellow = "33", kGreen = "32",
                           kBlue = "34", kCyan = "36", kMagenta = "35";

// The core fields printed in their own columns; everything else becomes key=value.
bool is_core(std::string_view raw_key) {
  return key_is(raw_key, field::timestamp) || key_is(raw_key, field::level) ||
         key_is(raw_key, field::logger) || key_is(raw_key, field::message);
}

// Appends text with control characters shown as escapes, so one entry stays one terminal line.
void append_visible(std::string& out, std::string_view text) {
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s)
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

std::string_view level_color(std::string_view level) {
  using telemetry::log::Level;
  switch (level_of(level).value_or(Level::debug)) {
    case Level::error:
      return kRed;
    case Level::warn:
      return kYellow;
    case Level::info:
      return kGreen;
    case Level::debug:
      return kBlue;
  }
  return kBlue;
}

std::string_view status_color(const Member& m) {
  auto n = number_of(m);
  if (!n) return kBold;
  return *n >= 500 ? kRed : *n >= 400 ? kYellow : kGreen;
}

}  // namespace

std::string truncation_marker(std::size_t dropped) {
  return " [... truncated " + std::to_string(dropped) + " bytes]";
}

void Renderer::paint(std::string& out, std::string_view sgr, std::string_view text) const {
  if (!o_.color) {
    out += text;
    return;
  }
  out += "\x1b[";
  out += sgr;
  out += 'm';
  out += text;
  out += "\x1b[0m";
}

void Renderer::add_prefix(std::string_view prefix, std::string& out) const {
  if (prefix.empty() || o_.mode == Mode::json) return;
  paint(out, kMagenta, prefix);
  out += ": ";
}

void Renderer::json_line(const Line& line, std::string_view text, std::string_view prefix,
                         std::string& out) const {
  if (o_.mode == Mode::json) {
    if (o_.fields.empty())
      out += text;
    else
      selected_json(line, out);
    out += '\n';
    return;
  }
  add_prefix(prefix, out);
  if (o_.mode == Mode::raw)
    raw(line, out);
  else if (o_.fields.empty())
    pretty(line, out);
  else
    pretty_fields(line, out);
  out += '\n';
}

void Renderer::other_line(std::string_view text, std::string_view prefix, std::size_t truncated,
                          std::string& out) const {
  if (o_.mode == Mode::json && !o_.keep_invalid) return;
  add_prefix(prefix, out);
  std::string marker = truncated ? truncation_marker(truncated) : std::string{};
  if (o_.mode == Mode::pretty && o_.color) {
    out += "\x1b[2m";
    append_visible(out, text);
    out += marker;
    out += "\x1b[0m";
  } else {
    out += text;
    out += marker;
  }
  out += '\n';
}

void Renderer::pretty(const Line& line, std::string& out) const {
  std::string tmp;
  if (const Member* ts = line.find(field::timestamp)) {
    paint(out, kDim, text_of(*ts));
    out += ' ';
  }
  if (const Member* lv = line.find(field::level)) {
    std::string level = text_of(*lv);
    tmp.clear();
    for (char c : level) tmp += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (tmp.size() < 5) tmp.resize(5, ' ');
    paint(out, level_color(level), tmp);
    out += ' ';
  }
  if (const Member* lg = line.find(field::logger)) {
    paint(out, kCyan, text_of(*lg));
    out += ' ';
  }
  if (const Member* msg = line.find(field::message)) {
    tmp.clear();
    append_visible(tmp, text_of(*msg));
    out += tmp;
  }
  // request_id and status_code first and emphasised, then the rest in line order.
  for (std::string_view key : {field::status_code, field::request_id}) {
    if (const Member* m = line.find(key)) {
      out += ' ';
      paint(out, kDim, std::string{key} + "=");
      tmp.clear();
      append_visible(tmp, text_of(*m));
      paint(out, key == field::status_code ? status_color(*m) : kBold, tmp);
    }
  }
  for (const Member& m : line.members()) {
    if (is_core(m.key) || key_is(m.key, field::status_code) || key_is(m.key, field::request_id)) continue;
    out += ' ';
    paint(out, kDim, std::string{m.key} + "=");
    tmp.clear();
    std::string text = text_of(m);
    if (m.kind == Kind::string && needs_quotes(text))
      append_visible(tmp, m.raw);
    else
      append_visible(tmp, text);
    out += tmp;
  }
}

void Renderer::pretty_fields(const Line& line, std::string& out) const {
  bool first = true;
  std::string tmp;
  for (const auto& name : o_.fields) {
    auto m = line.find_path(name);
    if (!first) out += ' ';
    first = false;
    paint(out, kDim, name + "=");
    tmp.clear();
    if (!m) {
      tmp = "-";
    } else {
      std::string text = text_of(*m);
      append_visible(tmp, m->kind == Kind::string && needs_quotes(text) ? std::string{m->raw} : text);
    }
    out += tmp;
  }
}

void Renderer::selected_json(const Line& line, std::string& out) const {
  out += '{';
  bool first = true;
  for (const auto& name : o_.fields) {
    auto m = line.find_path(name);
    if (!m) continue;
    if (!first) out += ',';
    first = false;
    out += '"';
    telemetry::log::append_json_escaped(out, name);
    out += "\":";
    out += m->raw;
  }
  out += '}';
}

void Renderer::raw(const Line& line, std::string& out) const {
  if (o_.fields.empty()) {
    if (const Member* msg = line.find(field::message)) out += text_of(*msg);
    return;
  }
  bool first = true;
  for (const auto& name : o_.fields) {
    if (!first) out += '\t';
    first = false;
    if (auto m = line.find_path(name)) out += text_of(*m);
  }
}

}  // namespace igw::logs
