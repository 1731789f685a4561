// `igw mock` fault injection and /mock/stats: a client that leaves mid-stream is noticed at once (with a
// timestamp), --fail-after-chunks drops streams, --error-rate answers with --error-status.
import assert from "node:assert/strict";
import net from "node:net";
import { after, test } from "node:test";
import { fetchJson, mockStats, startMock, waitFor } from "./lib.mjs";

const mocks = [];
after(async () => { for (const m of mocks) await m.stop(); });
const start = async (flags) => { const m = await startMock(flags); mocks.push(m); return m; };

function openStream(port, body) {
  const s = net.connect({ port, host: "127.0.0.1" });
  const payload = JSON.stringify(body);
  s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
  return s;
}

test("a client closing mid-stream is counted as cancelled within 100 ms", async () => {
  const mock = await start(["--tokens", "500", "--token-delay", "50ms"]);
  const s = openStream(mock.port, { model: "mock-gpt-4o", stream: true, messages: [{ role: "user", content: "x" }] });
  let got = "";
  s.on("data", (d) => { got += d; });
  await waitFor(() => got.includes("data: "), { what: "first event" });
  assert.equal((await mockStats(mock)).open_streams, 1);
  const closedAt = Date.now();
  s.destroy();
  const stats = await waitFor(async () => {
    const st = await mockStats(mock);
    return st.cancelled_streams === 1 && st;
  }, { timeout: 3000, what: "the mock to count the cancellation" });
  const lag = stats.cancellations[0].unix_ms - closedAt;
  assert.ok(lag < 100, `mock noticed the close after ${lag} ms`);
  assert.equal(stats.open_streams, 0);
  assert.equal(stats.cancellations[0].path, "/v1/chat/completions");
});

test("--fail-after-chunks drops the connection without the last chunk", async () => {
  const mock = await start(["--fail-after-chunks", "3"]);
  const s = openStream(mock.port, { model: "mock-gpt-4o", stream: true, messages: [{ role: "user", content: "y" }] });
  let got = "";
  s.on("data", (d) => { got += d; });
  await new Promise((r) => s.on("close", r));
  assert.equal(got.match(/data: /g).length, 3);
  assert.ok(!got.includes("[DONE]"));
  assert.equal((await mockStats(mock)).failed_streams, 1);
});

test("--error-rate 1 answers every chat with --error-status; models still answer", async () => {
  const mock = await start(["--error-rate", "1", "--error-status", "503"]);
  const r = await fetchJson(`${mock.url}/chat/completions`, {
    method: "POST", body: JSON.stringify({ model: "mock-gpt-4o", messages: [] }) });
  assert.equal(r.status, 503);
  assert.equal(r.body.error.type, "server_error");
  assert.equal((await fetchJson(`${mock.url}/models`)).status, 200);
  assert.equal((await mockStats(mock)).errors_injected, 1);
});

test("--latency delays the answer; unknown routes are 404", async () => {
  const mock = await start(["--latency", "200ms"]);
  const t0 = Date.now();
  const r = await fetchJson(`${mock.url}/chat/completions`, {
    method: "POST", body: JSON.stringify({ model: "mock-gpt-4o", messages: [{ role: "user", content: "z" }] }) });
  assert.equal(r.status, 200);
  assert.ok(Date.now() - t0 >= 190, `answered after ${Date.now() - t0} ms`);
  assert.equal((await fetchJson(`${mock.origin}/nope`)).status, 404);
});
