// A dead collector never slows or fails requests: with OTEL_EXPORTER_OTLP_ENDPOINT at a closed port, 1,000
// chats all succeed and their p99 latency stays within 10% of the same gateway set-up with tracing off,
// measured in this process with the two gateways' requests interleaved one by one (so a disturbance of the
// machine lands on both alike); every span is counted in igw_spans_dropped_total, the
// failed exports in igw_trace_exports_total, and the loss is logged at warn once (not once per export).
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { startGateway, startMock, waitFor } from "./lib.mjs";

const REQUESTS = 1000;  // per gateway
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

// `n` chats, CONCURRENCY at a time, the i-th to targets[i % targets.length]; returns each one's target,
// latency in ms and status.
async function burst(targets, n) {
  const results = [];
  let next = 0;
  async function lane() {
    while (next < n) {
      const gw = targets[next % targets.length];
      next++;
      const t0 = performance.now();
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST", headers: { "content-type": "application/json" }, body: BODY,
        signal: AbortSignal.timeout(10000),
      });
      await res.arrayBuffer();
      results.push({ gw, ms: performance.now() - t0, status: res.status });
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
  const warm = await burst([off, on], 2 * WARMUP);
  assert.ok(warm.every((x) => x.status === 200), "warm-up: every request succeeded");
  const runs = await burst([off, on], 2 * REQUESTS);
  const offRuns = runs.filter((x) => x.gw === off), onRuns = runs.filter((x) => x.gw === on);
  assert.ok(offRuns.every((x) => x.status === 200), "tracing off: every request succeeded");
  assert.ok(onRuns.every((x) => x.status === 200), "dead collector: every request succeeded");
  assert.equal(onRuns.length, REQUESTS);
  const offMs = offRuns.map((x) => x.ms), onMs = onRuns.map((x) => x.ms);
  const onRequests = WARMUP + REQUESTS;
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
