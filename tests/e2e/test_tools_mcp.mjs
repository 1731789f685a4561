// Tool calls through a real MCP server (the official @modelcontextprotocol/sdk over Streamable HTTP): igw
// lists its tools, offers them to the model (`igw mock`, scripted to call one and then answer with its
// result), runs the calls, and loops until the model answers; non-streaming and streaming chats through the
// OpenAI SDK get answers quoting the tool's output. The MCP server sees the right arguments and never the
// caller's credentials; the metrics count successes and failures with tool_type="mcp" and their error_type,
// and time each call; the page's tool-failure query gives the expected ratio in a real Prometheus; client
// functions are still returned to the client (tool_type="function"); X-MCP-Bypass skips the tools; the loop
// stops at MCP_MAX_ITERATIONS; a tool span per call lies under the request's server span; an MCP server that
// comes up after igw is picked up.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, test } from "node:test";
import OpenAI from "openai";
import { startMcpServer } from "./mcp_server.mjs";
import { startOtlpReceiver } from "./otlp_receiver.mjs";
import { fetchJson, freePort, metricSample, mockRequests, sleep, startGateway, startMock, tempDir, waitFor } from "./lib.mjs";

const CALLER_KEY = "caller-secret-token-7f3e";
const running = [];
after(async () => {
  for (const r of running.reverse()) await r();
});


async function metricsText(gw) {
  const r = await fetch(`http://127.0.0.1:${gw.metricsPort}/metrics`);
  return r.text();
}


let shared;
async function setup() {
  if (shared) return shared;
  const mcp = await startMcpServer({});
  running.push(() => mcp.close());
  const receiver = await startOtlpReceiver({ protocol: "http/protobuf" });
  running.push(() => receiver.close());
  const mock = await startMock();
  running.push(() => mock.stop());
  const gw = await startGateway({
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai",
    TELEMETRY_ENABLE: "true", TELEMETRY_METRICS_PORT: "0",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_BSP_SCHEDULE_DELAY: "50",
    MCP_ENABLE: "true", MCP_SERVERS: mcp.url, MCP_EXPOSE: "true", MCP_MAX_ITERATIONS: "4",
    MCP_REQUEST_TIMEOUT: "1s",
  });
  running.push(() => gw.stop());
  await waitFor(async () => (await fetchJson(`${gw.url}/v1/mcp/tools`)).body.data?.length === 2,
    { timeout: 10000, what: "the MCP tools on /v1/mcp/tools" });
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CALLER_KEY, maxRetries: 0, timeout: 20000 });
  shared = { mcp, receiver, mock, gw, client };
  return shared;
}

const weatherArgs = { "x-mock-tool": "mcp_get_weather", "x-mock-tool-arguments": JSON.stringify({ city: "Paris" }) };

test("the catalog: both tools offered as mcp_<tool>, the server up, on /v1/mcp/tools and the gauge", async () => {
  const { gw, mcp } = await setup();
  const listing = (await fetchJson(`${gw.url}/v1/mcp/tools`)).body;
  assert.deepEqual(listing.data.map((t) => t.name).sort(), ["mcp_get_weather", "mcp_lookup_order"]);
  const weather = listing.data.find((t) => t.name === "mcp_get_weather");
  assert.equal(weather.remote_name, "get_weather");
  assert.equal(weather.type, "mcp");
  assert.equal(weather.server, mcp.url);
  assert.deepEqual(weather.input_schema.required, ["city"]);
  assert.equal(listing.servers.length, 1);
  assert.equal(listing.servers[0].state, "up");
  assert.equal(listing.servers[0].name, "igw-e2e-mcp");
  const text = await metricsText(gw);
  assert.equal(metricSample(text, "igw_tool_server_up", { tool_type: "mcp", server: mcp.url }), 1);
  const connected = await waitFor(() => gw.lines.map((l) => l.json).find((j) => j?.message === "MCP server connected"),
    { timeout: 5000, what: "the connected line" });
  assert.equal(connected?.logger, "mcp.client");
});

