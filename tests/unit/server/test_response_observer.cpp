#include <doctest/doctest.h>

#include "server/response_observer.hpp"

using namespace igw::server;

TEST_SUITE("response_observer") {
  TEST_CASE("usage and tool calls are found whatever the spacing, and not taken from a string") {
    ResponseObserver o;
    o.observe_chunk(R"({"choices":[{"delta":{"content":"say \"usage\": {\"total_tokens\": 99}"}}], "usage" : null})");
    CHECK_FALSE(o.usage().present);
    o.observe_chunk("{\"choices\": [],\n \"usage\" :\n\t{\"prompt_tokens\": 2, \"completion_tokens\": 3}}");
    CHECK(o.usage().present);
    CHECK(o.usage().total_tokens == 5);
    ResponseObserver t;
    t.observe_chunk(R"({"choices":[{"delta":{"content":"\"tool_calls\": [","tool_calls" : null}}]})");
    CHECK(t.tool_calls().empty());
    t.observe_chunk(R"({"choices":[{"delta":{"tool_calls" :  [ {"index":0,"id":"c1","function":{"name":"f","arguments":"{}"}}]}}]})");
    REQUIRE(t.tool_calls().size() == 1);
    CHECK(t.tool_calls()[0].name == "f");
  }

  TEST_CASE("usage and tool calls are picked out of stream chunks, tool calls merged by index") {
    ResponseObserver o;
    o.observe_chunk(R"({"choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null})");
    CHECK_FALSE(o.usage().present);
    o.observe_chunk(
        R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})");
    o.observe_chunk(
        R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]})");
    o.observe_chunk(
        R"({"choices":[{"delta":{"tool_calls":[{"index":1,"id":"call_2","function":{"name":"get_time","arguments":"{}"}}]}}]})");
    o.observe_chunk(R"({"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":5,"total_tokens":12}})");
    CHECK(o.usage().present);
    CHECK(o.usage().prompt_tokens == 7);
    CHECK(o.usage().completion_tokens == 5);
    CHECK(o.usage().total_tokens == 12);
    REQUIRE(o.tool_calls().size() == 2);
    CHECK(o.tool_calls()[0].name == "get_weather");
    CHECK(o.tool_calls()[0].id == "call_1");
    CHECK(o.tool_calls()[0].arguments == "{\"city\":");
    CHECK(o.tool_calls()[1].name == "get_time");
    CHECK(o.tool_calls()[1].arguments == "{}");
  }

  TEST_CASE("usage is read wherever it stands, and only from the top level") {
    struct Case {
      const char* body;
      bool present;
      std::int64_t prompt, completion, total;
    };
    const Case cases[] = {
        // Last member (read without parsing the rest), with spacing, nested details and a string holding braces.
        {R"({"id":"x","choices":[{"message":{"content":"}{"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})", true, 3, 4, 7},
        {"{\"choices\":[] ,\n \"usage\" : {\"prompt_tokens\": 5, \"completion_tokens\": 6,\n \"prompt_tokens_details\": {\"cached_tokens\": 1}} \n}\n", true, 5, 6, 11},
        {R"({"usage":{"note":"a \"}\" {","prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})", true, 1, 2, 3},
        // OpenAI's order: scalar members after the usage.
        {R"({"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6},"service_tier":"default","system_fingerprint":"fp_\"x\"","seed":-1.5e3,"cached":true,"n":null})", true, 4, 2, 6},
        {R"({"choices":[],"usage":{"note":"ends with a backslash \\","prompt_tokens":8,"completion_tokens":1}})", true, 8, 1, 9},
        // Not last: the whole document is read.
        {R"({"usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4},"choices":[{"message":{"content":"hi"}}]})", true, 2, 2, 4},
        // A "usage" member of a nested object is not the answer's usage.
        {R"({"choices":[],"meta":{"usage":{"prompt_tokens":9,"completion_tokens":9}}})", false, 0, 0, 0},
        {R"({"choices":[{"message":{"content":"x","usage":{"prompt_tokens":9}}}]})", false, 0, 0, 0},
        // A string that merely ends like a usage member.
        {R"({"choices":[],"text":"\"usage\":{\"prompt_tokens\":9}"})", false, 0, 0, 0},
        {R"({"choices":[],"usage":null})", false, 0, 0, 0},
        {R"(["usage",{"prompt_tokens":1}])", false, 0, 0, 0},
    };
    // The first five are read from the end; the rest go through the whole document.
    CHECK(trailing_usage_object(cases[0].body) == R"({"prompt_tokens":3,"completion_tokens":4,"total_tokens":7})");
    CHECK(trailing_usage_object(cases[1].body).starts_with("{\"prompt_tokens\": 5"));
    CHECK(trailing_usage_object(cases[1].body).ends_with("{\"cached_tokens\": 1}}"));
    CHECK(trailing_usage_object(cases[2].body).starts_with(R"({"note")"));
    CHECK(trailing_usage_object(cases[3].body) == R"({"prompt_tokens":4,"completion_tokens":2,"total_tokens":6})");
    CHECK(trailing_usage_object(cases[4].body).starts_with(R"({"note")"));
    for (std::size_t i = 5; i < std::size(cases); ++i) CHECK(trailing_usage_object(cases[i].body).empty());
    for (const auto& c : cases) {
      std::string body = c.body;
      CAPTURE(body);
      ResponseObserver o;
      o.observe_body(c.body);
      CHECK(o.usage().present == c.present);
      CHECK(o.usage().prompt_tokens == c.prompt);
      CHECK(o.usage().completion_tokens == c.completion);
      CHECK(o.usage().total_tokens == c.total);
    }
  }

  TEST_CASE("a full response body: usage and message tool calls") {
    ResponseObserver o;
    o.observe_body(
        R"({"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}}],"usage":{"prompt_tokens":3,"completion_tokens":4}})");
    CHECK(o.usage().total_tokens == 7);
    REQUIRE(o.tool_calls().size() == 1);
    CHECK(o.tool_calls()[0].name == "f");
    ResponseObserver bad;
    bad.observe_body("not json");
    CHECK_FALSE(bad.usage().present);
  }
}

