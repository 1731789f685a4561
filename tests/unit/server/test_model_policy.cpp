#include <doctest/doctest.h>

#include "server/model_policy.hpp"

using namespace igw::server;

TEST_SUITE("model_policy") {
  TEST_CASE("allow list: only its models, full or unprefixed, case-insensitive; allow wins over deny") {
    ModelPolicy p{{"groq/Llama-3", "GPT-4o"}, {"gpt-4o"}};
    CHECK(p.allows("groq", "llama-3"));
    CHECK(p.allows("openai", "gpt-4o"));
    CHECK(p.allows("groq", "gpt-4o"));
    CHECK_FALSE(p.allows("openai", "llama-3"));
    CHECK_FALSE(p.allows("groq", "other"));
  }

  TEST_CASE("deny list alone refuses its models, full or unprefixed") {
    ModelPolicy p{{}, {"openai/gpt-4o", "o1"}};
    CHECK_FALSE(p.allows("openai", "GPT-4o"));
    CHECK(p.allows("groq", "gpt-4o"));
    CHECK_FALSE(p.allows("groq", "o1"));
    CHECK(p.allows("openai", "gpt-4o-mini"));
    CHECK(ModelPolicy{}.allows("any", "thing"));
  }
}
