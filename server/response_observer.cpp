#include "server/response_observer.hpp"

#include <optional>

#include <simdjson.h>

#include "server/json_fields.hpp"
#include "server/padded_json.hpp"

namespace igw::server {
namespace {

namespace od = simdjson::ondemand;

// The counts of one usage object; absent ones stay empty so a later usage updates only what it holds.
struct UsageCounts {
  std::optional<std::int64_t> prompt;
  std::optional<std::int64_t> completion;
  std::optional<std::int64_t> total;
};

// False when the object is malformed. Counts of another type ("5", null) are left out.
bool read_counts(od::object usage, UsageCounts& out) {
  for (auto f : usage) {
    od::field field;
    std::string_view key;
    if (std::move(f).get(field) != simdjson::SUCCESS || field.unescaped_key().get(key) != simdjson::SUCCESS)
      return false;
    std::optional<std::int64_t>* slot = nullptr;
    if (key == "prompt_tokens" || key == "input_tokens")
      slot = &out.prompt;
    else if (key == "completion_tokens" || key == "output_tokens")
      slot = &out.completion;
    else if (key == "total_tokens")
      slot = &out.total;
    std::int64_t v = 0;
    if (slot && field.value().get_int64().get(v) == simdjson::SUCCESS) *slot = v;
  }
  return true;
}

// A usage value: false when malformed; `out` stays empty when the value is not an object ("usage": null in
// early chunks).
bool read_usage(od::value value, std::optional<UsageCounts>& out) {
  od::object usage;
  if (value.get_object().get(usage) != simdjson::SUCCESS) return true;
  UsageCounts counts;
  if (!read_counts(usage, counts)) return false;
  out = counts;
  return true;
}

void merge(const UsageCounts& c, Usage& u) {
  u.present = true;
  if (c.prompt) u.prompt_tokens = *c.prompt;
  if (c.completion) u.completion_tokens = *c.completion;
  u.total_tokens = c.total.value_or(0) != 0 ? *c.total : u.prompt_tokens + u.completion_tokens;
}

// Where usage may stand in an answer: at the top level, in "message" (Anthropic's message_start) or in
// "response" (the Responses API's stream events), each with the model named beside it.
struct UsagePlace {
  std::optional<UsageCounts> usage;
  std::string_view model;
};

struct AnswerParts {
  std::string_view object;  // OpenAI's "object"
  std::string_view type;    // Anthropic's and the Responses events' "type"
  UsagePlace top, message, response;
};

// A member of the object whose usage is read: "usage" and "model"; others are skipped.
bool read_place_member(std::string_view key, od::value value, UsagePlace& place) {
  if (key == "usage") return read_usage(value, place.usage);
  if (key == "model" && value.get_string().get(place.model) != simdjson::SUCCESS) place.model = {};
  return true;
}

bool read_nested_place(od::value value, UsagePlace& place) {
  od::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return true;  // null, or not this shape
  for (auto f : object) {
    od::field field;
    std::string_view key;
    if (std::move(f).get(field) != simdjson::SUCCESS || field.unescaped_key().get(key) != simdjson::SUCCESS)
      return false;
    if (!read_place_member(key, field.value(), place)) return false;
  }
  return true;
}

// False when the answer is not a JSON object or is malformed up to its end.
bool read_answer_parts(od::object root, AnswerParts& parts) {
  for (auto f : root) {
    od::field field;
    std::string_view key;
    if (std::move(f).get(field) != simdjson::SUCCESS || field.unescaped_key().get(key) != simdjson::SUCCESS)
      return false;
    bool ok = true;
    if (key == "object" || key == "type") {
      std::string_view& name = key == "object" ? parts.object : parts.type;
      if (field.value().get_string().get(name) != simdjson::SUCCESS) name = {};
    } else if (key == "message") {
      ok = read_nested_place(field.value(), parts.message);
    } else if (key == "response") {
      ok = read_nested_place(field.value(), parts.response);
    } else {
      ok = read_place_member(key, field.value(), parts.top);
    }
    if (!ok) return false;
  }
  return true;
}

// The known shape an answer or event names; none for anything else (an embedding, a file, an error).
AnswerShape named_shape(const AnswerParts& parts) {
  if (parts.object == "chat.completion" || parts.object == "chat.completion.chunk")
    return AnswerShape::chat_completion;
  if (parts.object == "response" || parts.type.starts_with("response.")) return AnswerShape::openai_responses;
  if (parts.type == "message" || parts.type == "message_start" || parts.type == "message_delta")
    return AnswerShape::anthropic_messages;
  return AnswerShape::none;
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

// The usage object at the end of `json`, when there is one: parsed alone, the rest never looked at. False
// when there is none (or it is malformed): then the caller reads the whole document.
bool observe_trailing_usage(std::string_view json, Usage& usage) {
  auto text = trailing_usage_object(json);
  if (text.empty()) return false;
  thread_local od::parser parser;
  thread_local std::string scratch;
  od::document doc;
  od::object object;
  UsageCounts counts;
  if (parser.iterate(padded_copy(text, scratch)).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(object) != simdjson::SUCCESS || !read_counts(object, counts))
    return false;
  merge(counts, usage);
  return true;
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
  // Most chunks carry "usage": null (or no usage) and no tool calls: then there is nothing to parse.
  const bool may_have_usage = has_key_opening(json, "\"usage\"", '{');
  if (shape_ == AnswerShape::chat_completion) {
    if (may_have_usage || has_key_opening(json, "\"tool_calls\"", '[')) observe_chat(json);
  } else if (shape_ != AnswerShape::none && may_have_usage) {
    observe_other(json);
  }
}

void ResponseObserver::observe_body(std::string_view json) {
  if (shape_ == AnswerShape::chat_completion)
    observe_chat(json);
  else if (shape_ != AnswerShape::none && has_key_opening(json, "\"usage\"", '{'))
    observe_other(json);
}

void ResponseObserver::observe_other(std::string_view json) {
  // The whole document is read (not just a trailing usage, as for chat): its "object" or "type" names the
  // shape for any, and a document cut short is never counted.
  thread_local od::parser parser;
  thread_local std::string scratch;
  od::document doc;
  od::object root;
  AnswerParts parts;
  if (parser.iterate(padded_copy(json, scratch)).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(root) != simdjson::SUCCESS || !read_answer_parts(root, parts))
    return;
  AnswerShape shape = shape_ == AnswerShape::any ? named_shape(parts) : shape_;
  auto take = [&](const UsagePlace& place) {
    if (!place.usage) return;
    merge(*place.usage, usage_);
    if (shape_ == AnswerShape::any && model_.empty()) model_ = std::string{place.model};
  };
  switch (shape) {
    case AnswerShape::chat_completion:
      take(parts.top);
      break;
    case AnswerShape::anthropic_messages:
      take(parts.message);  // message_start
      take(parts.top);      // a message, message_delta
      break;
    case AnswerShape::openai_responses:
      take(parts.top);       // a response
      take(parts.response);  // response.completed (and .incomplete, .failed)
      break;
    case AnswerShape::none:
    case AnswerShape::any:
      break;
  }
}

void ResponseObserver::observe_chat(std::string_view json) {
  const bool may_have_tools = has_key_opening(json, "\"tool_calls\"", '[');
  // Most answers carry no tool call and end with their usage: then only the usage object is parsed.
  if (!may_have_tools && observe_trailing_usage(json, usage_)) return;
  thread_local od::parser parser;
  thread_local std::string scratch;
  std::optional<UsageCounts> usage;  // counted once the whole document has been read
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
      if (!read_usage(field.value(), usage)) return;
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
  if (usage) merge(*usage, usage_);
}

}  // namespace igw::server
