// Self-check of the test MCP server (mcp_server.mjs), without igw: `node tests/e2e/mcp_server_check.mjs` exits 0
// when all holds (node:test reports what failed otherwise). Not named test_*: CTest does not run it.
//
// The server is driven with the official SDK client (Client + StreamableHTTPClientTransport) in every shape
// (SSE or JSON answers, stateful or stateless, paginated or not) and mode, and with raw fetch() calls that show
// the wire a hand-written client sees; those exchanges are printed (set MCP_CHECK_QUIET=1 to silence them).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, LATEST_PROTOCOL_VERSION, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { defaultTools, startMcpServer, textResult } from "./mcp_server.mjs";

const TIMEOUT = { timeout: 20000 };
const CALL = { timeout: 5000 }; // per SDK request
const FETCH_MS = 5000;
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const ACCEPT_BOTH = "application/json, text/event-stream";
const QUIET = process.env.MCP_CHECK_QUIET === "1";

// Nothing here may outlive its test; this only fires if a handle leaks.
setTimeout(() => {
  console.error("mcp_server_check: still running after 120 s, giving up");
  process.exit(1);
}, 120000).unref();

function show(title, value) {
  if (QUIET) return;
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  console.log(`\n===== ${title} =====\n${text}`);
}

async function withServer(options, fn) {
  const server = await startMcpServer(options);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

async function connect(url, headers = {}) {
  const client = new Client({ name: "mcp-server-check", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport, CALL);
  return { client, transport };
}

async function withClient(url, fn, headers) {
  const { client, transport } = await connect(url, headers);
  try {
    return await fn(client, transport);
  } finally {
    await client.close();
  }
}

// Every page of tools/list through the SDK client, following nextCursor.
async function listAllPages(client) {
  const pages = [];
  let cursor;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, CALL);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

// ---- raw HTTP, as a hand-written client sees it -------------------------------------------------------------

const initializeBody = (protocolVersion = "2025-06-18", id = 1) => ({
  jsonrpc: "2.0", id, method: "initialize",
  params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw-fetch", version: "1.0.0" } },
});

async function post(url, body, headers = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(FETCH_MS),
  });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), text };
}

const wire = (r) => `HTTP ${r.status}\n${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${r.text}`;

// The JSON-RPC messages of an answer, whatever its content type ("event: message" / "data: ..." frames for SSE).
function messagesOf(r) {
  if (!(r.headers["content-type"] ?? "").startsWith("text/event-stream")) return [JSON.parse(r.text)];
  const out = [];
  for (const frame of r.text.split(/\r?\n\r?\n/)) {
    const data = frame.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, ""));
    if (data.length) out.push(JSON.parse(data.join("\n")));
  }
  return out;
}