namespace {

struct Counted {
  std::int64_t prompt, completion, total;
};

void check_usage(const ResponseObserver& o, Counted want) {
  CHECK(o.usage().present);
  CHECK(o.usage().prompt_tokens == want.prompt);
  CHECK(o.usage().completion_tokens == want.completion);
  CHECK(o.usage().total_tokens == want.total);
}

// Anthropic's stream as the Messages API sends it (the data of each event).
const char* const kMessagesStream[] = {
    R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}})",
    R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})",
    R"({"type":"ping"})",
    R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"say \"usage\": {\"output_tokens\": 999}"}})",
    R"({"type":"content_block_stop","index":0})",
    R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":10}})",
    R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}})",
    R"({"type":"message_stop"})",
};

// The Responses API's stream (the data of each event).
const char* const kResponsesStream[] = {
    R"({"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-x","output":[],"usage":null}})",
    R"({"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-x","output":[],"usage":null}})",
    R"({"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"\"usage\":{\"total_tokens\":999}"})",
    R"({"type":"response.completed","sequence_number":3,"response":{"id":"resp_1","object":"response","status":"completed","model":"gpt-x","output":[{"type":"message","content":[{"type":"output_text","text":"hi"}]}],"usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":0},"output_tokens":4,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":13},"user":null,"metadata":{}}})",
};

const char* const kMessage =
    R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":6,"server_tool_use":{"web_search_requests":0},"service_tier":"standard"}})";
const char* const kResponse =
    R"({"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-x","output":[{"type":"message","content":[{"type":"output_text","text":"hi"}]}],"usage":{"input_tokens":7,"input_tokens_details":{"cached_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":10},"user":null,"metadata":{}})";
