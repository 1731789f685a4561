// Self-check of the test OTLP trace receiver (otlp_receiver.mjs), without igw:
// `node tests/e2e/otlp_receiver_check.mjs` exits 0 when all holds (node:test reports what failed otherwise).
// Not named test_*: CTest does not run it.
//
// The exports sent here are encoded from this file's own transcription of the OTLP trace schema (below), not
// with the receiver's decoder, so a field-number or type mismatch in the receiver shows up as a difference.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import zlib from "node:zlib";
import grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { GRPC_EXPORT_PATH, startOtlpReceiver } from "./otlp_receiver.mjs";

const TIMEOUT = { timeout: 15000 };
const REQUEST_TIMEOUT_MS = 5000;

// OTLP trace export, as in opentelemetry/proto (common, resource, trace, collector/trace), plus google.rpc.Status.
const { root: schema } = protobuf.parse(`
  syntax = "proto3";
  message AnyValue {
    oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
                  ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; }
  }
  message ArrayValue { repeated AnyValue values = 1; }
  message KeyValueList { repeated KeyValue values = 1; }
  message KeyValue { string key = 1; AnyValue value = 2; }
  message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
  message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
  message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
  message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
  message Span {
    bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
    string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
    repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
    repeated Event events = 11; uint32 dropped_events_count = 12;
    repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
    enum SpanKind { SPAN_KIND_UNSPECIFIED = 0; SPAN_KIND_INTERNAL = 1; SPAN_KIND_SERVER = 2; SPAN_KIND_CLIENT = 3;
                    SPAN_KIND_PRODUCER = 4; SPAN_KIND_CONSUMER = 5; }
    message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
    message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4;
                   uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
  }
  message Status { string message = 2; StatusCode code = 3;
                   enum StatusCode { STATUS_CODE_UNSET = 0; STATUS_CODE_OK = 1; STATUS_CODE_ERROR = 2; } }
  message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
  message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
  message RpcStatus { int32 code = 1; string message = 2; }
`);
const Request = schema.lookupType("ExportTraceServiceRequest");
const Response = schema.lookupType("ExportTraceServiceResponse");
const RpcStatus = schema.lookupType("RpcStatus");

// ---- the sample export: one resource, one scope, a server span and its client child ----------------------

const TRACE = "5b8efff798038103d269b633813fc60c";
const ROOT = "eee19b7ec3c1b174";
const CHILD = "eee19b7ec3c1b173";
const LINKED_TRACE = "0af7651916cd43dd8448eb211c80319c";
const LINKED_SPAN = "b7ad6b7169203331";
const BIG_INT = "9007199254740993"; // 2^53 + 1: exact only as a decimal string
const hex = (h) => Buffer.from(h, "hex");
const kv = (key, value) => ({ key, value });

const ROOT_ATTRIBUTES = [
  kv("http.request.method", { stringValue: "POST" }),
  kv("http.response.status_code", { intValue: "200" }),
  kv("igw.ratio", { doubleValue: 0.25 }),
  kv("igw.streamed", { boolValue: true }),
  kv("igw.tags", { arrayValue: { values: [{ stringValue: "a" }, { intValue: "-7" }] } }),
  kv("igw.route", { kvlistValue: { values: [kv("name", { stringValue: "default" })] } }),
];
const CHILD_ATTRIBUTES = [
  kv("gen_ai.request.model", { stringValue: "gpt-4o" }),
  kv("gen_ai.usage.input_tokens", { intValue: BIG_INT }),
];
const RESOURCE_ATTRIBUTES = [kv("service.name", { stringValue: "igw" }), kv("service.instance.id", { stringValue: "e2e-1" })];

