// Traces over OTLP, decoded by a real OTLP receiver (the protos of @opentelemetry/otlp-transformer through
// protobufjs, and @grpc/grpc-js for gRPC): for each protocol, one streaming and one non-streaming chat
// through igw with the OpenAI SDK give a server span and a client span each, linked parent and child, with
// the resource attributes, the GenAI attributes and the token counts the mock reported, and the request_id
// of the response header. An inbound traceparent is continued and the mock receives the client span's
// traceparent; the access lines carry the spans' trace_id and span_id.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import OpenAI from "openai";
import { startOtlpReceiver } from "./otlp_receiver.mjs";
import { mockRequests, startGateway, startMock, tempDir, waitFor } from "./lib.mjs";

const TOKENS = 7;
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

let mock;
const running = [];
after(async () => {
  for (const r of running.reverse()) {
    if (r.close) await r.close();
    else await r.stop();
  }
  await mock?.stop();
});

async function tracedGateway(receiver, protocol, env = {}) {
  mock ??= await startMock(["--tokens", String(TOKENS)]);
  const gw = await startGateway({
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai",
    TELEMETRY_ENABLE: "true", TELEMETRY_METRICS_PORT: "0",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_BSP_SCHEDULE_DELAY: "50",
    OTEL_SERVICE_NAME: "gateway-under-test",
    OTEL_RESOURCE_ATTRIBUTES: "team=llm%20ops,deployment.environment=staging",
    ...env,
  });
  running.push({ stop: () => gw.stop() });
  return gw;
}

// The access line ("request", logger http) of a request id (written once the answer is out: polled).
function accessLine(gw, requestId) {
  return waitFor(() => gw.lines.map((l) => l.json)
    .find((j) => j && j.logger === "http" && j.message === "request" && j.request_id === requestId),
  { timeout: 5000, what: `the access line of ${requestId}` });
}