test("non-streaming: the model calls an MCP tool, igw runs it, the answer quotes its output", async () => {
  const { client, mcp, mock } = await setup();
  const before = mcp.calls.length;
  const { data, response } = await client.chat.completions.create({
    model: "openai/mock-gpt-4o",
    messages: [{ role: "user", content: "What is the weather in Paris?" }],
  }, { headers: weatherArgs }).withResponse();
  assert.equal(data.choices[0].finish_reason, "stop");
  assert.match(data.choices[0].message.content, /Sunny in Paris, 21 C/);
  assert.equal(data.choices[0].message.tool_calls, undefined);
  const calls = mcp.calls.slice(before);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].tool, "get_weather");
  assert.deepEqual(calls[0].arguments, { city: "Paris" });
  assert.equal(calls[0].headers.authorization, undefined, "the caller's credentials reached the MCP server");
  assert.ok(!JSON.stringify(calls[0].headers).includes(CALLER_KEY));
  assert.match(calls[0].headers.traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  // The second model call carried the assistant's call and the tool's result.
  const reqs = (await mockRequests(mock)).filter((r) => r.headers?.["x-request-id"] === response.headers.get("x-request-id"));
  assert.equal(reqs.length, 2);
  const messages = JSON.parse(reqs[1].body).messages;
  assert.equal(messages.at(-2).role, "assistant");
  assert.equal(messages.at(-2).tool_calls[0].function.name, "mcp_get_weather");
  assert.deepEqual(messages.at(-1), { role: "tool", tool_call_id: messages.at(-2).tool_calls[0].id, content: "Sunny in Paris, 21 C" });
  // The usage the client gets is the whole loop's.
  const first = JSON.parse(reqs[0].body);
  assert.ok(first.tools.some((t) => t.function.name === "mcp_lookup_order"));
  assert.ok(data.usage.total_tokens > data.usage.completion_tokens);
});

test("streaming: every round's content streamed, the tool's deltas held back, one [DONE]", async () => {
  const { client, gw, mcp } = await setup();
  const before = mcp.calls.length;
  const stream = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", stream: true, stream_options: { include_usage: true },
    messages: [{ role: "user", content: "What is the weather in Paris?" }],
  }, { headers: weatherArgs });
  let content = "";
  let usage = null;
  const finishes = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (choice?.delta?.content) content += choice.delta.content;
    assert.equal(choice?.delta?.tool_calls, undefined, "a tool-call delta of igw's own tool reached the client");
    if (choice?.finish_reason) finishes.push(choice.finish_reason);
    if (chunk.usage) usage = chunk.usage;
  }
  assert.match(content, /Sunny in Paris, 21 C/);
  assert.deepEqual(finishes, ["stop"]);
  assert.ok(usage && usage.total_tokens > 0);
  assert.equal(mcp.calls.length, before + 1);
  // On the wire: one [DONE], at the end.
  const raw = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST", headers: { "content-type": "application/json", ...weatherArgs },
    body: JSON.stringify({ model: "openai/mock-gpt-4o", stream: true, messages: [{ role: "user", content: "weather?" }] }),
  });
  const text = await raw.text();
  assert.equal(raw.status, 200);
  assert.equal(text.match(/data: \[DONE\]/g)?.length, 1);
  assert.ok(text.trimEnd().endsWith("data: [DONE]"));
  assert.ok(!text.includes("tool_calls"));
});

test("a failing tool becomes a tool message, not a request failure; metrics name the error type", async () => {
  const { client, gw, mcp } = await setup();
  const before = mcp.calls.length;
  const data = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "Where is my order?" }],
  }, { headers: { "x-mock-tool": "mcp_lookup_order", "x-mock-tool-arguments": JSON.stringify({ order_id: "A-17", fail: true }) } });
  assert.match(data.choices[0].message.content, /order A-17 not found/);
  assert.deepEqual(mcp.calls.slice(before).map((c) => [c.tool, c.arguments]), [["lookup_order", { order_id: "A-17", fail: true }]]);
  // And a streaming success of the same tool.
  const ok = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "Where is my order?" }],
  }, { headers: { "x-mock-tool": "mcp_lookup_order", "x-mock-tool-arguments": JSON.stringify({ order_id: "B-2" }) } });
  assert.match(ok.choices[0].message.content, /order B-2: shipped/);
  const text = await waitFor(async () => {
    const t = await metricsText(gw);
    return metricSample(t, "llm_tool_calls_failure_total", { tool_name: "mcp_lookup_order", error_type: "tool_error" }) === 1 ? t : null;
  }, { timeout: 5000, what: "the tool failure counted" });
  const labels = { provider: "openai", model: "mock-gpt-4o", tool_type: "mcp", tool_name: "mcp_lookup_order" };
  assert.equal(metricSample(text, "llm_tool_calls_total", labels), 2);
  assert.equal(metricSample(text, "llm_tool_calls_success_total", labels), 1);
  assert.equal(metricSample(text, "llm_tool_call_duration_count", labels), 2);
  assert.ok(metricSample(text, "llm_tool_call_duration_sum", labels) > 0);
  assert.ok(metricSample(text, "llm_tool_calls_success_total", { tool_type: "mcp", tool_name: "mcp_get_weather" }) >= 2);
  const failed = await waitFor(() => gw.lines.map((l) => l.json).find((j) => j?.message === "tool call failed"),
    { timeout: 5000, what: "the failed call's log line" });
  assert.equal(failed?.logger, "mcp.client");
  assert.equal(failed?.error_type, "tool_error");
  assert.ok(failed?.request_id);
});