const char* const kCompletion =
    R"({"id":"c1","object":"chat.completion","model":"gpt-c","choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}})";

}  // namespace

TEST_SUITE("response_observer: Anthropic Messages and OpenAI Responses") {
  TEST_CASE("a Messages body: input_tokens and output_tokens, the total their sum") {
    ResponseObserver o{AnswerShape::anthropic_messages};
    o.observe_body(kMessage);
    check_usage(o, {12, 6, 18});
    CHECK(o.model().empty());  // the route knows its model
    // Usage not last (read through the whole document).
    ResponseObserver first{AnswerShape::anthropic_messages};
    first.observe_body(R"({"usage":{"input_tokens":2,"output_tokens":3},"type":"message","content":[]})");
    check_usage(first, {2, 3, 5});
  }

  TEST_CASE("a Messages stream: message_start's input, the last message_delta's output") {
    ResponseObserver o{AnswerShape::anthropic_messages};
    o.observe_chunk(kMessagesStream[0]);
    check_usage(o, {25, 1, 26});
    for (std::size_t i = 1; i < std::size(kMessagesStream); ++i) o.observe_chunk(kMessagesStream[i]);
    check_usage(o, {25, 15, 40});  // output_tokens is cumulative: the last one wins, never added up
  }

  TEST_CASE("a message_delta that also carries input_tokens updates it") {
    ResponseObserver o{AnswerShape::anthropic_messages};
    o.observe_chunk(kMessagesStream[0]);
    o.observe_chunk(R"({"type":"message_delta","delta":{},"usage":{"input_tokens":30,"output_tokens":5}})");
    check_usage(o, {30, 5, 35});
  }

  TEST_CASE("a Responses body: input, output and total tokens") {
    ResponseObserver o{AnswerShape::openai_responses};
    o.observe_body(kResponse);
    check_usage(o, {7, 3, 10});
  }

  TEST_CASE("a Responses stream: response.completed's response.usage") {
    ResponseObserver o{AnswerShape::openai_responses};
    for (std::size_t i = 0; i + 1 < std::size(kResponsesStream); ++i) o.observe_chunk(kResponsesStream[i]);
    CHECK_FALSE(o.usage().present);  // usage null until the end; a delta's text is not usage
    o.observe_chunk(kResponsesStream[3]);
    check_usage(o, {9, 4, 13});
  }

  TEST_CASE("each route reads its own shape only") {
    ResponseObserver messages{AnswerShape::anthropic_messages};
    messages.observe_chunk(kResponsesStream[3]);  // response.usage is not where a message keeps it
    CHECK_FALSE(messages.usage().present);
    ResponseObserver responses{AnswerShape::openai_responses};
    responses.observe_chunk(kMessagesStream[0]);
    CHECK_FALSE(responses.usage().present);
    ResponseObserver none{AnswerShape::none};
    none.observe_body(kMessage);
    none.observe_chunk(kCompletion);
    CHECK_FALSE(none.usage().present);
  }

  TEST_CASE("any (proxy): each known shape by its object or type, with the answer's model") {
    struct Case {
      std::vector<const char*> chunks;
      bool body;
      Counted want;
      const char* model;
    };
    const Case cases[] = {
        {{kCompletion}, true, {4, 2, 6}, "gpt-c"},
        {{kMessage}, true, {12, 6, 18}, "claude-x"},
        {{kResponse}, true, {7, 3, 10}, "gpt-x"},
        {{std::begin(kMessagesStream), std::end(kMessagesStream)}, false, {25, 15, 40}, "claude-x"},
        {{std::begin(kResponsesStream), std::end(kResponsesStream)}, false, {9, 4, 13}, "gpt-x"},
        {{R"({"id":"c","object":"chat.completion.chunk","model":"gpt-c","choices":[],"usage":null})",
          R"({"id":"c","object":"chat.completion.chunk","model":"gpt-c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}})"},
         false,
         {3, 5, 8},
         "gpt-c"},
    };
    for (const auto& c : cases) {
      ResponseObserver o{AnswerShape::any};
      for (const char* chunk : c.chunks) {
        CAPTURE(chunk);
        if (c.body)
          o.observe_body(chunk);
        else
          o.observe_chunk(chunk);
      }
      check_usage(o, c.want);
      CHECK(o.model() == c.model);
    }
  }

  TEST_CASE("any (proxy): answers of other shapes are not counted") {
    const char* const others[] = {
        // An embedding list, an audio transcription, an error: usage of another kind, or none.
        R"({"object":"list","data":[{"object":"embedding","embedding":[0.1]}],"model":"e","usage":{"prompt_tokens":8,"total_tokens":8}})",
        R"({"text":"hi","usage":{"type":"tokens","input_tokens":5,"output_tokens":2,"total_tokens":7}})",
        R"({"type":"error","error":{"type":"overloaded_error","message":"usage"}})",
        R"({"usage":{"prompt_tokens":1,"completion_tokens":1}})",
    };
    for (const char* body : others) {
      CAPTURE(body);
      ResponseObserver o{AnswerShape::any};
      o.observe_body(body);
      o.observe_chunk(body);
      CHECK_FALSE(o.usage().present);
      CHECK(o.model().empty());
    }
  }

  TEST_CASE("usage spelled inside a string is never counted") {
    const char* const bodies[] = {
        R"({"type":"message","content":[{"type":"text","text":"\"usage\":{\"input_tokens\":5,\"output_tokens\":5}"}]})",
        R"({"object":"response","output":[],"text":"\"usage\": {\"total_tokens\": 9}"})",
        R"({"type":"message_delta","delta":{"stop_reason":"\"usage\":{\"output_tokens\":3}"}})",
    };
    for (auto shape : {AnswerShape::anthropic_messages, AnswerShape::openai_responses, AnswerShape::any}) {
      for (const char* body : bodies) {
        CAPTURE(body);
        ResponseObserver o{shape};
        o.observe_body(body);
        o.observe_chunk(body);
        CHECK_FALSE(o.usage().present);
      }
    }
  }

  TEST_CASE("malformed JSON: no crash, nothing counted") {
    const std::string message = kMessage;
    const std::string response = kResponse;
    const std::string start = kMessagesStream[0];
    const std::string completed = kResponsesStream[3];
    const std::string bodies[] = {
        "",
        "not json",
        "{",
        "}",
        R"({"type":"message_delta","usage":{"output_tokens":5})",  // the closing brace missing
        R"({"type":"message_delta","usage":{"output_tokens":5,}})",
        R"({"type":"message_delta","usage":{"output_tokens":5 "x":1}})",
        R"({"type":"message_delta","usage":{"output_tokens":})",
        R"({"type":"message_start","message":{"usage":{"input_tokens":5}})",
        R"([{"type":"message_delta","usage":{"output_tokens":5}}])",
        message.substr(0, message.size() - 1),
        message.substr(0, message.size() - 3),
        response.substr(0, response.size() - 1),
        start.substr(0, start.size() - 2),
        completed.substr(0, completed.size() - 1),
        completed.substr(0, completed.rfind("\"user\"")),
    };
    for (auto shape : {AnswerShape::anthropic_messages, AnswerShape::openai_responses, AnswerShape::any}) {
      for (const auto& body : bodies) {
        CAPTURE(body);
        ResponseObserver o{shape};
        o.observe_body(body);
        o.observe_chunk(body);
        CHECK_FALSE(o.usage().present);
      }
    }
  }

  TEST_CASE("counts of the wrong type are left out; a usage object without counts still says usage came") {
    ResponseObserver o{AnswerShape::anthropic_messages};
    o.observe_body(R"({"type":"message","usage":{"input_tokens":"12","output_tokens":3}})");
    check_usage(o, {0, 3, 3});
    ResponseObserver empty{AnswerShape::openai_responses};
    empty.observe_body(R"({"object":"response","usage":{},"metadata":{}})");
    check_usage(empty, {0, 0, 0});
  }
}