for (const protocol of ["grpc", "http/protobuf", "http/json"]) {
  test(`${protocol}: a server and a client span per chat, GenAI attributes, resource, request_id`, async () => {
    const receiver = await startOtlpReceiver({ protocol });
    running.push(receiver);
    const gw = await tracedGateway(receiver, protocol, protocol === "grpc" ? { OTEL_EXPORTER_OTLP_COMPRESSION: "gzip" } : {});
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller", maxRetries: 0, timeout: 10000 });

    const plain = await client.chat.completions
      .create({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "say something plain" }] })
      .withResponse();
    const plainId = plain.response.headers.get("x-request-id");
    const plainUsage = plain.data.usage;

    const streamed = await client.chat.completions
      .create({
        model: "openai/mock-gpt-4o", stream: true, stream_options: { include_usage: true },
        messages: [{ role: "user", content: "say something streamed" }],
      })
      .withResponse();
    const streamId = streamed.response.headers.get("x-request-id");
    let streamUsage = null;
    for await (const chunk of streamed.data) if (chunk.usage) streamUsage = chunk.usage;
    assert.ok(plainUsage && streamUsage, "the SDK saw usage for both calls");

    const spans = await receiver.waitForSpans(4, 10000);
    assert.deepEqual(receiver.errors, [], "every export decoded");
    if (protocol === "grpc") {
      assert.equal(receiver.meta[0].headers["grpc-encoding"], "gzip", "gzip asked for and used");
      assert.equal(receiver.meta[0].path, "/opentelemetry.proto.collector.trace.v1.TraceService/Export");
    } else {
      assert.equal(receiver.meta[0].path, "/v1/traces");
    }

    for (const s of spans) {
      assert.equal(s.resource["service.name"], "gateway-under-test");
      assert.equal(s.resource["deployment.environment"], "staging");
      assert.equal(s.resource["team"], "llm ops");
      assert.match(String(s.resource["service.version"]), /^\d+\.\d+\.\d+/);
      assert.equal(s.scope.name, "igw");
    }
    for (const [requestId, usage] of [[plainId, plainUsage], [streamId, streamUsage]]) {
      const mine = spans.filter((s) => s.attrs.request_id === requestId);
      const server = mine.find((s) => s.kind === SERVER);
      const client = mine.find((s) => s.kind === CLIENT);
      assert.ok(server && client, `a server and a client span for ${requestId}: ${JSON.stringify(mine.map((s) => s.name))}`);
      assert.equal(mine.length, 2);
      assert.equal(server.name, "POST /v1/chat/completions");
      assert.equal(server.attrs["http.request.method"], "POST");
      assert.equal(server.attrs["http.route"], "/v1/chat/completions");
      assert.equal(server.attrs["http.response.status_code"], 200);
      assert.equal(server.parentSpanId, "", "a new trace: the server span is the root");
      assert.equal(client.traceId, server.traceId);
      assert.equal(client.parentSpanId, server.spanId);
      assert.equal(client.name, "chat mock-gpt-4o");
      assert.equal(client.attrs["gen_ai.provider.name"], "openai");
      assert.equal(client.attrs["gen_ai.request.model"], "mock-gpt-4o");
      assert.equal(client.attrs["gen_ai.operation.name"], "chat");
      assert.equal(client.attrs["gen_ai.usage.input_tokens"], usage.prompt_tokens);
      assert.equal(client.attrs["gen_ai.usage.output_tokens"], usage.completion_tokens);
      assert.equal(client.attrs["gen_ai.usage.output_tokens"], TOKENS);
      assert.equal(client.attrs["server.address"], "127.0.0.1");
      assert.equal(client.attrs["server.port"], mock.port);
      assert.ok(BigInt(server.startTimeUnixNano) <= BigInt(client.startTimeUnixNano), "client starts inside server");
      assert.ok(BigInt(client.endTimeUnixNano) <= BigInt(server.endTimeUnixNano), "client ends inside server");
      assert.equal(server.flags & 0xff, 1, "sampled");
      // The access line joins logs and traces.
      const line = await accessLine(gw, requestId);
      assert.ok(line, `an access line for ${requestId}`);
      assert.equal(line.trace_id, server.traceId);
      assert.equal(line.span_id, server.spanId);
    }
  });
}

test("an inbound traceparent is continued, and the provider receives the client span's traceparent", async () => {
  const receiver = await startOtlpReceiver({ protocol: "http/protobuf" });
  running.push(receiver);
  const gw = await tracedGateway(receiver, "http/protobuf");
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const parent = "00f067aa0ba902b7";
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: `00-${traceId}-${parent}-01`, tracestate: "vendor=abc" },
    body: JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "continue my trace" }] }),
    signal: AbortSignal.timeout(10000),
  });
  assert.equal(res.status, 200);
  const requestId = res.headers.get("x-request-id");
  await res.text();
  const spans = await receiver.waitForSpans(2, 10000);
  const server = spans.find((s) => s.kind === SERVER && s.attrs.request_id === requestId);
  const client = spans.find((s) => s.kind === CLIENT && s.attrs.request_id === requestId);
  assert.equal(server.traceId, traceId);
  assert.equal(server.parentSpanId, parent);
  assert.equal(server.traceState, "vendor=abc");
  assert.equal(server.flags & 0x300, 0x300, "the parent is marked remote");
  const upstream = (await mockRequests(mock)).find((r) => r.headers["x-request-id"] === requestId);
  assert.ok(upstream, "the mock saw the request");
  assert.equal(upstream.headers.traceparent, `00-${traceId}-${client.spanId}-01`);
  assert.equal(upstream.headers.tracestate, "vendor=abc");
});