test("a server that hangs or fails: error_type timeout / http_status, the request still answered", async () => {
  const { client, gw, mcp } = await setup();
  const ask = () => client.chat.completions.create({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "w" }] },
    { headers: weatherArgs });
  mcp.setMode("hang");
  const t0 = Date.now();
  const hung = await ask();
  assert.ok(Date.now() - t0 < 4000, "MCP_REQUEST_TIMEOUT=1s was not applied");
  assert.match(hung.choices[0].message.content, /error: tools\/call|timed out/);
  mcp.setMode("http_500");
  const broken = await ask();
  assert.match(broken.choices[0].message.content, /HTTP status 500/);
  mcp.setMode("ok");
  const labels = { tool_type: "mcp", tool_name: "mcp_get_weather" };
  await waitFor(async () => {
    const t = await metricsText(gw);
    return metricSample(t, "llm_tool_calls_failure_total", { ...labels, error_type: "timeout" }) === 1 &&
      metricSample(t, "llm_tool_calls_failure_total", { ...labels, error_type: "http_status" }) === 1;
  }, { timeout: 5000, what: "the timeout and the HTTP error counted" });
});

test("the client's own functions are returned to it and counted as function calls, streaming and not", async () => {
  const { client, gw, mcp } = await setup();
  const before = mcp.calls.length;
  const tools = [{ type: "function", function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } } }];
  const data = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", tools, messages: [{ role: "user", content: "please call get_time" }],
  });
  assert.equal(data.choices[0].finish_reason, "tool_calls");
  assert.equal(data.choices[0].message.tool_calls[0].function.name, "get_time");
  const stream = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", tools, stream: true, messages: [{ role: "user", content: "please call get_time" }],
  });
  const names = [];
  for await (const chunk of stream) for (const c of chunk.choices[0]?.delta?.tool_calls ?? []) if (c.function?.name) names.push(c.function.name);
  assert.deepEqual(names, ["get_time"]);
  assert.equal(mcp.calls.length, before, "a client function went to the MCP server");
  const text = await waitFor(async () => {
    const t = await metricsText(gw);
    return metricSample(t, "llm_tool_calls_success_total", { tool_type: "function", tool_name: "get_time" }) === 2 ? t : null;
  }, { timeout: 5000, what: "two function calls counted" });
  assert.equal(metricSample(text, "llm_tool_call_duration_count", { tool_type: "function" }), 0);
});

test("X-MCP-Bypass: no tools added, nothing run", async () => {
  const { gw, mcp, mock } = await setup();
  const before = mcp.calls.length;
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST", headers: { "content-type": "application/json", "X-MCP-Bypass": "true", ...weatherArgs },
    body: JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "weather in Paris?" }] }),
  });
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.doesNotMatch(body.choices[0].message.content, /Sunny/);
  const seen = (await mockRequests(mock)).find((q) => q.headers?.["x-request-id"] === r.headers.get("x-request-id"));
  assert.equal(JSON.parse(seen.body).tools, undefined);
  assert.equal(seen.headers["x-mcp-bypass"], undefined, "igw's own header went upstream");
  assert.equal(mcp.calls.length, before);
});