for (const jsonResponse of [false, true]) {
  const shape = jsonResponse ? "JSON" : "SSE";
  test(`raw wire (${shape} answers): initialize, initialized, tools/list, tools/call ok and isError, DELETE`, TIMEOUT, () =>
    withServer({ jsonResponse }, async (server) => {
      const init = await post(server.url, initializeBody());
      show(`${shape}: POST initialize (Accept: ${ACCEPT_BOTH})`, wire(init));
      assert.equal(init.status, 200);
      assert.equal(init.headers["content-type"], jsonResponse ? "application/json" : "text/event-stream");
      const sessionId = init.headers["mcp-session-id"];
      assert.match(sessionId, /^[0-9a-f-]{36}$/);
      if (!jsonResponse) assert.match(init.text, /^event: message\ndata: \{.*\}\n\n$/s);
      const [initAnswer] = messagesOf(init);
      assert.deepEqual(initAnswer, {
        result: { protocolVersion: "2025-06-18", capabilities: { tools: { listChanged: true } }, serverInfo: { name: "igw-e2e-mcp", version: "1.0.0" } },
        jsonrpc: "2.0", id: 1,
      });
      const session = { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" };

      // tools/list before notifications/initialized: the SDK server does not insist on the notification.
      const early = await post(server.url, { jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
      assert.equal(early.status, 200);
      assert.equal(messagesOf(early)[0].result.tools.length, 2);

      const initialized = await post(server.url, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
      show(`${shape}: POST notifications/initialized`, wire(initialized));
      assert.equal(initialized.status, 202);
      assert.equal(initialized.text, "");

      const list = await post(server.url, { jsonrpc: "2.0", id: 3, method: "tools/list" }, session);
      show(`${shape}: POST tools/list`, wire(list));
      assert.deepEqual(messagesOf(list)[0].result.tools.map((t) => t.name), ["get_weather", "lookup_order"]);

      const ok = await post(server.url, { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "get_weather", arguments: { city: "Paris" } } }, session);
      show(`${shape}: POST tools/call get_weather`, wire(ok));
      assert.deepEqual(messagesOf(ok)[0], { result: { content: [{ type: "text", text: "Sunny in Paris, 21 C" }] }, jsonrpc: "2.0", id: 4 });

      const failed = await post(server.url, { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "lookup_order", arguments: { order_id: "A-17", fail: true } } }, session);
      show(`${shape}: POST tools/call lookup_order (fail: true)`, wire(failed));
      assert.deepEqual(messagesOf(failed)[0], { result: { content: [{ type: "text", text: "order A-17 not found" }], isError: true }, jsonrpc: "2.0", id: 5 });

      const unknownTool = await post(server.url, { jsonrpc: "2.0", id: 6, method: "tools/call", params: { name: "no_such_tool", arguments: {} } }, session);
      show(`${shape}: POST tools/call of an unknown tool`, wire(unknownTool));
      const badArgs = await post(server.url, { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "get_weather", arguments: { town: "Paris" } } }, session);
      show(`${shape}: POST tools/call get_weather without city`, wire(badArgs));
      assert.equal(messagesOf(badArgs)[0].result.isError, true);

      const del = await fetch(server.url, { method: "DELETE", headers: session, signal: AbortSignal.timeout(FETCH_MS) });
      show(`${shape}: DELETE (end of session)`, `HTTP ${del.status}\n${await del.text()}`);
      assert.equal(del.status, 200);
      const after = await post(server.url, { jsonrpc: "2.0", id: 8, method: "tools/list" }, session);
      show(`${shape}: POST tools/list after DELETE`, wire(after));
      assert.equal(after.status, 404);
      assert.equal(server.sessions(), 1);
      assert.deepEqual(server.sessionIds(), []);
      assert.deepEqual(server.requests.map((r) => r.method), [
        "initialize", "tools/list", "notifications/initialized", "tools/list", "tools/call", "tools/call", "tools/call", "tools/call", null, "tools/list",
      ]);
      assert.deepEqual(server.calls.map((c) => [c.tool, c.arguments]), [
        ["get_weather", { city: "Paris" }], ["lookup_order", { order_id: "A-17", fail: true }], ["no_such_tool", {}], ["get_weather", { town: "Paris" }],
      ]);
    }));
}

test("raw wire: what the SDK transport refuses (Accept, session id, protocol version, bad JSON)", TIMEOUT, () =>
  withServer({ jsonResponse: true }, async (server) => {
    const refusals = {};
    const noSessionYet = await post(server.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    refusals["tools/list before any session exists"] = noSessionYet;
    assert.equal(noSessionYet.status, 400);

    for (const accept of ["application/json", "text/event-stream", "*/*"]) {
      const r = await post(server.url, initializeBody(), { accept });
      refusals[`initialize with Accept: ${accept}`] = r;
      assert.equal(r.status, 406);
    }
    const textPlain = await post(server.url, initializeBody(), { "content-type": "text/plain" });
    refusals["initialize with Content-Type: text/plain"] = textPlain;
    assert.equal(textPlain.status, 415);

    const newest = await post(server.url, initializeBody("2099-01-01"));
    assert.equal(newest.status, 200);
    show("initialize asking for protocolVersion 2099-01-01 (unknown): the server offers its latest", newest.text);
    assert.equal(JSON.parse(newest.text).result.protocolVersion, LATEST_PROTOCOL_VERSION);
    const oldest = await post(server.url, initializeBody("2025-03-26"));
    assert.equal(JSON.parse(oldest.text).result.protocolVersion, "2025-03-26");
    const sessionId = newest.headers["mcp-session-id"];

    const noSession = await post(server.url, { jsonrpc: "2.0", id: 2, method: "tools/list" });
    refusals["tools/list without Mcp-Session-Id"] = noSession;
    assert.equal(noSession.status, 400);
    const unknownSession = await post(server.url, { jsonrpc: "2.0", id: 3, method: "tools/list" }, { "mcp-session-id": "not-a-session" });
    refusals["tools/list with an unknown Mcp-Session-Id"] = unknownSession;
    assert.equal(unknownSession.status, 404);
    const badVersion = await post(server.url, { jsonrpc: "2.0", id: 4, method: "tools/list" }, { "mcp-session-id": sessionId, "mcp-protocol-version": "1999-01-01" });
    refusals["tools/list with Mcp-Protocol-Version: 1999-01-01"] = badVersion;
    assert.equal(badVersion.status, 400);
    const noVersion = await post(server.url, { jsonrpc: "2.0", id: 5, method: "tools/list" }, { "mcp-session-id": sessionId });
    assert.equal(noVersion.status, 200, "no Mcp-Protocol-Version header: accepted");
    const notJson = await post(server.url, "{not json", { "mcp-session-id": sessionId });
    refusals["a body that is not JSON"] = notJson;
    assert.equal(notJson.status, 400);
    const reinit = await post(server.url, initializeBody(), { "mcp-session-id": sessionId });
    refusals["initialize again on a live session"] = reinit;
    assert.equal(reinit.status, 400);
    const get = await fetch(server.url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_MS) });
    refusals["GET without Accept: text/event-stream"] = { status: get.status, headers: Object.fromEntries(get.headers), text: await get.text() };

    for (const [what, r] of Object.entries(refusals)) {
      show(`refused: ${what}`, `HTTP ${r.status} ${r.headers["content-type"] ?? ""}\n${r.text}`);
      assert.equal(JSON.parse(r.text).jsonrpc, "2.0", what);
    }

    await server.dropSessions();
    const dropped = await post(server.url, { jsonrpc: "2.0", id: 6, method: "tools/list" }, { "mcp-session-id": sessionId });
    show("tools/list on a session the server dropped (dropSessions)", wire(dropped));
    assert.equal(dropped.status, 404);
    assert.equal(JSON.parse(dropped.text).error.code, -32001);
  }));

