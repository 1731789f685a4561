// `igw serve` under 500 concurrent streaming requests (issue 3 acceptance): every one completes with the
// content the mock derives from its own prompt, and [DONE].
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { mockContent, startGateway, startMock } from "./lib.mjs";

const N = 500;
const TOKENS = 8;
let mock, gw;
before(async () => {
  mock = await startMock(["--tokens", String(TOKENS), "--token-delay", "10ms"]);
  gw = await startGateway({ OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-c" });
});
after(async () => {
  await gw?.stop();
  await mock?.stop();
});

function stream(i, agent) {
  const prompt = `request number ${i}`;
  const body = JSON.stringify({ model: "openai/mock-gpt-4o", stream: true, messages: [{ role: "user", content: prompt }] });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: gw.port, path: "/v1/chat/completions", method: "POST", agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }, timeout: 60000 },
    (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d) => { text += d; });
      res.on("end", () => resolve({ i, prompt, status: res.statusCode, text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`request ${i} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

test(`${N} concurrent streams all complete with correct content`, { timeout: 120000 }, async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: N });
  const results = await Promise.allSettled(Array.from({ length: N }, (_, i) => stream(i, agent)));
  agent.destroy();
  const failed = results.filter((r) => r.status === "rejected");
  assert.equal(failed.length, 0, `failed: ${failed.slice(0, 3).map((r) => r.reason?.message)}`);
  let bad = [];
  for (const { value: r } of results) {
    const content = r.text.split("\n").filter((l) => l.startsWith("data: {"))
      .map((l) => JSON.parse(l.slice(6))).map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
    if (r.status !== 200 || content !== mockContent(r.prompt, TOKENS) || !r.text.includes("data: [DONE]"))
      bad.push(`#${r.i}: status ${r.status}, content ${JSON.stringify(content)}`);
  }
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${N} streams wrong`);
});