test("a model that keeps calling tools is stopped at MCP_MAX_ITERATIONS with a clear error", async () => {
  const { gw, mcp } = await setup();
  const before = mcp.calls.length;
  const headers = { "content-type": "application/json", "x-mock-tool-rounds": "100", ...weatherArgs };
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST", headers, body: JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "loop" }] }),
  });
  assert.equal(r.status, 502);
  const body = await r.json();
  assert.equal(body.error.code, "tool_loop_limit");
  assert.match(body.error.message, /4 model calls \(MCP_MAX_ITERATIONS\)/);
  assert.equal(mcp.calls.length, before + 3, "tools run between the model calls: 3 for 4 calls");
  const s = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST", headers, body: JSON.stringify({ model: "openai/mock-gpt-4o", stream: true, messages: [{ role: "user", content: "loop" }] }),
  });
  assert.equal(s.status, 200);
  const text = await s.text();
  assert.match(text, /"code":"tool_loop_limit"/);
  assert.ok(!text.includes("[DONE]"));
});

test("traces: one execute_tool span per call under the request's server span; the MCP server got its traceparent", async () => {
  const { client, receiver, mcp } = await setup();
  const before = mcp.calls.length;
  const { response } = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "weather" }],
  }, { headers: { ...weatherArgs, "x-mock-tool-rounds": "2" } }).withResponse();
  const requestId = response.headers.get("x-request-id");
  const spans = await waitFor(() => {
    const mine = receiver.spans().filter((s) => s.attrs.request_id === requestId);
    return mine.length >= 5 ? mine : null;  // server + 3 model calls + 2 tool calls
  }, { timeout: 10000, what: "the spans of the request" });
  const server = spans.find((s) => s.kind === 2);
  const clients = spans.filter((s) => s.kind === 3);
  const tools = spans.filter((s) => s.name === "execute_tool mcp_get_weather");
  assert.equal(clients.length, 3);
  assert.equal(tools.length, 2);
  for (const s of [...clients, ...tools]) {
    assert.equal(s.traceId, server.traceId);
    assert.equal(s.parentSpanId, server.spanId);
  }
  assert.equal(tools[0].kind, 1);  // internal
  assert.equal(tools[0].attrs["gen_ai.tool.name"], "mcp_get_weather");
  assert.equal(tools[0].attrs["gen_ai.operation.name"], "execute_tool");
  assert.equal(tools[0].attrs["gen_ai.tool.type"], "mcp");
  const sent = mcp.calls.slice(before).map((c) => c.headers.traceparent.split("-")[2]).sort();
  assert.deepEqual(sent, tools.map((s) => s.spanId).sort());
  // Each model call's span has its own usage.
  for (const c of clients) assert.ok(Number(c.attrs["gen_ai.usage.output_tokens"]) > 0);
});