test("raw wire: a slow tools/call in SSE mode sends the headers first, then the event", TIMEOUT, () =>
  withServer({ mode: "slow", delayMs: 500 }, async (server) => {
    const init = await post(server.url, initializeBody());
    const session = { "mcp-session-id": init.headers["mcp-session-id"] };
    const started = Date.now();
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT_BOTH, ...session },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get_weather", arguments: { city: "Oslo" } } }),
      signal: AbortSignal.timeout(FETCH_MS),
    });
    const headersAfter = Date.now() - started;
    const text = await res.text();
    const bodyAfter = Date.now() - started;
    show("SSE: slow tools/call (headers, then the event after delayMs)",
      `headers after ${headersAfter} ms, body complete after ${bodyAfter} ms\n${wire({ status: res.status, headers: Object.fromEntries(res.headers), text })}`);
    assert.ok(headersAfter < 400, `headers after ${headersAfter} ms`);
    assert.ok(bodyAfter >= 490, `body after ${bodyAfter} ms`);
    assert.equal(res.headers.get("transfer-encoding"), "chunked");
  }));

// ---- the SDK client ---------------------------------------------------------------------------------------

for (const stateless of [false, true]) {
  for (const jsonResponse of [false, true]) {
    const shape = `${stateless ? "stateless" : "stateful"}, ${jsonResponse ? "JSON" : "SSE"}`;
    test(`SDK client (${shape}): initialize, listTools, both tools, failure; what was recorded`, TIMEOUT, () =>
      withServer({ stateless, jsonResponse }, async (server) => {
        await withClient(server.url, async (client, transport) => {
          assert.deepEqual(client.getServerVersion(), { name: "igw-e2e-mcp", version: "1.0.0" });
          assert.deepEqual(client.getServerCapabilities(), { tools: { listChanged: true } });
          if (stateless) assert.equal(transport.sessionId, undefined);
          else assert.deepEqual(server.sessionIds(), [transport.sessionId]);

          const { tools, nextCursor } = await client.listTools({}, CALL);
          assert.equal(nextCursor, undefined);
          assert.deepEqual(tools.map((t) => t.name), ["get_weather", "lookup_order"]);
          assert.deepEqual(tools[0].inputSchema.required, ["city"]);
          assert.deepEqual(tools[1].inputSchema.required, ["order_id"]);

          assert.deepEqual(await client.callTool({ name: "get_weather", arguments: { city: "Lyon" } }, undefined, CALL),
            { content: [{ type: "text", text: "Sunny in Lyon, 21 C" }] });
          assert.deepEqual(await client.callTool({ name: "lookup_order", arguments: { order_id: "B-2" } }, undefined, CALL),
            { content: [{ type: "text", text: "order B-2: shipped" }] });
          assert.deepEqual(await client.callTool({ name: "lookup_order", arguments: { order_id: "B-3", fail: true } }, undefined, CALL),
            { content: [{ type: "text", text: "order B-3 not found" }], isError: true });

          assert.equal(server.sessions(), 1);
          assert.deepEqual(server.calls.map((c) => [c.tool, c.arguments]), [
            ["get_weather", { city: "Lyon" }], ["lookup_order", { order_id: "B-2" }], ["lookup_order", { order_id: "B-3", fail: true }],
          ]);
          for (const call of server.calls) {
            assert.equal(call.headers.traceparent, TRACEPARENT);
            assert.equal(call.headers.authorization, undefined);
            assert.equal(call.headers["mcp-protocol-version"], LATEST_PROTOCOL_VERSION);
            assert.equal(call.sessionId, stateless ? null : transport.sessionId);
          }
          const methods = server.requests.filter((r) => r.method).map((r) => r.method);
          assert.deepEqual(methods, ["initialize", "notifications/initialized", "tools/list", "tools/call", "tools/call", "tools/call"]);
          assert.equal(server.requests[0].sessionId, null);
        }, { traceparent: TRACEPARENT });
      }));
  }
}

