// A dead collector never slows or fails requests: with OTEL_EXPORTER_OTLP_ENDPOINT at a closed port, 1,000
// chats all succeed and their p99 latency stays within 10% of the same gateway set-up with tracing off,
// measured in this process in alternating rounds; every span is counted in igw_spans_dropped_total, the
// failed exports in igw_trace_exports_total, and the loss is logged at warn once (not once per export).
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { startGateway, startMock, waitFor } from "./lib.mjs";

const ROUNDS = 10;
const PER_ROUND = 100;
const CONCURRENCY = 8;
const WARMUP = 100;

let mock, off, on;
before(async () => {
  mock = await startMock(["--tokens", "8", "--record", "0"]);
  const closedPort = await new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
  const common = {
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai",
    TELEMETRY_ENABLE: "true", TELEMETRY_METRICS_PORT: "0", SERVER_WORKERS: "1",
  };
  off = await startGateway(common);
  on = await startGateway({
    ...common,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_BSP_SCHEDULE_DELAY: "100",
    OTEL_BSP_EXPORT_TIMEOUT: "1000",
  });
});
after(async () => {
  await on?.stop();
  await off?.stop();
  await mock?.stop();
});

const BODY = JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "latency check" }] });

// `n` chats against `gw`, CONCURRENCY at a time; returns each one's latency in ms and its status.
async function burst(gw, n) {
  const results = [];
  let next = 0;
  async function lane() {
    while (next < n) {
      next++;
      const t0 = performance.now();
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST", headers: { "content-type": "application/json" }, body: BODY,
        signal: AbortSignal.timeout(10000),
      });
      await res.arrayBuffer();
      results.push({ ms: performance.now() - t0, status: res.status });
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return results;
}

const p99 = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)];
};

async function metric(gw, name) {
  const res = await fetch(`http://127.0.0.1:${gw.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  const out = {};
  for (const line of text.split("\n")) {
    const m = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);

test("1,000 requests with a dead collector: all succeed, p99 within 10% of tracing off, spans counted", async () => {
  await burst(off, WARMUP);
  await burst(on, WARMUP);
  const offMs = [], onMs = [];
  let onRequests = WARMUP;
  for (let r = 0; r < ROUNDS; r++) {
    // Alternating, so drift of the machine's load lands on both sides alike.
    const a = await burst(off, PER_ROUND);
    const b = await burst(on, PER_ROUND);
    for (const x of a) offMs.push(x.ms);
    for (const x of b) onMs.push(x.ms);
    assert.ok(a.every((x) => x.status === 200), "tracing off: every request succeeded");
    assert.ok(b.every((x) => x.status === 200), "dead collector: every request succeeded");
    onRequests += b.length;
  }
  assert.equal(onMs.length, ROUNDS * PER_ROUND);
  const pOff = p99(offMs), pOn = p99(onMs);
  console.log(`# p99 tracing off ${pOff.toFixed(3)} ms, dead collector ${pOn.toFixed(3)} ms, ratio ${(pOn / pOff).toFixed(3)}`);
  assert.ok(pOn <= pOff * 1.10, `p99 with a dead collector ${pOn.toFixed(3)} ms > 110% of ${pOff.toFixed(3)} ms`);

  // Two spans per chat (server and client), each dropped: the exports failed or the queue was full.
  const want = 2 * onRequests;
  let dropped = {};
  await waitFor(async () => {
    dropped = await metric(on, "igw_spans_dropped_total");
    return sum(dropped) >= want;
  }, { timeout: 15000, what: () => `${want} dropped spans; have ${JSON.stringify(dropped)}` });
  assert.equal(sum(dropped), want, JSON.stringify(dropped));
  for (const labels of Object.keys(dropped)) assert.match(labels, /^reason="(export_failed|queue_full)"$/);
  const exports = await metric(on, "igw_trace_exports_total");
  assert.ok((exports['outcome="failure"'] ?? 0) > 0, JSON.stringify(exports));
  assert.equal(exports['outcome="success"'] ?? 0, 0);
  assert.equal(sum(await metric(off, "igw_spans_dropped_total")), 0, "tracing off drops nothing");

  // One warn line for the loss so far (the next one would come a minute later), naming the collector.
  const warns = on.lines.map((l) => l.json).filter((j) => j && j.message === "trace spans dropped");
  assert.equal(warns.length, 1, on.output());
  assert.equal(warns[0].level, "warn");
  assert.match(warns[0].error, /Connection refused|Could not establish connection|connect/i);
});
