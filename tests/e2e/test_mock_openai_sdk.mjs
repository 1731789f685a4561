// `igw mock` talked to directly by the official OpenAI SDK: models, chat (JSON and stream with usage), tool
// calls (whole and streamed by index), forced error statuses, and what /mock/requests records.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { mockContent, mockRequests, startMock } from "./lib.mjs";

let mock;
let client;
before(async () => {
  mock = await startMock(["--tokens", "6"]);
  client = new OpenAI({ baseURL: mock.url, apiKey: "sk-mock-test", maxRetries: 0, timeout: 10000 });
});
after(async () => {
  const e = await mock?.stop();
  assert.equal(e?.code, 0, "mock exits 0 on SIGTERM");
});

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } } },
  },
};

test("models.list returns the mock's deterministic ids", async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ["mock-gpt-4o", "mock-gpt-4o-mini", "mock-claude-sonnet"]);
});

test("non-streaming chat answers the prompt's words with usage", async () => {
  const r = await client.chat.completions.create({
    model: "mock-gpt-4o",
    messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello big world" }],
  });
  assert.equal(r.object, "chat.completion");
  assert.equal(r.choices[0].message.content, mockContent("hello big world", 6));
  assert.equal(r.choices[0].finish_reason, "stop");
  assert.deepEqual(r.usage, { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 });
});

test("max_tokens caps the answer with finish_reason length", async () => {
  const r = await client.chat.completions.create({
    model: "mock-gpt-4o-mini", max_tokens: 2, messages: [{ role: "user", content: "one two three" }],
  });
  assert.equal(r.choices[0].message.content, "one two");
  assert.equal(r.choices[0].finish_reason, "length");
});

test("streaming chat: chunks join to the content, the last chunk carries usage", async () => {
  const stream = await client.chat.completions.create({
    model: "mock-gpt-4o", stream: true, stream_options: { include_usage: true },
    messages: [{ role: "user", content: "stream me please" }],
  });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
  assert.equal(text, mockContent("stream me please", 6));
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, { prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 });
  assert.equal(chunks.at(-2).choices[0].finish_reason, "stop");
  assert.ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id));
});

test("streaming without include_usage has no usage chunk", async () => {
  const stream = await client.chat.completions.create({
    model: "mock-gpt-4o", stream: true, messages: [{ role: "user", content: "x" }],
  });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  assert.ok(chunks.every((c) => c.choices.length === 1 && !c.usage));
});

test("a tool call when tools are offered and the prompt asks for one", async () => {
  const r = await client.chat.completions.create({
    model: "mock-gpt-4o", tools: [weather],
    messages: [{ role: "user", content: "Please call get_weather for Paris" }],
  });
  const choice = r.choices[0];
  assert.equal(choice.finish_reason, "tool_calls");
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.equal(call.type, "function");
  assert.equal(call.function.name, "get_weather");
  assert.deepEqual(JSON.parse(call.function.arguments), { city: "mock", days: 1 });
  assert.match(call.id, /^call_/);
});

test("no tool call when the prompt does not ask", async () => {
  const r = await client.chat.completions.create({
    model: "mock-gpt-4o", tools: [weather], messages: [{ role: "user", content: "just chat" }],
  });
  assert.equal(r.choices[0].finish_reason, "stop");
  assert.equal(r.choices[0].message.tool_calls, undefined);
});

test("streamed tool call deltas accumulate by index", async () => {
  const stream = await client.chat.completions.create({
    model: "mock-gpt-4o", tools: [weather], stream: true,
    messages: [{ role: "user", content: "use the tool" }],
  });
  const calls = [];
  let finish = null;
  for await (const c of stream) {
    for (const d of c.choices[0]?.delta?.tool_calls ?? []) {
      calls[d.index] ??= { id: "", name: "", arguments: "" };
      if (d.id) calls[d.index].id = d.id;
      if (d.function?.name) calls[d.index].name = d.function.name;
      calls[d.index].arguments += d.function?.arguments ?? "";
    }
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(finish, "tool_calls");
  assert.equal(calls.length, 1);
  assert.equal(calls[0].name, "get_weather");
  assert.deepEqual(JSON.parse(calls[0].arguments), { city: "mock", days: 1 });
});

test("x-mock-status forces one error response the SDK reports with its status", async () => {
  await assert.rejects(
    client.chat.completions.create(
      { model: "mock-gpt-4o", messages: [{ role: "user", content: "hi" }] },
      { headers: { "x-mock-status": "429" } }),
    (e) => e instanceof OpenAI.RateLimitError && e.status === 429);
  const ok = await client.chat.completions.create({ model: "mock-gpt-4o", messages: [{ role: "user", content: "hi" }] });
  assert.equal(ok.choices[0].message.content, mockContent("hi", 6));
});

test("an unknown model is a 404 like OpenAI's", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "gpt-unknown", messages: [{ role: "user", content: "hi" }] }),
    (e) => e.status === 404 && /gpt-unknown/.test(e.message));
});

test("a stream cut by x-mock-fail-after-chunks is an error in the SDK", async () => {
  const stream = await client.chat.completions.create(
    { model: "mock-gpt-4o", stream: true, messages: [{ role: "user", content: "cut" }] },
    { headers: { "x-mock-fail-after-chunks": "2" } });
  let n = 0;
  await assert.rejects(async () => { for await (const _ of stream) n++; });
  assert.equal(n, 2);
});

test("/mock/requests records method, path, authorization and body", async () => {
  await client.chat.completions.create({ model: "mock-gpt-4o", messages: [{ role: "user", content: "record me" }] });
  const reqs = await mockRequests(mock);
  const last = reqs.at(-1);
  assert.equal(last.method, "POST");
  assert.equal(last.path, "/v1/chat/completions");
  assert.equal(last.headers.authorization, "Bearer sk-mock-test");
  assert.equal(JSON.parse(last.body).messages[0].content, "record me");
});