test("SDK client: the session ends with DELETE (terminateSession)", TIMEOUT, () =>
  withServer({}, async (server) => {
    await withClient(server.url, async (client, transport) => {
      assert.equal(server.sessionIds().length, 1);
      await transport.terminateSession();
      assert.deepEqual(server.sessionIds(), []);
      assert.ok(server.requests.some((r) => r.httpMethod === "DELETE"));
    });
  }));

test("pagination: pageSize pages tools/list with nextCursor; the pages add up to the unpaginated list", TIMEOUT, async () => {
  const tools = [
    ...defaultTools(),
    { name: "echo", title: "Echo", description: "Says it back", inputSchema: { text: z.string() }, run: ({ text }) => textResult(text) },
  ];
  const whole = await withServer({ tools }, (server) => withClient(server.url, (client) => client.listTools({}, CALL)));
  assert.equal(whole.nextCursor, undefined);
  assert.equal(whole.tools.length, 3);
  for (const [pageSize, sizes] of [[1, [1, 1, 1]], [2, [2, 1]], [3, [3]], [10, [3]]]) {
    await withServer({ tools, pageSize }, (server) => withClient(server.url, async (client) => {
      const pages = await listAllPages(client);
      assert.deepEqual(pages.map((p) => p.tools.length), sizes, `pageSize ${pageSize}`);
      assert.deepEqual(pages.flatMap((p) => p.tools), whole.tools, `pageSize ${pageSize}: same definitions as McpServer's own list`);
      if (pageSize === 2) {
        const init = await post(server.url, initializeBody());
        const session = { "mcp-session-id": init.headers["mcp-session-id"] };
        const first = await post(server.url, { jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
        const cursor = messagesOf(first)[0].result.nextCursor;
        const second = await post(server.url, { jsonrpc: "2.0", id: 3, method: "tools/list", params: { cursor } }, session);
        show("SSE, pageSize 2: POST tools/list", wire(first));
        show(`SSE, pageSize 2: POST tools/list with params {"cursor":"${cursor}"}`, wire(second));
        assert.equal(messagesOf(second)[0].result.nextCursor, undefined);
        const stale = await post(server.url, { jsonrpc: "2.0", id: 4, method: "tools/list", params: { cursor: "bogus" } }, session);
        show("SSE, pageSize 2: POST tools/list with a cursor it did not hand out", wire(stale));
        assert.equal(messagesOf(stale)[0].error.code, ErrorCode.InvalidParams);
      }
      await assert.rejects(client.listTools({ cursor: "bogus" }, CALL), (e) => e instanceof McpError && e.code === ErrorCode.InvalidParams);
      assert.deepEqual(await client.callTool({ name: "echo", arguments: { text: "hi" } }, undefined, CALL), textResult("hi"));
    }));
  }
});

// ---- modes ------------------------------------------------------------------------------------------------

test("mode tool_error: every tools/call returns isError", TIMEOUT, () =>
  withServer({ mode: "tool_error" }, (server) => withClient(server.url, async (client) => {
    assert.deepEqual(await client.callTool({ name: "get_weather", arguments: { city: "Rome" } }, undefined, CALL),
      textResult("get_weather failed (mode tool_error)", true));
    assert.deepEqual(await client.callTool({ name: "lookup_order", arguments: { order_id: "C-1" } }, undefined, CALL),
      textResult("order C-1 not found", true));
    server.setMode("ok");
    assert.deepEqual(await client.callTool({ name: "lookup_order", arguments: { order_id: "C-1" } }, undefined, CALL),
      textResult("order C-1: shipped"));
  })));

test("mode http_500: every POST answers 500, initialize included", TIMEOUT, () =>
  withServer({}, async (server) => {
    await withClient(server.url, async (client) => {
      server.setMode("http_500");
      await assert.rejects(client.callTool({ name: "get_weather", arguments: { city: "Bern" } }, undefined, CALL),
        (e) => e.code === 500 && /Streamable HTTP error/.test(e.message));
      await assert.rejects(client.listTools({}, CALL), (e) => e.code === 500);
    });
    await assert.rejects(connect(server.url), (e) => e.code === 500);
    const raw = await post(server.url, initializeBody());
    show("mode http_500: POST initialize", wire(raw));
    assert.equal(raw.status, 500);
    assert.equal(server.calls.length, 1, "the call that got a 500 is recorded");
  }));

for (const jsonResponse of [false, true]) {
  test(`mode hang (${jsonResponse ? "JSON" : "SSE"}): tools/call never answers, the rest does; close() ends it`, TIMEOUT, async () => {
    const server = await startMcpServer({ jsonResponse, mode: "hang" });
    const { client } = await connect(server.url);
    try {
      const started = Date.now();
      await assert.rejects(client.callTool({ name: "get_weather", arguments: { city: "Riga" } }, undefined, { timeout: 400 }),
        (e) => e instanceof McpError && e.code === ErrorCode.RequestTimeout);
      assert.ok(Date.now() - started >= 390);
      assert.equal((await client.listTools({}, CALL)).tools.length, 2, "tools/list still answers");
      assert.deepEqual(server.calls.map((c) => c.arguments), [{ city: "Riga" }]);

      // A raw request stays unanswered until close().
      const pending = fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: ACCEPT_BOTH, "mcp-session-id": server.sessionIds()[0] },
        body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/call", params: { name: "get_weather", arguments: { city: "Kyiv" } } }),
        signal: AbortSignal.timeout(FETCH_MS),
      }).then(() => "answered", (e) => `failed: ${e.cause?.code ?? e.name}`);
      const early = await Promise.race([pending, new Promise((r) => setTimeout(() => r("pending"), 300))]);
      assert.equal(early, "pending");
      const closing = Date.now();
      await server.close();
      assert.ok(Date.now() - closing < 2000, "close() does not wait for held requests");
      assert.match(await pending, /^failed/);
    } finally {
      await client.close();
      await server.close();
    }
  });
}