// The sample in protobufjs object form (bytes as buffers, 64-bit integers as strings, enums as numbers).
const SAMPLE = {
  resourceSpans: [{
    resource: { attributes: RESOURCE_ATTRIBUTES },
    schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
    scopeSpans: [{
      scope: { name: "igw", version: "0.1.0" },
      spans: [
        {
          traceId: hex(TRACE), spanId: hex(ROOT), flags: 0x301, name: "POST /v1/chat/completions", kind: 2,
          startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000000250000000",
          attributes: [...ROOT_ATTRIBUTES, kv("igw.digest", { bytesValue: hex("00ff10") })],
        },
        {
          traceId: hex(TRACE), spanId: hex(CHILD), parentSpanId: hex(ROOT), flags: 1, name: "chat gpt-4o", kind: 3,
          startTimeUnixNano: "1700000000010000000", endTimeUnixNano: "1700000000240000000",
          attributes: CHILD_ATTRIBUTES,
          events: [{ timeUnixNano: "1700000000020000000", name: "retry", attributes: [kv("attempt", { intValue: "2" })] }],
          links: [{ traceId: hex(LINKED_TRACE), spanId: hex(LINKED_SPAN), traceState: "vendor=1", flags: 1 }],
          status: { code: 2, message: "upstream returned 502" },
        },
      ],
    }],
  }],
};
const encodeSample = (message = SAMPLE) => Buffer.from(Request.encode(Request.fromObject(message)).finish());

// The same export in OTLP/JSON: hex ids, enums as integers, int64 as strings (one as a number), bytes in
// base64, some defaults written out and some left out.
const SAMPLE_JSON = {
  resourceSpans: [{
    resource: { attributes: RESOURCE_ATTRIBUTES, droppedAttributesCount: 0 },
    schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
    scopeSpans: [{
      scope: { name: "igw", version: "0.1.0" },
      spans: [
        {
          traceId: TRACE, spanId: ROOT, parentSpanId: "", traceState: "", flags: 0x301, name: "POST /v1/chat/completions",
          kind: 2, startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000000250000000",
          attributes: [...ROOT_ATTRIBUTES, kv("igw.digest", { bytesValue: hex("00ff10").toString("base64") })],
          droppedAttributesCount: 0, events: [], links: [],
        },
        {
          traceId: TRACE, spanId: CHILD, parentSpanId: ROOT, flags: 1, name: "chat gpt-4o", kind: 3,
          startTimeUnixNano: "1700000000010000000", endTimeUnixNano: "1700000000240000000",
          attributes: CHILD_ATTRIBUTES,
          events: [{ timeUnixNano: "1700000000020000000", name: "retry", attributes: [kv("attempt", { intValue: 2 })] }],
          links: [{ traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceState: "vendor=1", flags: 1 }],
          status: { code: 2, message: "upstream returned 502" },
        },
      ],
    }],
  }],
};

// What the receiver must make of the sample, whatever the protocol: every field, ids in hex.
const EXPECTED = {
  resourceSpans: [{
    resource: { attributes: RESOURCE_ATTRIBUTES, droppedAttributesCount: 0 },
    schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
    scopeSpans: [{
      scope: { name: "igw", version: "0.1.0", attributes: [], droppedAttributesCount: 0 },
      schemaUrl: "",
      spans: [
        {
          traceId: TRACE, spanId: ROOT, traceState: "", parentSpanId: "", flags: 0x301, name: "POST /v1/chat/completions",
          kind: 2, startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000000250000000",
          attributes: [...ROOT_ATTRIBUTES, kv("igw.digest", { bytesValue: "00ff10" })], droppedAttributesCount: 0,
          events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0, status: null,
        },
        {
          traceId: TRACE, spanId: CHILD, traceState: "", parentSpanId: ROOT, flags: 1, name: "chat gpt-4o", kind: 3,
          startTimeUnixNano: "1700000000010000000", endTimeUnixNano: "1700000000240000000",
          attributes: CHILD_ATTRIBUTES, droppedAttributesCount: 0,
          events: [{ timeUnixNano: "1700000000020000000", name: "retry", attributes: [kv("attempt", { intValue: "2" })], droppedAttributesCount: 0 }],
          droppedEventsCount: 0,
          links: [{ traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceState: "vendor=1", attributes: [], droppedAttributesCount: 0, flags: 1 }],
          droppedLinksCount: 0,
          status: { message: "upstream returned 502", code: 2 },
        },
      ],
    }],
  }],
};

// ---- clients -------------------------------------------------------------------------------------------

