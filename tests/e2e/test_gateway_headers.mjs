// `igw serve` headers (SPEC 1.1): the upstream sees the provider key, never the caller's Authorization;
// X-Request-Id is echoed when sane and generated (UUIDv4) otherwise.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fetchJson, mockRequests, startGateway, startMock } from "./lib.mjs";

let mock, gw;
before(async () => {
  mock = await startMock();
  gw = await startGateway({ OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-secret" });
});
after(async () => {
  await gw?.stop();
  await mock?.stop();
});

const chat = (headers) => fetchJson(`${gw.url}/v1/chat/completions`, {
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "hi" }] }),
});

test("upstream gets the provider key, not the caller's Authorization", async () => {
  const r = await chat({ authorization: "Bearer caller-secret-token" });
  assert.equal(r.status, 200, r.text);
  const seen = (await mockRequests(mock)).at(-1);
  assert.equal(seen.headers.authorization, "Bearer sk-provider-secret");
  assert.ok(!JSON.stringify(seen).includes("caller-secret-token"), "caller token nowhere in the upstream request");
});

test("models fan-out also carries only the provider key", async () => {
  const r = await fetchJson(`${gw.url}/v1/models`, { headers: { authorization: "Bearer caller-secret-token" } });
  assert.equal(r.status, 200, r.text);
  const seen = (await mockRequests(mock)).filter((q) => q.path.endsWith("/models")).at(-1);
  assert.equal(seen.headers.authorization, "Bearer sk-provider-secret");
});

test("X-Request-Id is echoed", async () => {
  const r = await chat({ "x-request-id": "test-req-0001" });
  assert.equal(r.headers.get("x-request-id"), "test-req-0001");
});

test("X-Request-Id is generated as a UUIDv4 when absent", async () => {
  const a = (await chat({})).headers.get("x-request-id");
  const b = (await chat({})).headers.get("x-request-id");
  const uuid4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(a ?? "", uuid4);
  assert.match(b ?? "", uuid4);
  assert.notEqual(a, b);
  const health = await fetchJson(`${gw.url}/health`);
  assert.deepEqual(health.body, { message: "OK" });
});