test("mode slow: tools/call answers after delayMs; setMode('slow') needs a delay", TIMEOUT, () =>
  withServer({ delayMs: 0 }, (server) => withClient(server.url, async (client) => {
    assert.throws(() => server.setMode("slow"), /needs delayMs > 0/);
    assert.throws(() => server.setMode("flaky"), /mode: expected one of/);
    server.setMode("slow", { delayMs: 300 });
    const started = Date.now();
    assert.deepEqual(await client.callTool({ name: "get_weather", arguments: { city: "Nice" } }, undefined, CALL), textResult("Sunny in Nice, 21 C"));
    assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
  })));

test("startMcpServer refuses bad options", TIMEOUT, async () => {
  await assert.rejects(startMcpServer({ mode: "slow" }), /needs delayMs > 0/);
  await assert.rejects(startMcpServer({ pageSize: 0 }), /pageSize/);
  await assert.rejects(startMcpServer({ tools: [{ name: "x" }] }), /tools/);
});

// ---- CLI --------------------------------------------------------------------------------------------------

test("CLI: prints {url}, serves the SDK client, exits 0 on SIGTERM; a usage error exits 2", TIMEOUT, async () => {
  const script = fileURLToPath(new URL("./mcp_server.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, "--json", "--page-size", "1"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = JSON.parse((await lines.next()).value);
    assert.deepEqual(Object.keys(first), ["url"]);
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    await withClient(first.url, async (client) => {
      const pages = await listAllPages(client);
      assert.equal(pages.length, 2);
    });
    const raw = await post(first.url, initializeBody());
    assert.equal(raw.headers["content-type"], "application/json");
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  const bad = spawn(process.execPath, [script, "--mode", "sometimes"], { stdio: "ignore" });
  const [code] = await once(bad, "exit");
  assert.equal(code, 2);
});