// One unary Export call with already-encoded bytes; resolves to { error, response (bytes) }.
async function grpcExport(receiver, bytes, { gzip = false, metadata = {} } = {}) {
  const options = gzip ? { "grpc.default_compression_algorithm": grpc.compressionAlgorithms.gzip } : {};
  const client = new grpc.Client(receiver.endpoint.replace(/^http:\/\//, ""), grpc.credentials.createInsecure(), options);
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  const identity = (b) => b;
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(GRPC_EXPORT_PATH, identity, identity, bytes, md, { deadline: Date.now() + REQUEST_TIMEOUT_MS },
        (error, response) => resolve({ error, response }));
    });
  } finally {
    client.close();
  }
}

async function httpPost(url, body, { contentType, gzip = false, headers = {} } = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType, ...(gzip ? { "content-encoding": "gzip" } : {}), ...headers },
    body: gzip ? zlib.gzipSync(body) : body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, contentType: res.headers.get("content-type"), body: Buffer.from(await res.arrayBuffer()) };
}

// Runs fn with a fresh receiver and closes it afterwards.
async function withReceiver(options, fn) {
  const receiver = await startOtlpReceiver(options);
  try {
    return await fn(receiver);
  } finally {
    await receiver.close();
  }
}

function assertSampleReceived(receiver, { contentEncoding }) {
  assert.deepEqual(receiver.errors, []);
  assert.deepEqual(receiver.requests, [EXPECTED]);
  assert.equal(receiver.meta.length, 1);
  assert.equal(receiver.meta[0].contentEncoding, contentEncoding);
  assert.equal(receiver.meta[0].headers["x-igw-check"], "sample");
}

// ---- gRPC ------------------------------------------------------------------------------------------------

for (const gzip of [false, true]) {
  test(`grpc: decodes the sample${gzip ? " (gzip)" : ""} and answers an empty ExportTraceServiceResponse`, TIMEOUT, () =>
    withReceiver({ protocol: "grpc" }, async (receiver) => {
      assert.equal(receiver.endpoint, `http://127.0.0.1:${receiver.port}`);
      const { error, response } = await grpcExport(receiver, encodeSample(), { gzip, metadata: { "x-igw-check": "sample" } });
      assert.equal(error, null);
      assert.equal(response.length, 0);
      assert.deepEqual(Response.toObject(Response.decode(response)), {});
      assertSampleReceived(receiver, { contentEncoding: gzip ? "gzip" : "identity" });
      assert.equal(receiver.meta[0].path, GRPC_EXPORT_PATH);
      assert.equal(receiver.meta[0].headers["grpc-encoding"], gzip ? "gzip" : undefined);
    }));
}

test("grpc: behaviour fail answers UNAVAILABLE and still records the export", TIMEOUT, () =>
  withReceiver({ protocol: "grpc", behaviour: "fail" }, async (receiver) => {
    const { error } = await grpcExport(receiver, encodeSample());
    assert.equal(error?.code, grpc.status.UNAVAILABLE);
    assert.equal(receiver.requests.length, 1);
    assert.deepEqual(receiver.errors, []);
  }));

