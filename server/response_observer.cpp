#include "server/response_observer.hpp"

#include <simdjson.h>

#include "server/json_fields.hpp"
#include "server/padded_json.hpp"

namespace igw::server {
namespace {

namespace od = simdjson::ondemand;

std::int64_t int_or_zero(od::object& usage, std::string_view key) {
  std::int64_t v = 0;
  if (usage[key].get_int64().get(v) != simdjson::SUCCESS) return 0;
  return v;
}

void read_usage(od::object usage, Usage& out) {
  out.present = true;
  out.prompt_tokens = int_or_zero(usage, "prompt_tokens");
  out.completion_tokens = int_or_zero(usage, "completion_tokens");
  out.total_tokens = int_or_zero(usage, "total_tokens");
  if (out.total_tokens == 0) out.total_tokens = out.prompt_tokens + out.completion_tokens;
}

void read_usage(od::value value, Usage& out) {
  od::object usage;
  if (value.get_object().get(usage) != simdjson::SUCCESS) return;  // "usage": null in early chunks
  read_usage(usage, out);
}



// A tool call's "function" object: its name and (a fragment of) its arguments, whichever are present.
simdjson::error_code read_function(od::value value, std::string_view& name, std::string_view& arguments) {
  od::object function;
  if (auto err = value.get_object().get(function); err != simdjson::SUCCESS) return err;
  for (auto f : function) {
    od::field field;
    std::string_view key;
    if (auto err = std::move(f).get(field); err != simdjson::SUCCESS) return err;
    if (auto err = field.unescaped_key().get(key); err != simdjson::SUCCESS) return err;
    if (key == "name") {
      if (auto err = field.value().get_string().get(name); err != simdjson::SUCCESS) return err;
    } else if (key == "arguments") {
      // OpenAI sends arguments as a JSON string; keep the raw text of any other shape.
      if (field.value().get_string().get(arguments) != simdjson::SUCCESS) arguments = {};
    }
  }
  return simdjson::SUCCESS;
}

// Whether `json` has `key` (quotes included) followed by a value that begins with `opener` ('{' or '[').
// A quick look, not a parse: every opener is checked for a key just before it (a key spelled inside a
// string value only costs a needless parse later). Objects and arrays are few in a chunk: a memchr each.
bool has_key_opening(std::string_view json, std::string_view key, char opener) {
  for (std::size_t at = json.find(opener); at != std::string_view::npos; at = json.find(opener, at + 1)) {
    std::size_t i = at;
    while (i > 0 && is_json_space(json[i - 1])) --i;
    if (i == 0 || json[i - 1] != ':') continue;
    --i;
    while (i > 0 && is_json_space(json[i - 1])) --i;
    if (json.substr(0, i).ends_with(key)) return true;
  }
  return false;
}

}  // namespace

std::string_view trailing_usage_object(std::string_view json) {
  // Walks the top-level members backwards from the closing brace, over members with scalar values
  // ("system_fingerprint", "service_tier" follow the usage in OpenAI's answers), to the first member whose
  // value is an object. i is always one past the next byte to look at.
  std::size_t i = json.size();
  auto skip_space = [&] {
    while (i > 0 && is_json_space(json[i - 1])) --i;
  };
  auto take = [&](char c) {
    skip_space();
    if (i == 0 || json[i - 1] != c) return false;
    --i;
    return true;
  };
  // Back over a string whose closing quote was just taken, to before its opening quote (the one not escaped
  // by an odd run of backslashes).
  auto back_over_string = [&] {
    for (;;) {
      if (i == 0) return false;
      if (json[--i] != '"') continue;
      std::size_t slashes = 0;
      while (i > slashes && json[i - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 0) return true;
    }
  };
  // Back over an object whose closing brace was just taken, to its opening brace.
  auto back_over_object = [&] {
    for (int depth = 1; depth > 0;) {
      if (i == 0) return false;
      char c = json[--i];
      if (c == '}') ++depth;
      else if (c == '{') --depth;
      else if (c == '"' && !back_over_string()) return false;
    }
    return true;
  };
  auto is_literal_byte = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '+' || c == 'E';
  };
  if (!take('}')) return {};  // the top-level object's end
  for (;;) {
    skip_space();
    if (i == 0) return {};
    std::size_t value_end = i;
    bool object = false;
    char last = json[i - 1];
    if (last == '}') {
      --i;
      if (!back_over_object()) return {};
      object = true;
    } else if (last == '"') {
      --i;
      if (!back_over_string()) return {};
    } else if (is_literal_byte(last)) {
      while (i > 0 && is_literal_byte(json[i - 1])) --i;
    } else {
      return {};  // an array, or not JSON
    }
    std::size_t value_begin = i;
    if (!take(':') || !take('"')) return {};
    std::size_t key_end = i + 1;
    if (!back_over_string()) return {};
    std::string_view key = json.substr(i, key_end - i);
    if (object) {
      skip_space();
      if (key != "\"usage\"" || i == 0 || (json[i - 1] != ',' && json[i - 1] != '{')) return {};
      return json.substr(value_begin, value_end - value_begin);
    }
    if (!take(',')) return {};  // the first member reached: no usage object after the last array
  }
}

void ResponseObserver::merge_tool_call(std::int64_t index, std::string_view id, std::string_view name,
                                       std::string_view arguments) {
  for (auto& call : tool_calls_) {
    if (call.index != index) continue;
    if (call.id.empty()) call.id = std::string{id};
    call.name += name;  // names normally arrive whole in the first delta
    call.arguments += arguments;
    return;
  }
  tool_calls_.push_back({index, std::string{id}, std::string{name}, std::string{arguments}});
}

void ResponseObserver::observe_chunk(std::string_view json) {
  // Most chunks carry "usage": null and no tool calls: then there is nothing to parse.
  if (!has_key_opening(json, "\"usage\"", '{') && !has_key_opening(json, "\"tool_calls\"", '[')) return;
  observe_body(json);
}

void ResponseObserver::observe_body(std::string_view json) {
  const bool may_have_tools = has_key_opening(json, "\"tool_calls\"", '[');
  thread_local od::parser parser;
  thread_local std::string scratch;
  // Most answers carry no tool call and end with their usage: then only the usage object is parsed.
  if (!may_have_tools) {
    if (auto usage = trailing_usage_object(json); !usage.empty()) {
      od::document doc;
      od::object object;
      if (parser.iterate(padded_copy(usage, scratch)).get(doc) == simdjson::SUCCESS &&
          doc.get_object().get(object) == simdjson::SUCCESS)
        read_usage(object, usage_);
      return;
    }
  }
  od::document doc;
  od::object root;
  if (parser.iterate(padded_copy(json, scratch)).get(doc) != simdjson::SUCCESS || doc.get_object().get(root) != simdjson::SUCCESS)
    return;
  for (auto f : root) {
    od::field field;
    std::string_view key;
    if (std::move(f).get(field) != simdjson::SUCCESS || field.unescaped_key().get(key) != simdjson::SUCCESS)
      return;
    if (key == "usage") {
      read_usage(field.value(), usage_);
    } else if (key == "choices" && may_have_tools) {
      od::array choices;
      if (field.value().get_array().get(choices) != simdjson::SUCCESS) continue;
      for (auto c : choices) {
        od::object choice;
        if (c.get_object().get(choice) != simdjson::SUCCESS) return;
        for (auto cf : choice) {
          od::field cfield;
          std::string_view ckey;
          if (std::move(cf).get(cfield) != simdjson::SUCCESS ||
              cfield.unescaped_key().get(ckey) != simdjson::SUCCESS)
            return;
          if (ckey != "delta" && ckey != "message") continue;
          od::array calls;
          if (cfield.value()["tool_calls"].get_array().get(calls) != simdjson::SUCCESS) continue;
          std::int64_t position = 0;
          for (auto tc : calls) {
            od::object call;
            if (tc.get_object().get(call) != simdjson::SUCCESS) break;
            std::int64_t index = position++;
            std::string_view id, name, arguments;
            for (auto kf : call) {
              od::field k;
              std::string_view kk;
              if (std::move(kf).get(k) != simdjson::SUCCESS || k.unescaped_key().get(kk) != simdjson::SUCCESS)
                break;
              simdjson::error_code err = simdjson::SUCCESS;
              if (kk == "index")
                err = k.value().get_int64().get(index);
              else if (kk == "id")
                err = k.value().get_string().get(id);
              else if (kk == "function")
                err = read_function(k.value(), name, arguments);
              if (err != simdjson::SUCCESS && err != simdjson::INCORRECT_TYPE &&
                  err != simdjson::NO_SUCH_FIELD)
                break;
            }
            merge_tool_call(index, id, name, arguments);
          }
        }
      }
    }
  }
}

}  // namespace igw::server
