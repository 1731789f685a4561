// A test-only OpenTelemetry trace receiver for the gateway's end-to-end tests: OTLP over gRPC, HTTP/protobuf
// or HTTP/JSON, on 127.0.0.1, port 0.
//
// Every export is decoded with the OTLP schema as @opentelemetry/otlp-transformer ships it (a protobufjs static
// module generated from the OTLP .proto files) and turned into one plain shape whatever the protocol, so a test
// compares all three with one code path:
//   - every field present, defaults included (proto3 omits them on the wire, OTLP/JSON may or may not);
//   - 64-bit integers (times, intValue) as decimal strings, enums as numbers;
//   - bytes (traceId, spanId, parentSpanId, bytesValue) as lowercase hex;
//   - attribute values kept as AnyValue ({stringValue} | {intValue: "<decimal>"} | {doubleValue} | ...).
// That schema predates Span.flags (field 16) and Span.Link.flags (field 6), both fixed32; the receiver reads
// those two itself (LATER_FIELDS), so they are in the shape too.
//
// Decoding is strict: a body that does not decode, a wrong id length or an all-zero id, an unknown enum value,
// and (OTLP/JSON) an unknown field name or an int64 that is not a decimal string or a safe integer are
// recorded in `errors` and refused (gRPC INVALID_ARGUMENT, HTTP 400), so a test asserts `errors` is empty.
//
// Library: startOtlpReceiver({ protocol, behaviour, delayMs, onExport, onError }), see below.
// CLI: node tests/e2e/otlp_receiver.mjs --protocol grpc|http/protobuf|http/json [--behaviour ok|fail|slow]
//      [--delay-ms N]
//   prints {"port":N,"endpoint":"http://127.0.0.1:N"} on stdout, then one line per export received,
//   {"meta":{...},"request":{...}}, or per body refused, {"error":"..."}; runs until SIGTERM or SIGINT.
//   Exit codes: 0 after SIGTERM/SIGINT, 1 when it cannot listen, 2 on a usage error.
import http from "node:http";
import https from "node:https";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import zlib from "node:zlib";
import grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";

const require = createRequire(import.meta.url);
const otlp = require("@opentelemetry/otlp-transformer/build/src/generated/root.js").opentelemetry.proto;
const { ExportTraceServiceRequest, ExportTraceServiceResponse } = otlp.collector.trace.v1;

export const PROTOCOLS = ["grpc", "http/protobuf", "http/json"];
export const BEHAVIOURS = ["ok", "fail", "slow"];
export const TRACES_PATH = "/v1/traces";
export const GRPC_EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

const HOST = "127.0.0.1";
const MAX_BODY_BYTES = 64 << 20;
const MEDIA_TYPE = { "http/protobuf": "application/x-protobuf", "http/json": "application/json" };
// google.rpc.Code values used in answers (and in the HTTP error bodies, which are google.rpc.Status).
const CODE = { INVALID_ARGUMENT: 3, UNAVAILABLE: 14 };
// The plain shape: see the header comment. Bytes stay buffers here and become hex in toPlain().
const PLAIN = { longs: String, enums: Number, defaults: true, arrays: true };

// ---- decoding ------------------------------------------------------------------------------------------

// Decodes an ExportTraceServiceRequest from protobuf bytes into the plain shape; throws on any defect.
export function decodeProtobufRequest(bytes) {
  const message = ExportTraceServiceRequest.decode(bytes);
  const wrong = ExportTraceServiceRequest.verify(message);
  if (wrong) throw new Error(`ExportTraceServiceRequest: ${wrong}`);
  const plain = ExportTraceServiceRequest.toObject(message, PLAIN);
  readLaterFields(bytes, plain);
  return checkIds(toPlain(plain));
}

// Decodes an OTLP/JSON ExportTraceServiceRequest (text or parsed) into the plain shape; throws on any defect.
export function decodeJsonRequest(json) {
  const input = typeof json === "string" ? JSON.parse(json) : json;
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("expected a JSON object");
  const prepared = prepareJson(input, "");
  const wrong = ExportTraceServiceRequest.verify(prepared);
  if (wrong) throw new Error(`ExportTraceServiceRequest: ${wrong}`);
  const plain = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.fromObject(prepared), PLAIN);
  copyJsonFlags(input, plain);
  checkKnownFields(input, plain, "");
  return checkIds(toPlain(plain));
}

