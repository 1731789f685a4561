// `igw serve` streaming edge cases (SPEC 1.1): a client that closes mid-stream cancels the upstream at once
// (the mock sees its connection closed within 100 ms); an upstream that dies mid-stream reaches the client
// as an in-stream error event, never as [DONE].
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { mockStats, startGateway, startMock, waitFor } from "./lib.mjs";

let slow, dying, gw;
before(async () => {
  slow = await startMock(["--tokens", "1000", "--token-delay", "50ms"]);
  dying = await startMock(["--tokens", "20", "--token-delay", "5ms", "--fail-after-chunks", "4"]);
  gw = await startGateway({
    OPENAI_API_URL: slow.url, OPENAI_API_KEY: "sk-a",
    GROQ_API_URL: dying.url, GROQ_API_KEY: "sk-b",
  });
});
after(async () => {
  await gw?.stop();
  await slow?.stop();
  await dying?.stop();
});

// A raw HTTP/1.1 streaming request; resolves the socket and a getter of everything received.
function rawStream(port, model) {
  const s = net.connect({ port, host: "127.0.0.1" });
  const body = JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "long story" }] });
  s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  let got = "";
  s.setEncoding("utf8").on("data", (d) => { got += d; });
  const closed = new Promise((r) => s.on("close", r));
  return { socket: s, text: () => got, closed };
}

test("client closing mid-stream: the upstream connection is closed within 100 ms", async () => {
  const c = rawStream(gw.port, "openai/mock-gpt-4o");
  await waitFor(() => (c.text().match(/data: /g) ?? []).length >= 2, { what: "two events through the gateway" });
  assert.equal((await mockStats(slow)).open_streams, 1);
  const closedAt = Date.now();
  c.socket.destroy();
  const stats = await waitFor(async () => {
    const st = await mockStats(slow);
    return st.cancelled_streams >= 1 && st;
  }, { timeout: 3000, what: "the mock to see the upstream stream cancelled (gateway must cancel on client close)" });
  const lag = stats.cancellations[0].unix_ms - closedAt;
  assert.ok(lag <= 100, `upstream closed ${lag.toFixed(1)} ms after the client left (limit 100 ms)`);
  assert.equal(stats.open_streams, 0);
});

test("upstream dying mid-stream: the client gets an error event, not [DONE]", async () => {
  const c = rawStream(gw.port, "groq/mock-gpt-4o");
  await Promise.race([c.closed, waitFor(() => /data: \{"error"/.test(c.text()), { timeout: 10000, what: "error event" })]);
  await waitFor(() => /data: \{"error"/.test(c.text()) || c.socket.destroyed, { timeout: 10000, what: "end" });
  const text = c.text();
  assert.match(text, /^HTTP\/1\.1 200/);
  assert.ok(!text.includes("[DONE]"), "no clean [DONE] after the upstream died");
  const m = /data: (\{"error".*)\n/.exec(text);
  assert.ok(m, `an in-stream error event: ${text.slice(-400)}`);
  const event = JSON.parse(m[1]);
  assert.equal(typeof event.error.message, "string");
  assert.equal((text.match(/data: \{"id"/g) ?? []).length, 4, "the 4 events before the failure were relayed");
  c.socket.destroy();
  assert.equal((await mockStats(dying)).failed_streams, 1);
});