test("grpc: a body that does not decode is refused with INVALID_ARGUMENT and recorded in errors", TIMEOUT, () =>
  withReceiver({ protocol: "grpc" }, async (receiver) => {
    const { error } = await grpcExport(receiver, Buffer.from("not a protobuf message"));
    assert.equal(error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(receiver.requests.length, 0);
    assert.equal(receiver.errors.length, 1);
    assert.match(receiver.errors[0], /invalid wire type/);
  }));

test("grpc: behaviour slow answers after delayMs", TIMEOUT, () =>
  withReceiver({ protocol: "grpc", behaviour: "slow", delayMs: 300 }, async (receiver) => {
    const started = Date.now();
    const { error } = await grpcExport(receiver, encodeSample());
    assert.equal(error, null);
    assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
  }));

// ---- OTLP/HTTP protobuf ---------------------------------------------------------------------------------

const PROTOBUF = "application/x-protobuf";

for (const gzip of [false, true]) {
  test(`http/protobuf: decodes the sample${gzip ? " (gzip)" : ""} and answers 200 with an empty response`, TIMEOUT, () =>
    withReceiver({ protocol: "http/protobuf" }, async (receiver) => {
      assert.equal(receiver.tracesUrl, `http://127.0.0.1:${receiver.port}/v1/traces`);
      const res = await httpPost(receiver.tracesUrl, encodeSample(), { contentType: PROTOBUF, gzip, headers: { "x-igw-check": "sample" } });
      assert.equal(res.status, 200);
      assert.equal(res.contentType, PROTOBUF);
      assert.deepEqual(Response.toObject(Response.decode(res.body)), {});
      assertSampleReceived(receiver, { contentEncoding: gzip ? "gzip" : "identity" });
      assert.equal(receiver.meta[0].contentType, PROTOBUF);
      assert.equal(receiver.meta[0].path, "/v1/traces");
    }));
}

test("http/protobuf: behaviour fail answers 503 with a google.rpc.Status", TIMEOUT, () =>
  withReceiver({ protocol: "http/protobuf", behaviour: "fail" }, async (receiver) => {
    const res = await httpPost(receiver.tracesUrl, encodeSample(), { contentType: PROTOBUF });
    assert.equal(res.status, 503);
    assert.equal(RpcStatus.decode(res.body).code, 14);
    assert.equal(receiver.requests.length, 1);
  }));

test("http/protobuf: garbage, a bad gzip body and a short span id are refused with 400", TIMEOUT, () =>
  withReceiver({ protocol: "http/protobuf" }, async (receiver) => {
    assert.equal((await httpPost(receiver.tracesUrl, Buffer.from("not a protobuf message"), { contentType: PROTOBUF })).status, 400);
    const notGzip = await fetch(receiver.tracesUrl, {
      method: "POST", headers: { "content-type": PROTOBUF, "content-encoding": "gzip" }, body: encodeSample(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    assert.equal(notGzip.status, 400);
    const shortId = structuredClone(SAMPLE);
    shortId.resourceSpans[0].scopeSpans[0].spans[1].spanId = hex("0102");
    const res = await httpPost(receiver.tracesUrl, encodeSample(shortId), { contentType: PROTOBUF });
    assert.equal(res.status, 400);
    assert.equal(RpcStatus.decode(res.body).code, 3);
    assert.equal(receiver.requests.length, 0);
    assert.equal(receiver.errors.length, 3);
    assert.match(receiver.errors[2], /spans\[1\]\.spanId: expected 8 bytes, got 2/);
  }));

test("http/protobuf: other paths answer 404, other media types 415, both recorded in errors", TIMEOUT, () =>
  withReceiver({ protocol: "http/protobuf" }, async (receiver) => {
    assert.equal((await httpPost(`${receiver.endpoint}/v1/metrics`, encodeSample(), { contentType: PROTOBUF })).status, 404);
    const get = await fetch(receiver.tracesUrl, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(get.status, 404);
    assert.equal((await httpPost(receiver.tracesUrl, encodeSample(), { contentType: "application/json" })).status, 415);
    assert.equal(receiver.errors.length, 3);
    assert.equal(receiver.requests.length, 0);
  }));

// ---- OTLP/HTTP JSON ---------------------------------------------------------------------------------------

const JSON_TYPE = "application/json";

for (const gzip of [false, true]) {
  test(`http/json: decodes the sample${gzip ? " (gzip)" : ""} to the same shape as protobuf`, TIMEOUT, () =>
    withReceiver({ protocol: "http/json" }, async (receiver) => {
      const body = Buffer.from(JSON.stringify(SAMPLE_JSON));
      const res = await httpPost(receiver.tracesUrl, body, { contentType: JSON_TYPE, gzip, headers: { "x-igw-check": "sample" } });
      assert.equal(res.status, 200);
      assert.equal(res.contentType, JSON_TYPE);
      assert.deepEqual(JSON.parse(res.body), {});
      assertSampleReceived(receiver, { contentEncoding: gzip ? "gzip" : "identity" });
    }));
}

test("http/json: behaviour fail answers 503 with a JSON google.rpc.Status", TIMEOUT, () =>
  withReceiver({ protocol: "http/json", behaviour: "fail" }, async (receiver) => {
    const res = await httpPost(receiver.tracesUrl, Buffer.from(JSON.stringify(SAMPLE_JSON)), { contentType: JSON_TYPE });
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.body).code, 14);
  }));

test("http/json: bodies that are not OTLP/JSON are refused with 400", TIMEOUT, () =>
  withReceiver({ protocol: "http/json" }, async (receiver) => {
    const variants = {
      "not JSON": "{not json",
      "snake_case field": JSON.stringify({ resource_spans: [] }),
      "enum by name": JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...SAMPLE_JSON.resourceSpans[0].scopeSpans[0].spans[0], kind: "SPAN_KIND_SERVER" }] }] }] }),
      "base64 trace id": JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...SAMPLE_JSON.resourceSpans[0].scopeSpans[0].spans[0], traceId: hex(TRACE).toString("base64") }] }] }] }),
      "fractional time": JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...SAMPLE_JSON.resourceSpans[0].scopeSpans[0].spans[0], startTimeUnixNano: 1.5 }] }] }] }),
    };
    for (const [what, body] of Object.entries(variants)) {
      const res = await httpPost(receiver.tracesUrl, Buffer.from(body), { contentType: JSON_TYPE });
      assert.equal(res.status, 400, what);
    }
    assert.equal(receiver.errors.length, Object.keys(variants).length);
    assert.match(receiver.errors[1], /resource_spans: unknown field/);
    assert.equal(receiver.requests.length, 0);
  }));

