#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "server/json_fields.hpp"

using namespace igw::server;
using nlohmann::json;

namespace {

std::string edit(std::string_view body, bool replace, std::string_view model, StreamOptionsEdit e) {
  auto f = extract_chat_fields(body);
  REQUIRE(f);
  return rewrite_chat_body(body, *f, replace, model, e);
}

}  // namespace

TEST_SUITE("json_fields") {
  TEST_CASE("reads model, stream and stream_options without touching the rest") {
    std::string body =
        R"({"messages":[{"role":"user","content":"{\"model\":1}"}],"model":"groq/meta-llama/x","stream":true,
      "stream_options":{"include_usage":true}})";
    auto f = extract_chat_fields(body);
    REQUIRE(f);
    CHECK(f->model == "groq/meta-llama/x");
    CHECK(f->stream);
    CHECK(f->include_usage);
    CHECK(body.substr(f->model_token.begin, f->model_token.end - f->model_token.begin) ==
          "\"groq/meta-llama/x\"");
  }

  TEST_CASE("malformed or non-object bodies and wrong field types are errors") {
    CHECK_FALSE(extract_chat_fields("{bad"));
    CHECK_FALSE(extract_chat_fields("[1,2]"));
    CHECK_FALSE(extract_chat_fields(""));
    CHECK_FALSE(extract_chat_fields(R"({"model":3})"));
    CHECK_FALSE(extract_chat_fields(R"({"model":"a","stream":"yes"})"));
    auto f = extract_chat_fields(R"({"messages":[]})");
    REQUIRE(f);
    CHECK_FALSE(f->has_model);
    CHECK_FALSE(f->stream);
  }

  TEST_CASE("the model prefix is spliced out, the rest byte for byte") {
    std::string body =
        R"({"model": "groq/meta-llama/llama-4" , "messages":[{"role":"user","content":"hi"}]})";
    auto out = edit(body, true, "meta-llama/llama-4", StreamOptionsEdit::keep);
    CHECK(out == R"({"model": "meta-llama/llama-4" , "messages":[{"role":"user","content":"hi"}]})");
  }

  TEST_CASE("streams get stream_options.include_usage=true, inserted or replaced") {
    auto added = json::parse(
        edit(R"({"model":"openai/m","stream":true})", true, "m", StreamOptionsEdit::force_include_usage));
    CHECK(added["model"] == "m");
    CHECK(added["stream_options"]["include_usage"] == true);
    auto replaced =
        json::parse(edit(R"({"stream":true,"stream_options":{"include_usage":false},"model":"m"})", false, "",
                         StreamOptionsEdit::force_include_usage));
    CHECK(replaced["stream_options"]["include_usage"] == true);
    CHECK(replaced["model"] == "m");
    std::string kept = R"({"stream":true,"stream_options":{"include_usage":true}})";
    CHECK(edit(kept, false, "", StreamOptionsEdit::force_include_usage) == kept);
    CHECK(json::parse(edit("{ }", false, "",
                           StreamOptionsEdit::force_include_usage))["stream_options"]["include_usage"] ==
          true);
  }

  TEST_CASE("providers without stream_options get it removed, the JSON staying valid") {
    for (std::string body :
         {R"({"stream_options":{"include_usage":true},"model":"m"})",
          R"({"model":"m","stream_options":{"include_usage":true}})",
          R"({"model":"m", "stream_options" : null , "stream":true})", R"({"stream_options":{}})"}) {
      auto out = edit(body, false, "", StreamOptionsEdit::remove);
      auto j = json::parse(out);
      CHECK_FALSE(j.contains("stream_options"));
      if (body.find("\"model\"") != std::string::npos) CHECK(j["model"] == "m");
    }
  }

  TEST_CASE("a model with escapes is re-escaped when replaced") {
    auto out = edit(R"({"model":"openai/a\"b"})", true, "a\"b", StreamOptionsEdit::keep);
    CHECK(json::parse(out)["model"] == "a\"b");
  }
}

#include <typeinfo>

#include <simdjson.h>

TEST_CASE("the hot-path JSON reader is built with a SIMD kernel, not the generic fallback") {
  // On-Demand is inline code: its kernel is the namespace chosen by this build's CPU flags.
  std::string_view kernel = typeid(simdjson::ondemand::parser).name();
#if defined(__x86_64__)
  CHECK_MESSAGE(kernel.find("fallback") == std::string_view::npos, kernel);
#endif
}

TEST_CASE("the names of the offered function tools are read; odd shapes are left to the provider") {
  auto f = extract_chat_fields(
      R"({"model":"m","tools":[{"type":"function","function":{"name":"get_weather","parameters":{}}},)"
      R"({"type":"function","function":{"name":"get_time"}},{"type":"web_search"}],"messages":[]})");
  REQUIRE(f);
  CHECK(f->offered_tools == std::vector<std::string>{"get_weather", "get_time"});
  auto none = extract_chat_fields(R"({"model":"m","tools":"nope"})");
  REQUIRE(none);
  CHECK(none->offered_tools.empty());
}
