// `igw serve` graceful shutdown (SPEC 1.1): SIGTERM while 20 streams are open lets them finish with [DONE],
// refuses new connections meanwhile, and the process exits 0.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { portAnswers, startGateway, startMock, waitFor } from "./lib.mjs";

const N = 20;
let mock, gw;
before(async () => {
  mock = await startMock(["--tokens", "40", "--token-delay", "50ms"]);  // each stream lasts ~2 s
  gw = await startGateway({ OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-d", SERVER_DRAIN_TIMEOUT: "20s" });
});
after(async () => {
  await gw?.stop("SIGKILL");
  await mock?.stop();
});

function openStream(i) {
  const body = JSON.stringify({ model: "openai/mock-gpt-4o", stream: true, messages: [{ role: "user", content: `s${i}` }] });
  let firstByte;
  const started = new Promise((r) => { firstByte = r; });
  const done = new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: gw.port, path: "/v1/chat/completions", method: "POST",
      agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
    (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d) => { text += d; firstByte(); });
      res.on("end", () => resolve({ status: res.statusCode, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
  return { started, done };
}

test(`SIGTERM during ${N} open streams: they finish, new connections are refused, exit 0`, { timeout: 60000 }, async () => {
  const streams = Array.from({ length: N }, (_, i) => openStream(i));
  await Promise.all(streams.map((s) => s.started));
  gw.proc.kill("SIGTERM");
  await waitFor(async () => !(await portAnswers(gw.port)), { timeout: 2000,
    what: "the gateway to stop accepting new connections after SIGTERM" });
  const results = await Promise.allSettled(streams.map((s) => s.done));
  const broken = results.filter((r) => r.status === "rejected" || !r.value.text.includes("data: [DONE]"));
  assert.equal(broken.length, 0, `${broken.length} of ${N} streams did not finish with [DONE]`);
  const exit = await Promise.race([gw.exited, new Promise((r) => setTimeout(() => r("timeout"), 25000).unref())]);
  assert.deepEqual(exit, { code: 0, signal: null }, "igw serve exits 0 after draining");
});
