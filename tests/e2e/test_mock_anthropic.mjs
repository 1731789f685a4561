// `igw mock` /v1/messages in the Anthropic shapes: JSON, the SSE event sequence, tool_use blocks, errors.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fetchJson, mockContent, startMock } from "./lib.mjs";

let mock;
before(async () => { mock = await startMock(["--tokens", "4"]); });
after(async () => { await mock?.stop(); });

const post = (body, headers = {}) => fetch(`${mock.url}/messages`, {
  method: "POST", signal: AbortSignal.timeout(10000),
  headers: { "content-type": "application/json", "x-api-key": "ak-test", "anthropic-version": "2023-06-01", ...headers },
  body: JSON.stringify(body),
});

function parseSse(text) {
  return text.split("\n\n").filter(Boolean).map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = JSON.parse(/^data: (.*)$/m.exec(block)[1]);
    return { event, data };
  });
}

test("JSON message with text content and usage", async () => {
  const r = await post({ model: "mock-claude-sonnet", max_tokens: 100, system: "sys prompt",
    messages: [{ role: "user", content: [{ type: "text", text: "hi there" }] }] });
  assert.equal(r.status, 200);
  const m = await r.json();
  assert.equal(m.type, "message");
  assert.equal(m.role, "assistant");
  assert.deepEqual(m.content, [{ type: "text", text: mockContent("hi there", 4) }]);
  assert.equal(m.stop_reason, "end_turn");
  assert.deepEqual(m.usage, { input_tokens: 4, output_tokens: 4 });
});

test("SSE event sequence", async () => {
  const r = await post({ model: "mock-claude-sonnet", max_tokens: 100, stream: true,
    messages: [{ role: "user", content: "a b" }] });
  assert.equal(r.headers.get("content-type"), "text/event-stream");
  const events = parseSse(await r.text());
  const types = events.map((e) => e.event);
  assert.deepEqual(types, ["message_start", "content_block_start", "ping", "content_block_delta",
    "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
    "message_stop"]);
  assert.ok(events.every((e) => e.data.type === e.event));
  const text = events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta.text).join("");
  assert.equal(text, mockContent("a b", 4));
  assert.equal(events.at(-2).data.usage.output_tokens, 4);
});

test("tool_use when tools are offered and the prompt asks", async () => {
  const tools = [{ name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } } }];
  const r = await post({ model: "mock-claude-sonnet", max_tokens: 100, tools,
    messages: [{ role: "user", content: "please call lookup" }] });
  const m = await r.json();
  assert.equal(m.stop_reason, "tool_use");
  assert.equal(m.content[0].type, "tool_use");
  assert.equal(m.content[0].name, "lookup");
  assert.deepEqual(m.content[0].input, { q: "mock" });
  const s = await post({ model: "mock-claude-sonnet", max_tokens: 100, tools, stream: true,
    messages: [{ role: "user", content: "please call lookup" }] });
  const events = parseSse(await s.text());
  assert.equal(events[1].data.content_block.type, "tool_use");
  const json = events.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json).join("");
  assert.deepEqual(JSON.parse(json), { q: "mock" });
});

test("errors in the Anthropic shape", async () => {
  const r = await post({ model: "mock-claude-sonnet", max_tokens: 10, messages: [] }, { "x-mock-status": "529" });
  assert.equal(r.status, 529);
  assert.deepEqual(Object.keys(await r.json()), ["type", "error"]);
  const bad = await fetchJson(`${mock.url}/messages`, { method: "POST", body: "{not json" });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.type, "error");
  assert.equal(bad.body.error.type, "invalid_request_error");
});