// OTLP/JSON differs from the protobufjs object form in ids (hex, not base64) and int64 (string or number);
// converts those, by field name (each name has one meaning within a trace request).
const HEX_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);
const INT64_FIELDS = { startTimeUnixNano: false, endTimeUnixNano: false, timeUnixNano: false, intValue: true };

function prepareJson(value, where) {
  if (Array.isArray(value)) return value.map((v, i) => prepareJson(v, `${where}[${i}]`));
  if (typeof value !== "object" || value === null) return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    const at = where ? `${where}.${key}` : key;
    if (HEX_FIELDS.has(key)) out[key] = jsonHex(v, at);
    else if (key in INT64_FIELDS) out[key] = jsonInt64(v, INT64_FIELDS[key], at);
    else out[key] = prepareJson(v, at);
  }
  return out;
}

function jsonHex(value, where) {
  if (typeof value !== "string" || !/^([0-9a-fA-F]{2})*$/.test(value)) {
    throw new Error(`${where}: expected a hex string, got ${JSON.stringify(value)}`);
  }
  return Buffer.from(value, "hex");
}

// An int64 (signed) or fixed64 as {low, high, unsigned}, which protobufjs takes as a Long.
function jsonInt64(value, signed, where) {
  const decimal = typeof value === "string" && /^-?\d+$/.test(value);
  if (!decimal && !Number.isSafeInteger(value)) {
    throw new Error(`${where}: expected a 64-bit integer as a decimal string or a safe integer, got ${JSON.stringify(value)}`);
  }
  const big = BigInt(value);
  const [min, max] = signed ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  if (big < min || big > max) throw new Error(`${where}: ${value} is out of range [${min}, ${max}]`);
  const bits = BigInt.asUintN(64, big);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned: !signed };
}

// Every key of the input must have landed in the decoded form: an unknown name is a mistake of the sender.
function checkKnownFields(input, decoded, where) {
  if (Array.isArray(input)) {
    input.forEach((v, i) => checkKnownFields(v, decoded?.[i], `${where}[${i}]`));
    return;
  }
  if (typeof input !== "object" || input === null || decoded instanceof Uint8Array) return;
  for (const [key, v] of Object.entries(input)) {
    const at = where ? `${where}.${key}` : key;
    if (!(key in decoded)) throw new Error(`${at}: unknown field`);
    checkKnownFields(v, decoded[key], at);
  }
}

// ---- fields newer than the package's schema ----------------------------------------------------------------

// Span.flags (16) and Span.Link.flags (6), fixed32: W3C trace flags plus the is-remote bits.
const LATER_FIELDS = { spanFlags: 16, linkFlags: 6 };
const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 };

// Each field of a protobuf message as [number, wireType, value]; value is the bytes of a LEN field and the
// number of an I32 field.
function* wireFields(bytes) {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const [number, wireType] = [tag >>> 3, tag & 7];
    if (wireType === WIRE.LEN) yield [number, wireType, reader.bytes()];
    else if (wireType === WIRE.I32) yield [number, wireType, reader.fixed32()];
    else {
      reader.skipType(wireType);
      yield [number, wireType, undefined];
    }
  }
}

// The LEN fields numbered `number` of a message, in order.
const children = (bytes, number) => [...wireFields(bytes)].filter(([n, w]) => n === number && w === WIRE.LEN).map(([, , v]) => v);

function fixed32Field(bytes, number, where) {
  let value = 0;
  for (const [n, w, v] of wireFields(bytes)) {
    if (n !== number) continue;
    if (w !== WIRE.I32) throw new Error(`${where}: wire type ${w}, expected fixed32 (${WIRE.I32})`);
    value = v;
  }
  return value;
}