// ---- what tests read ------------------------------------------------------------------------------------

test("spans() flattens resource, scope and attributes; waitForSpans waits, then names what is missing", TIMEOUT, () =>
  withReceiver({ protocol: "http/protobuf" }, async (receiver) => {
    const waiting = receiver.waitForSpans(2, 5000);
    await httpPost(receiver.tracesUrl, encodeSample(), { contentType: PROTOBUF });
    const spans = await waiting;
    assert.equal(spans.length, 2);
    const [root, child] = spans;
    assert.deepEqual(root.resource, { "service.name": "igw", "service.instance.id": "e2e-1" });
    assert.deepEqual(root.scope, { name: "igw", version: "0.1.0" });
    assert.deepEqual(root.attrs, {
      "http.request.method": "POST", "http.response.status_code": 200, "igw.ratio": 0.25, "igw.streamed": true,
      "igw.tags": ["a", -7], "igw.route": { name: "default" }, "igw.digest": "00ff10",
    });
    assert.equal(child.parentSpanId, root.spanId);
    assert.equal(child.status.code, 2);
    await assert.rejects(receiver.waitForSpans(3, 200), /expected at least 3 span\(s\) within 200 ms, got 2 in 1 export\(s\)/);
  }));

test("startOtlpReceiver refuses unknown protocols and behaviours", TIMEOUT, async () => {
  await assert.rejects(startOtlpReceiver({ protocol: "http" }), /protocol: expected one of grpc, http\/protobuf, http\/json/);
  await assert.rejects(startOtlpReceiver({ protocol: "grpc", behaviour: "flaky" }), /behaviour: expected one of/);
  await assert.rejects(startOtlpReceiver({ protocol: "grpc", behaviour: "slow" }), /needs delayMs > 0/);
});

test("CLI: prints the endpoint, then one line per export, and exits 0 on SIGTERM", TIMEOUT, async () => {
  const script = fileURLToPath(new URL("./otlp_receiver.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, "--protocol", "http/json"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = JSON.parse((await lines.next()).value);
    assert.deepEqual(Object.keys(first), ["port", "endpoint"]);
    assert.equal(first.endpoint, `http://127.0.0.1:${first.port}`);
    const res = await httpPost(`${first.endpoint}/v1/traces`, Buffer.from(JSON.stringify(SAMPLE_JSON)), { contentType: JSON_TYPE });
    assert.equal(res.status, 200);
    const exported = JSON.parse((await lines.next()).value);
    assert.deepEqual(exported.request, EXPECTED);
    assert.equal(exported.meta.path, "/v1/traces");
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("CLI: a usage error exits 2", TIMEOUT, async () => {
  const script = fileURLToPath(new URL("./otlp_receiver.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, "--protocol", "udp"], { stdio: "ignore" });
  const [code] = await once(child, "exit");
  assert.equal(code, 2);
});