test("the page's tool-call failure ratio per tool in a real Prometheus", async () => {
  const { client, gw } = await setup();
  // 1 failure out of 4 calls of mcp_lookup_order in this window (plus what earlier tests did: read first).
  const dir = tempDir();
  const promPort = await freePort();
  const { writeFileSync } = await import("node:fs");
  writeFileSync(`${dir}/prometheus.yml`, `global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: inference-gateway
    static_configs: [{targets: ['127.0.0.1:${gw.metricsPort}']}]
`);
  const prom = spawn("prometheus", [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/tsdb`,
    `--web.listen-address=127.0.0.1:${promPort}`], { stdio: "ignore" });
  running.push(async () => { prom.kill("SIGKILL"); });
  const api = `http://127.0.0.1:${promPort}/api/v1`;
  await waitFor(async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`).catch(() => null))?.ok, { timeout: 30000, what: "prometheus ready" });
  const query = async (q) => (await (await fetch(`${api}/query?query=${encodeURIComponent(q)}`)).json()).data.result;
  await waitFor(async () => (await query("llm_tool_calls_total")).length > 0, { timeout: 15000, what: "a first scrape" });
  await sleep(2000);
  for (const fail of [true, false, false, false, true, false, false, false]) {
    await client.chat.completions.create({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "order?" }] },
      { headers: { "x-mock-tool": "mcp_lookup_order", "x-mock-tool-arguments": JSON.stringify({ order_id: "C-3", fail }) } });
  }
  const expr = 'sum by (tool_name) (rate(llm_tool_calls_failure_total[5m])) / sum by (tool_name) (rate(llm_tool_calls_total[5m]))';
  // Over a window that starts after the first scrape, the ratio is increase(failures)/increase(calls): 2/8.
  const windowed = 'sum by (tool_name) (increase(llm_tool_calls_failure_total{tool_name="mcp_lookup_order"}[5m])) / sum by (tool_name) (increase(llm_tool_calls_total{tool_name="mcp_lookup_order"}[5m]))';
  const result = await waitFor(async () => {
    const r = await query(expr);
    return r.some((s) => s.metric.tool_name === "mcp_lookup_order") ? r : null;
  }, { timeout: 15000, what: "the page's query to return the tool" });
  const ratio = Number(result.find((s) => s.metric.tool_name === "mcp_lookup_order").value[1]);
  // The counters started before this test (1 failure in 2 calls earlier): the rate ratio covers all of it.
  const text = await metricsText(gw);
  const lab = { tool_type: "mcp", tool_name: "mcp_lookup_order" };
  const expected = metricSample(text, "llm_tool_calls_failure_total", { ...lab, error_type: "tool_error" }) / metricSample(text, "llm_tool_calls_total", lab);
  await waitFor(async () => {
    const r = await query(expr);
    const v = Number(r.find((s) => s.metric.tool_name === "mcp_lookup_order")?.value[1]);
    return Math.abs(v - expected) < 0.08;
  }, { timeout: 15000, what: () => `the ratio near ${expected} (was ${ratio})` });
  assert.equal(expected, 3 / 10);
  assert.ok((await query(windowed)).length === 1);
});

test("an MCP server that starts 5 s after igw: igw starts at once, the tools appear once it is up", async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  const mock = await startMock();
  running.push(() => mock.stop());
  const t0 = Date.now();
  const gw = await startGateway({
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai", TELEMETRY_ENABLE: "true", TELEMETRY_METRICS_PORT: "0",
    MCP_ENABLE: "true", MCP_SERVERS: url, MCP_EXPOSE: "true", MCP_RETRY_INTERVAL: "300ms", MCP_MAX_RETRIES: "100",
  });
  running.push(() => gw.stop());
  assert.ok(Date.now() - t0 < 5000, "igw waited for the MCP server");
  const down = (await fetchJson(`${gw.url}/v1/mcp/tools`)).body;
  assert.deepEqual(down.data, []);
  assert.equal(down.servers[0].state, "down");
  assert.ok(down.servers[0].error);
  assert.equal(metricSample(await metricsText(gw), "igw_tool_server_up", { tool_type: "mcp", server: url }), 0);
  // A chat meanwhile is served without tools.
  const r = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "hi" }] }) });
  assert.equal(r.status, 200);
  await sleep(Math.max(0, 5000 - (Date.now() - t0)));
  const mcp = await startMcpServer({ port, jsonResponse: true, pageSize: 1 });  // JSON answers, one tool per page
  running.push(() => mcp.close());
  await waitFor(async () => (await fetchJson(`${gw.url}/v1/mcp/tools`)).body.data.length === 2,
    { timeout: 5000, what: "the tools once the server is up" });
  assert.equal(metricSample(await metricsText(gw), "igw_tool_server_up", { tool_type: "mcp", server: url }), 1);
  const warned = gw.lines.map((l) => l.json).filter((j) => j?.message === "MCP server unavailable; retrying in the background");
  assert.equal(warned.length, 1, "the outage is logged once, not per retry");
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "k", maxRetries: 0 });
  const data = await client.chat.completions.create({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "weather" }] },
    { headers: weatherArgs });
  assert.match(data.choices[0].message.content, /Sunny in Paris/);
});

test("bad tool settings stop start-up with one line naming the setting", async () => {
  const { spawnSync } = await import("node:child_process");
  const run = (env) => spawnSync(process.env.IGW_BIN, ["serve"], {
    env: { ...process.env, SERVER_PORT: "0", ...env }, encoding: "utf8", timeout: 10000,
  });
  const badUrl = run({ MCP_ENABLE: "true", MCP_SERVERS: "ftp://127.0.0.1/mcp" });
  assert.equal(badUrl.status, 1);
  assert.match(badUrl.stderr, /^igw serve: MCP_SERVERS: .*ftp/m);
  const badAgent = run({ A2A_ENABLE: "true", A2A_AGENTS: "http://" });
  assert.equal(badAgent.status, 1);
  assert.match(badAgent.stderr, /A2A_AGENTS: /);
  const zero = run({ MCP_ENABLE: "true", MCP_SERVERS: "http://127.0.0.1:9/mcp", MCP_MAX_ITERATIONS: "0" });
  assert.equal(zero.status, 1);
  assert.match(zero.stderr, /invalid MCP_MAX_ITERATIONS="0": expected at least 1 model call/);
  const typo = run({ MCP_ENABLE: "maybe" });
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /invalid MCP_ENABLE="maybe"/);
});