// Walks request → ResourceSpans (1) → ScopeSpans (2) → Span (2) → Link (13) alongside the decoded form.
function readLaterFields(bytes, plain) {
  children(bytes, 1).forEach((rs, i) => {
    children(rs, 2).forEach((ss, j) => {
      children(ss, 2).forEach((sp, k) => {
        const where = `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
        const span = plain.resourceSpans[i].scopeSpans[j].spans[k];
        span.flags = fixed32Field(sp, LATER_FIELDS.spanFlags, `${where}.flags`);
        children(sp, 13).forEach((link, m) => {
          span.links[m].flags = fixed32Field(link, LATER_FIELDS.linkFlags, `${where}.links[${m}].flags`);
        });
      });
    });
  });
}

function jsonFixed32(value, where) {
  if (value === undefined || value === null) return 0;
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`${where}: expected an integer in [0, 4294967295], got ${JSON.stringify(value)}`);
  }
  return value;
}

function copyJsonFlags(input, plain) {
  forEachSpan(plain, (span, [i, j, k]) => {
    const where = `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
    const source = input.resourceSpans[i].scopeSpans[j].spans[k];
    span.flags = jsonFixed32(source.flags, `${where}.flags`);
    span.links.forEach((link, m) => { link.flags = jsonFixed32(source.links[m].flags, `${where}.links[${m}].flags`); });
  });
}

// ---- the plain shape ---------------------------------------------------------------------------------------

function forEachSpan(request, fn) {
  request.resourceSpans.forEach((rs, i) => rs.scopeSpans.forEach((ss, j) => ss.spans.forEach((span, k) => fn(span, [i, j, k], rs, ss))));
}

// Bytes become lowercase hex; everything else is already plain.
function toPlain(value) {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex");
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
}

// OTLP: a trace id is 16 bytes, a span id 8, neither all zero; a parent span id is empty or a span id.
function checkIds(request) {
  const check = (hex, bytes, where, optional = false) => {
    if (optional && hex === "") return;
    if (hex.length !== 2 * bytes) throw new Error(`${where}: expected ${bytes} bytes, got ${hex.length / 2}`);
    if (/^0+$/.test(hex)) throw new Error(`${where}: all zero`);
  };
  forEachSpan(request, (span, [i, j, k]) => {
    const where = `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
    check(span.traceId, 16, `${where}.traceId`);
    check(span.spanId, 8, `${where}.spanId`);
    check(span.parentSpanId, 8, `${where}.parentSpanId`, true);
    span.links.forEach((link, m) => {
      check(link.traceId, 16, `${where}.links[${m}].traceId`);
      check(link.spanId, 8, `${where}.links[${m}].spanId`);
    });
  });
  return request;
}

// An AnyValue as a JavaScript value: intValue as a Number, arrays and key-value lists as arrays and objects.
export function anyValueToJs(value) {
  if (!value) return null;
  if ("stringValue" in value) return value.stringValue;
  if ("boolValue" in value) return value.boolValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return value.doubleValue;
  if ("arrayValue" in value) return (value.arrayValue.values ?? []).map(anyValueToJs);
  if ("kvlistValue" in value) return attributesToJs(value.kvlistValue.values ?? []);
  if ("bytesValue" in value) return value.bytesValue;
  return null;
}

export const attributesToJs = (attributes = []) => Object.fromEntries(attributes.map((kv) => [kv.key, anyValueToJs(kv.value)]));

// ---- the receiver ------------------------------------------------------------------------------------------

// Starts a receiver; resolves to { port, endpoint, tracesUrl (http only), requests, meta, errors, spans(),
// waitForSpans(n, timeoutMs), close() }. requests[i] (the plain shape) and meta[i] ({ headers, contentType,
// contentEncoding, path }) describe the i-th export decoded, whatever it was answered. delayMs delays every
// answer to a decoded export; behaviour 'slow' is 'ok' with a delay and needs delayMs > 0. onExport(request,
// meta) and onError(message) are called as exports and refusals arrive.
// `tls: { cert, key }` (PEM strings) serves https / gRPC over TLS instead of plaintext.
export async function startOtlpReceiver({ protocol, behaviour = "ok", delayMs = 0, onExport, onError, tls } = {}) {
  if (!PROTOCOLS.includes(protocol)) throw new Error(`protocol: expected one of ${PROTOCOLS.join(", ")}, got ${JSON.stringify(protocol)}`);
  if (!BEHAVIOURS.includes(behaviour)) throw new Error(`behaviour: expected one of ${BEHAVIOURS.join(", ")}, got ${JSON.stringify(behaviour)}`);
  if (!Number.isInteger(delayMs) || delayMs < 0) throw new Error(`delayMs: expected a non-negative integer, got ${JSON.stringify(delayMs)}`);
  if (behaviour === "slow" && delayMs === 0) throw new Error("behaviour 'slow': needs delayMs > 0");

  const requests = [];
  const meta = [];
  const errors = [];
  const waiters = new Set();
  const timers = new Set();

  const spans = () => {
    const out = [];
    for (const request of requests) {
      forEachSpan(request, (span, _, rs, ss) => {
        out.push({
          ...span,
          attrs: attributesToJs(span.attributes),
          resource: attributesToJs(rs.resource?.attributes),
          scope: { name: ss.scope?.name ?? "", version: ss.scope?.version ?? "" },
        });
      });
    }
    return out;
  };
  const record = (request, requestMeta) => {
    requests.push(request);
    meta.push(requestMeta);
    onExport?.(request, requestMeta);
    for (const wake of [...waiters]) wake();
  };
  const refuse = (message) => {
    errors.push(message);
    onError?.(message);
  };
  const sleep = (ms) => new Promise((resolve) => {
    if (ms === 0) return resolve();
    const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
    timers.add(timer);
  });
  const context = { protocol, behaviour, delayMs, record, refuse, sleep, tls };

  const server = protocol === "grpc" ? await listenGrpc(context) : await listenHttp(context);
  const endpoint = `${tls ? "https" : "http"}://${HOST}:${server.port}`;
  return {
    port: server.port,
    endpoint,
    ...(protocol === "grpc" ? {} : { tracesUrl: endpoint + TRACES_PATH }),
    requests,
    meta,
    errors,
    spans,
    // Resolves to spans() once it holds at least n spans.
    waitForSpans(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const done = () => { clearTimeout(timer); waiters.delete(wake); };
        const wake = () => {
          const all = spans();
          if (all.length >= n) { done(); resolve(all); }
        };
        const timer = setTimeout(() => {
          done();
          const refused = errors.length ? `; errors: ${errors.join(" | ")}` : "";
          reject(new Error(`waitForSpans: expected at least ${n} span(s) within ${timeoutMs} ms, got ${spans().length} in ${requests.length} export(s)${refused}`));
        }, timeoutMs);
        waiters.add(wake);
        wake();
      });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await server.close();
    },
  };
}

// ---- HTTP (OTLP/HTTP, protobuf or JSON) --------------------------------------------------------------------

// google.rpc.Status { int32 code = 1; string message = 2; } — the body OTLP/HTTP gives an error answer.
function statusBody(json, code, message) {
  if (json) return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(protobuf.Writer.create().uint32((1 << 3) | WIRE.VARINT).int32(code).uint32((2 << 3) | WIRE.LEN).string(message).finish());
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function listenHttp({ protocol, behaviour, delayMs, record, refuse, sleep, tls }) {
  const json = protocol === "http/json";
  const mediaType = MEDIA_TYPE[protocol];
  const answer = (res, httpStatus, body) => {
    res.writeHead(httpStatus, { "content-type": mediaType, "content-length": body.length });
    res.end(body);
  };
  const fail = (res, httpStatus, code, message) => {
    refuse(message);
    answer(res, httpStatus, statusBody(json, code, message));
  };

  const handle = async (req, res) => {
    const target = `${req.method} ${req.url}`;
    if (req.method !== "POST" || req.url.split("?")[0] !== TRACES_PATH) {
      req.resume();
      return fail(res, 404, CODE.INVALID_ARGUMENT, `${target}: not found, expected POST ${TRACES_PATH}`);
    }
    const contentType = req.headers["content-type"] ?? "";
    if (contentType.split(";")[0].trim().toLowerCase() !== mediaType) {
      req.resume();
      return fail(res, 415, CODE.INVALID_ARGUMENT, `${target}: Content-Type ${JSON.stringify(contentType)}, expected ${mediaType}`);
    }
    const contentEncoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
    if (contentEncoding !== "identity" && contentEncoding !== "gzip") {
      req.resume();
      return fail(res, 415, CODE.INVALID_ARGUMENT, `${target}: Content-Encoding ${JSON.stringify(contentEncoding)}, expected gzip or none`);
    }
    let request;
    try {
      let body = await readBody(req);
      if (contentEncoding === "gzip") body = await promisify(zlib.gunzip)(body);
      request = json ? decodeJsonRequest(body.toString("utf8")) : decodeProtobufRequest(body);
    } catch (e) {
      return fail(res, 400, CODE.INVALID_ARGUMENT, `${target}: ${protocol} body: ${e.message}`);
    }
    record(request, { headers: { ...req.headers }, contentType, contentEncoding, path: req.url });
    await sleep(delayMs);
    if (behaviour === "fail") return answer(res, 503, statusBody(json, CODE.UNAVAILABLE, "receiver behaviour: fail"));
    answer(res, 200, json ? Buffer.from("{}") : Buffer.from(ExportTraceServiceResponse.encode({}).finish()));
  };

  const onRequest = (req, res) => {
    handle(req, res).catch((e) => {
      refuse(`${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, onRequest) : http.createServer(onRequest);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

// ---- gRPC (OTLP/gRPC) --------------------------------------------------------------------------------------

// The TraceService definition, (de)serialised with the package's OTLP types. The request deserializer does not
// throw: grpc-js would answer INTERNAL; the handler answers INVALID_ARGUMENT instead.
const traceService = {
  Export: {
    path: GRPC_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (message) => Buffer.from(ExportTraceServiceRequest.encode(message).finish()),
    requestDeserialize: (bytes) => {
      try {
        return { request: decodeProtobufRequest(bytes) };
      } catch (e) {
        return { error: e.message };
      }
    },
    responseSerialize: (message) => Buffer.from(ExportTraceServiceResponse.encode(message).finish()),
    responseDeserialize: (bytes) => ExportTraceServiceResponse.decode(bytes),
  },
};

// grpc-js decompresses with the request's grpc-encoding, then drops that header from the metadata it hands to
// the service; this puts it back (grpc-js keeps it on the call as incomingEncoding, "identity" when absent, so
// an explicit "identity" is not told apart from none).
function keepGrpcEncoding(_method, call) {
  const encoding = call.incomingEncoding;
  return new grpc.ServerInterceptingCall(call, {
    start: (next) => next({
      onReceiveMetadata: (metadata, pass) => {
        if (typeof encoding === "string" && encoding !== "identity") metadata.set("grpc-encoding", encoding);
        pass(metadata);
      },
    }),
  });
}

async function listenGrpc({ behaviour, delayMs, record, refuse, sleep, tls }) {
  const server = new grpc.Server({ interceptors: [keepGrpcEncoding] });
  server.addService(traceService, {
    Export: async (call, callback) => {
      const { request, error } = call.request;
      if (error) {
        const message = `${GRPC_EXPORT_PATH}: grpc body: ${error}`;
        refuse(message);
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: message });
      }
      const headers = Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString("base64") : v]));
      // grpc-js accepts only application/grpc[+...] and does not pass the content type on.
      record(request, { headers, contentType: null, contentEncoding: headers["grpc-encoding"] ?? "identity", path: call.getPath() });
      await sleep(delayMs);
      if (behaviour === "fail") return callback({ code: grpc.status.UNAVAILABLE, details: "receiver behaviour: fail" });
      callback(null, {});
    },
  });
  const port = await new Promise((resolve, reject) => {
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }], false)
      : grpc.ServerCredentials.createInsecure();
    server.bindAsync(`${HOST}:0`, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return {
    port,
    close: async () => server.forceShutdown(),
  };
}

// ---- CLI ---------------------------------------------------------------------------------------------------

async function main() {
  const usage = "usage: otlp_receiver.mjs --protocol grpc|http/protobuf|http/json [--behaviour ok|fail|slow] [--delay-ms N]";
  let options;
  try {
    ({ values: options } = parseArgs({
      options: { protocol: { type: "string" }, behaviour: { type: "string", default: "ok" }, "delay-ms": { type: "string", default: "0" } },
    }));
    if (!/^\d+$/.test(options["delay-ms"])) throw new Error(`--delay-ms: not a non-negative integer: ${options["delay-ms"]}`);
    if (!PROTOCOLS.includes(options.protocol)) throw new Error(`--protocol: expected one of ${PROTOCOLS.join(", ")}, got ${options.protocol ?? "nothing"}`);
    if (!BEHAVIOURS.includes(options.behaviour)) throw new Error(`--behaviour: expected one of ${BEHAVIOURS.join(", ")}, got ${options.behaviour}`);
    if (options.behaviour === "slow" && Number(options["delay-ms"]) === 0) throw new Error("--behaviour slow: needs --delay-ms > 0");
  } catch (e) {
    console.error(`otlp_receiver: ${e.message}\n${usage}`);
    process.exit(2);
  }
  const line = (value) => process.stdout.write(JSON.stringify(value) + "\n");
  let receiver;
  try {
    receiver = await startOtlpReceiver({
      protocol: options.protocol,
      behaviour: options.behaviour,
      delayMs: Number(options["delay-ms"]),
      onExport: (request, meta) => line({ meta, request }),
      onError: (error) => line({ error }),
    });
  } catch (e) {
    console.error(`otlp_receiver: ${e.message}`);
    process.exit(1);
  }
  line({ port: receiver.port, endpoint: receiver.endpoint });
  const stop = async () => {
    await receiver.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
