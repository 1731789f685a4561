#include "server/sse.hpp"

#include <simdjson.h>

namespace igw::server {
namespace {

namespace od = simdjson::ondemand;

// Offset just past the first blank line at or after `from`, or npos.
std::size_t event_end(std::string_view buf, std::size_t from) {
  for (std::size_t i = buf.find('\n', from); i != std::string_view::npos; i = buf.find('\n', i + 1)) {
    std::size_t j = i + 1;
    if (j < buf.size() && buf[j] == '\r') ++j;
    if (j < buf.size() && buf[j] == '\n') return j + 1;
  }
  return std::string_view::npos;
}

std::int64_t int_or_zero(od::object& usage, std::string_view key) {
  std::int64_t v = 0;
  if (usage[key].get_int64().get(v) != simdjson::SUCCESS) return 0;
  return v;
}

void read_usage(od::value value, Usage& out) {
  od::object usage;
  if (value.get_object().get(usage) != simdjson::SUCCESS) return;  // "usage": null in early chunks
  out.present = true;
  out.prompt_tokens = int_or_zero(usage, "prompt_tokens");
  out.completion_tokens = int_or_zero(usage, "completion_tokens");
  out.total_tokens = int_or_zero(usage, "total_tokens");
  if (out.total_tokens == 0) out.total_tokens = out.prompt_tokens + out.completion_tokens;
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

}  // namespace

std::optional<std::string_view> SseSplitter::next_event() {
  std::string_view buf{buffer_};
  std::size_t end = event_end(buf, consumed_);
  if (end == std::string_view::npos) return std::nullopt;
  auto ev = buf.substr(consumed_, end - consumed_);
  consumed_ = end;
  return ev;
}

void SseSplitter::compact() {
  buffer_.erase(0, consumed_);
  consumed_ = 0;
}

std::string event_data(std::string_view event) {
  std::string data;
  bool first = true;
  while (!event.empty()) {
    auto nl = event.find('\n');
    auto line = event.substr(0, nl);
    event = nl == std::string_view::npos ? std::string_view{} : event.substr(nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.starts_with("data:")) continue;
    line.remove_prefix(5);
    if (line.starts_with(' ')) line.remove_prefix(1);
    if (!first) data += '\n';
    data.append(line);
    first = false;
  }
  return data;
}

bool is_done_event(std::string_view data) {
  return data == "[DONE]";
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
  bool has_usage = json.find("\"usage\"") != std::string_view::npos;
  bool has_tools = json.find("\"tool_calls\"") != std::string_view::npos;
  if (!has_usage && !has_tools) return;
  observe_body(json);
}

void ResponseObserver::observe_body(std::string_view json) {
  // Most answers carry no tool call: then "choices" (the bulk of the document) is skipped, not walked.
  const bool may_have_tools = json.find("\"tool_calls\"") != std::string_view::npos;
  thread_local od::parser parser;
  simdjson::padded_string padded{json};
  od::document doc;
  od::object root;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS || doc.get_object().get(root) != simdjson::SUCCESS)
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
