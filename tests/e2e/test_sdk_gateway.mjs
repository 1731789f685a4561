// The official OpenAI SDK pointed at `igw serve`, with `igw mock` upstream (SPEC 1.1, issue 3 acceptance):
// prefixed model ids, chat JSON and streaming (last chunk carries usage), tool calls intact, upstream 429
// reaching the SDK as 429.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { mockContent, mockRequests, startGateway, startMock } from "./lib.mjs";

let mock, limited, gw, client;
before(async () => {
  mock = await startMock(["--tokens", "5"]);
  limited = await startMock(["--error-rate", "1", "--error-status", "429"]);
  gw = await startGateway({
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai",
    GROQ_API_URL: limited.url, GROQ_API_KEY: "gsk-provider-groq",
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller-token", maxRetries: 0, timeout: 10000 });
});
after(async () => {
  await gw?.stop();
  await mock?.stop();
  await limited?.stop();
});

const weather = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

test("models.list returns provider-prefixed ids", async () => {
  const models = [];
  for await (const m of client.models.list()) models.push(m);
  const openai = models.filter((m) => m.id.startsWith("openai/")).map((m) => m.id);
  assert.deepEqual(openai, ["openai/mock-gpt-4o", "openai/mock-gpt-4o-mini", "openai/mock-claude-sonnet"]);
  assert.ok(models.every((m) => /^[a-z_]+\//.test(m.id)), `every id is prefixed: ${models.map((m) => m.id)}`);
  assert.ok(models.filter((m) => m.id.startsWith("openai/")).every((m) => m.served_by === "openai"));
});

test("chat.completions.create without streaming", async () => {
  const r = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "through the gateway" }],
  });
  assert.equal(r.choices[0].message.content, mockContent("through the gateway", 5));
  assert.equal(r.usage.completion_tokens, 5);
  const sent = JSON.parse((await mockRequests(mock)).at(-1).body);
  assert.equal(sent.model, "mock-gpt-4o", "the provider prefix is stripped upstream");
});

test("chat.completions.create streaming: chunks in order, the last one carries usage", async () => {
  const stream = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", stream: true, messages: [{ role: "user", content: "stream via igw" }],
  });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
  assert.equal(text, mockContent("stream via igw", 5));
  const last = chunks.at(-1);
  assert.ok(last.usage, `the last chunk carries usage (gateway forces include_usage): ${JSON.stringify(last)}`);
  assert.deepEqual(last.usage, { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
});

test("a tool-call response comes through intact (JSON and streamed)", async () => {
  const r = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", tools: [weather], messages: [{ role: "user", content: "call get_weather" }],
  });
  assert.equal(r.choices[0].finish_reason, "tool_calls");
  assert.equal(r.choices[0].message.tool_calls[0].function.name, "get_weather");
  assert.deepEqual(JSON.parse(r.choices[0].message.tool_calls[0].function.arguments), { city: "mock" });
  const stream = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", tools: [weather], stream: true,
    messages: [{ role: "user", content: "call get_weather" }],
  });
  let args = "", name = "", finish = null;
  for await (const c of stream) {
    for (const d of c.choices[0]?.delta?.tool_calls ?? []) {
      name += d.function?.name ?? "";
      args += d.function?.arguments ?? "";
    }
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(name, "get_weather");
  assert.deepEqual(JSON.parse(args), { city: "mock" });
  assert.equal(finish, "tool_calls");
});

test("an upstream 429 reaches the SDK as a 429", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "groq/mock-gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    (e) => {
      assert.equal(e.status, 429, `status seen by the SDK: ${e.status} ${e.message}`);
      return e instanceof OpenAI.RateLimitError;
    });
});