test("a caller's unsampled trace is followed: nothing exported, the flag passed on, logs still joined", async () => {
  const receiver = await startOtlpReceiver({ protocol: "http/json" });
  running.push(receiver);
  const gw = await tracedGateway(receiver, "http/json");
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: `00-${traceId}-b7ad6b7169203331-00` },
    body: JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "not sampled" }] }),
    signal: AbortSignal.timeout(10000),
  });
  assert.equal(res.status, 200);
  const requestId = res.headers.get("x-request-id");
  await res.text();
  // A sampled request after it: once its spans arrive, the unsampled one would have too.
  const next = await fetch(`${gw.url}/v1/models`, { signal: AbortSignal.timeout(10000) });
  assert.equal(next.status, 200);
  await next.text();
  const spans = await receiver.waitForSpans(1, 10000);
  assert.ok(spans.every((s) => s.traceId !== traceId), "no span of the unsampled trace");
  const upstream = (await mockRequests(mock)).find((r) => r.headers["x-request-id"] === requestId);
  assert.match(upstream.headers.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  assert.equal((await accessLine(gw, requestId)).trace_id, traceId);
});

test("with tracing off the access line has no trace fields and the caller's traceparent passes through", async () => {
  mock ??= await startMock(["--tokens", String(TOKENS)]);
  const gw = await startGateway({ OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai" });
  running.push({ stop: () => gw.stop() });
  const tp = "00-11111111111111111111111111111111-2222222222222222-01";
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: tp },
    body: JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "untraced" }] }),
    signal: AbortSignal.timeout(10000),
  });
  const requestId = res.headers.get("x-request-id");
  await res.text();
  const line = await accessLine(gw, requestId);
  assert.ok(!("trace_id" in line) && !("span_id" in line), JSON.stringify(line));
  const upstream = (await mockRequests(mock)).find((r) => r.headers["x-request-id"] === requestId);
  assert.equal(upstream.headers.traceparent, tp);
});

// A collector over TLS (certificate made here with openssl): trusted through OTEL_EXPORTER_OTLP_CERTIFICATE the
// spans arrive, for gRPC (ALPN h2) and http/protobuf; untrusted, the export fails and the spans are counted
// as dropped while the request itself succeeds.
test("https and gRPC-over-TLS collectors: trusted with OTEL_EXPORTER_OTLP_CERTIFICATE, refused without", async () => {
  const dir = tempDir();
  const keyPath = path.join(dir, "key.pem"), certPath = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyPath, "-out", certPath], { stdio: "ignore" });
  const tls = { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
  const chat = async (gw) => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "over tls" }] }),
      signal: AbortSignal.timeout(10000),
    });
    assert.equal(res.status, 200);
    const id = res.headers.get("x-request-id");
    await res.text();
    return id;
  };
  for (const protocol of ["grpc", "http/protobuf"]) {
    const receiver = await startOtlpReceiver({ protocol, tls });
    running.push(receiver);
    assert.match(receiver.endpoint, /^https:/);
    const trusted = await tracedGateway(receiver, protocol, { OTEL_EXPORTER_OTLP_CERTIFICATE: certPath });
    const id = await chat(trusted);
    const spans = await receiver.waitForSpans(2, 10000);
    assert.ok(spans.some((s) => s.kind === SERVER && s.attrs.request_id === id), `${protocol}: the spans arrived over TLS`);

    const untrusted = await tracedGateway(receiver, protocol);
    await chat(untrusted);
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${untrusted.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
      return /^igw_spans_dropped_total\{reason="export_failed"\} 2$/m.test(await res.text());
    }, { timeout: 10000, what: `${protocol}: 2 spans dropped as export_failed by the gateway that does not trust the collector` });
    const warn = await waitFor(() => untrusted.lines.map((l) => l.json).find((j) => j && j.message === "trace spans dropped"),
      { timeout: 5000, what: "the warn line about the dropped spans" });
    assert.match(warn.error, /certificate|verify|TLS/i, warn.error);
    assert.equal(receiver.requests.length, 1, `${protocol}: only the trusted gateway's export reached the collector`);
  }
});
