// A test-only MCP server for the gateway's end-to-end tests: the official TypeScript SDK's McpServer behind its
// StreamableHTTPServerTransport, on node's http server, 127.0.0.1, port 0 by default, path /mcp. Every JSON-RPC
// answer on the wire is the SDK's: igw's MCP client is checked against the real server, not a transcription.
//
// This module only routes HTTP requests to SDK transports, records what arrived and injects failures:
//   - stateful (default): one McpServer + transport per session (Mcp-Session-Id from randomUUID). A request
//     naming a session this server does not hold goes to a closed SDK transport (which answers 404, JSON-RPC
//     -32001 "Session not found"); a request without Mcp-Session-Id that is not an initialize goes to the newest
//     live session's transport, or to an uninitialized one when there is none (the SDK answers 400, -32000,
//     "Bad Request: Mcp-Session-Id header is required" / "Bad Request: Server not initialized").
//   - stateless: a fresh McpServer + transport per HTTP request (sessionIdGenerator undefined), as the SDK's
//     stateless example does.
//   - pageSize: McpServer answers tools/list with every tool and no cursor, so with pageSize the low-level
//     Server's tools/list handler is replaced (server.server.setRequestHandler(ListToolsRequestSchema)) by one
//     that pages the same definitions (the input schemas converted with the SDK's own zod → JSON Schema helper),
//     with an opaque nextCursor; a cursor it did not hand out is an McpError InvalidParams (-32602).
//
// Modes (setMode): 'ok'; 'slow' (every tools/call answers after delayMs); 'hang' (an HTTP request carrying a
// tools/call is never answered until close()); 'http_500' (every POST answers 500, text/plain, no JSON-RPC);
// 'tool_error' (every tools/call returns a result with isError: true).
//
// Library: startMcpServer(opts) → handle, see below. defaultTools() gives the default tool set.
// CLI: node tests/e2e/mcp_server.mjs [--port N] [--json] [--stateless] [--page-size N]
//      [--mode ok|slow|hang|http_500|tool_error] [--delay-ms N]
//   prints {"url":"http://127.0.0.1:N/mcp"} as one line on stdout and serves until SIGTERM or SIGINT.
//   Exit codes: 0 after SIGTERM/SIGINT, 1 when it cannot listen, 2 on a usage error.
import { randomUUID } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { normalizeObjectSchema } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import { toJsonSchemaCompat } from "@modelcontextprotocol/sdk/server/zod-json-schema-compat.js";
import { ErrorCode, isInitializeRequest, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

export const MCP_PATH = "/mcp";
export const MODES = ["ok", "slow", "hang", "http_500", "tool_error"];
export const SERVER_INFO = { name: "igw-e2e-mcp", version: "1.0.0" };

const HOST = "127.0.0.1";
const MAX_BODY_BYTES = 16 << 20;

export const textResult = (text, isError = false) => ({ content: [{ type: "text", text }], ...(isError ? { isError: true } : {}) });

// A tool: { name, title?, description, inputSchema (a zod object or raw shape), run(args, ctx) → CallToolResult }.
// ctx = { failing (true in mode 'tool_error'), headers, sessionId }. In mode 'tool_error' a result without isError is
// replaced by `${name} failed (mode tool_error)` with isError.
export function defaultTools() {
  return [
    {
      name: "get_weather",
      description: "Current weather of a city",
      inputSchema: z.object({ city: z.string().describe("City name") }),
      run: ({ city }) => textResult(`Sunny in ${city}, 21 C`),
    },
    {
      name: "lookup_order",
      description: "Shipping status of an order",
      inputSchema: z.object({
        order_id: z.string().describe("Order number"),
        fail: z.boolean().optional().describe("Answer as if the order did not exist"),
      }),
      run: ({ order_id, fail }, { failing }) => (fail || failing
        ? textResult(`order ${order_id} not found`, true)
        : textResult(`order ${order_id}: shipped`)),
    },
  ];
}

// The tools/list entry McpServer itself gives a registered tool (RegisteredTool, what registerTool returns): the
// same fields, the schemas converted with the same SDK helper and options.
function toolDefinition(name, tool) {
  const jsonSchema = (schema, pipeStrategy) => {
    const object = normalizeObjectSchema(schema);
    return object ? toJsonSchemaCompat(object, { strictUnions: true, pipeStrategy }) : undefined;
  };
  const definition = {
    name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.inputSchema, "input") ?? { type: "object", properties: {} },
    annotations: tool.annotations,
    execution: tool.execution,
    _meta: tool._meta,
  };
  const outputSchema = tool.outputSchema && jsonSchema(tool.outputSchema, "output");
  if (outputSchema) definition.outputSchema = outputSchema;
  return definition;
}

const encodeCursor = (offset) => Buffer.from(`offset:${offset}`).toString("base64url");
function decodeCursor(cursor, total) {
  const m = /^offset:(\d+)$/.exec(Buffer.from(String(cursor), "base64url").toString("utf8"));
  const offset = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(offset) || offset <= 0 || offset >= total) {
    throw new McpError(ErrorCode.InvalidParams, `invalid cursor: ${JSON.stringify(cursor)}`);
  }
  return offset;
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

// Starts a server; resolves to the handle:
//   url          http://127.0.0.1:<port>/mcp
//   port
//   calls        [{ tool, arguments, headers, sessionId }]: every tools/call that reached the server, as sent
//                (arguments unvalidated, headers the raw node request headers, lower-case), whatever it was
//                answered (hang and http_500 included)
//   requests     [{ httpMethod, method, id, headers, sessionId }]: one per JSON-RPC message of every POST (method
//                null for a response or an unparsable body), one per GET/DELETE (method null); sessionId is the
//                request's Mcp-Session-Id header or null
//   sessions()   number of sessions initialized (stateless: initialize requests served)
//   sessionIds() ids of the live sessions (stateful)
//   dropSessions() forgets every session as a restarted server would: their ids now answer 404
//   setMode(mode, { delayMs }?)
//   close()
// Options: port (0), jsonResponse (false: SSE answers; true: enableJsonResponse), stateless (false), tools
// (defaultTools()), pageSize (undefined: one page), mode ('ok'), delayMs (0; mode 'slow' needs > 0), name
// (serverInfo.name), keepAliveMs (SSE keep-alive comment interval; the SDK's default, 15 s, when undefined).
export async function startMcpServer({
  port = 0, jsonResponse = false, stateless = false, tools = defaultTools(), pageSize, mode = "ok", delayMs = 0,
  name = SERVER_INFO.name, keepAliveMs,
} = {}) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port: expected 0..65535, got ${JSON.stringify(port)}`);
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) throw new Error(`pageSize: expected a positive integer, got ${JSON.stringify(pageSize)}`);
  if (!Array.isArray(tools) || tools.some((t) => typeof t?.name !== "string" || typeof t.run !== "function")) {
    throw new Error("tools: expected an array of { name, description, inputSchema, run }");
  }
  const state = { mode: "ok", delayMs: 0, closing: false };
  const setMode = (next, { delayMs: nextDelay = state.delayMs } = {}) => {
    if (!MODES.includes(next)) throw new Error(`mode: expected one of ${MODES.join(", ")}, got ${JSON.stringify(next)}`);
    if (!Number.isInteger(nextDelay) || nextDelay < 0) throw new Error(`delayMs: expected a non-negative integer, got ${JSON.stringify(nextDelay)}`);
    if (next === "slow" && nextDelay === 0) throw new Error("mode 'slow': needs delayMs > 0");
    state.mode = next;
    state.delayMs = nextDelay;
  };
  setMode(mode, { delayMs });

  const calls = [];
  const requests = [];
  let initialized = 0;
  const live = new Map(); // session id → { server, transport }
  const servers = new Set(); // every McpServer connected, to close them all
  const held = new Set(); // responses withheld in mode 'hang'
  const timers = new Set();
  const sleep = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
    timers.add(timer);
  });
  const transportOptions = { enableJsonResponse: jsonResponse, ...(keepAliveMs !== undefined ? { keepAliveMs } : {}) };

  function buildServer() {
    const server = new McpServer({ name, version: SERVER_INFO.version });
    const registered = new Map(); // name → RegisteredTool
    for (const tool of tools) {
      registered.set(tool.name, server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.inputSchema }, async (args, extra) => {
        if (state.mode === "slow") await sleep(state.delayMs);
        const failing = state.mode === "tool_error";
        const result = await tool.run(args, { failing, headers: extra.requestInfo?.headers ?? {}, sessionId: extra.sessionId ?? null });
        return failing && !result?.isError ? textResult(`${tool.name} failed (mode tool_error)`, true) : result;
      }));
    }
    if (pageSize !== undefined) {
      server.server.setRequestHandler(ListToolsRequestSchema, (request) => {
        const all = [...registered].filter(([, tool]) => tool.enabled).map(([toolName, tool]) => toolDefinition(toolName, tool));
        const cursor = request.params?.cursor;
        const offset = cursor === undefined ? 0 : decodeCursor(cursor, all.length);
        const next = offset + pageSize;
        return { tools: all.slice(offset, next), ...(next < all.length ? { nextCursor: encodeCursor(next) } : {}) };
      });
    }
    servers.add(server);
    return server;
  }

  // A closed transport answers every request 404 "Session not found".
  const tombstone = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  await tombstone.close();

  async function newSession() {
    const server = buildServer();
    const transport = new StreamableHTTPServerTransport({
      ...transportOptions,
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        live.set(id, { server, transport });
        initialized += 1;
      },
      onsessionclosed: (id) => { live.delete(id); },
    });
    transport.onclose = () => {
      if (transport.sessionId) live.delete(transport.sessionId);
      servers.delete(server);
    };
    await server.connect(transport);
    return transport;
  }

  async function statefulTransport(req, messages) {
    const sessionId = req.headers["mcp-session-id"];
    if (sessionId !== undefined) return live.get(sessionId)?.transport ?? tombstone;
    if (req.method === "POST" && messages.some((m) => isInitializeRequest(m))) return newSession();
    const newest = [...live.values()].at(-1);
    if (newest) return newest.transport;
    return new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() }); // "Server not initialized"
  }

  async function handle(req, res) {
    if (new URL(req.url, "http://mcp").pathname !== MCP_PATH) {
      req.resume();
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${req.url} (the MCP endpoint is ${MCP_PATH})\n`);
      return;
    }
    const headers = { ...req.headers };
    const sessionId = req.headers["mcp-session-id"] ?? null;
    let messages = [];
    let parsedBody;
    if (req.method === "POST") {
      const raw = (await readBody(req)).toString("utf8");
      try {
        parsedBody = JSON.parse(raw);
      } catch {
        parsedBody = raw; // not JSON: the SDK answers 400 -32700 "Parse error: Invalid JSON-RPC message"
      }
      if (Array.isArray(parsedBody)) messages = parsedBody;
      else if (parsedBody !== null && typeof parsedBody === "object") messages = [parsedBody];
    }
    if (messages.length === 0) requests.push({ httpMethod: req.method, method: null, id: null, headers, sessionId });
    for (const m of messages) {
      const method = typeof m?.method === "string" ? m.method : null;
      requests.push({ httpMethod: req.method, method, id: m?.id ?? null, headers, sessionId });
      if (method === "tools/call") calls.push({ tool: m.params?.name, arguments: m.params?.arguments, headers, sessionId });
    }

    if (req.method === "POST" && state.mode === "http_500") {
      res.writeHead(500, { "content-type": "text/plain" }).end("mcp_server: mode http_500\n");
      return;
    }
    if (state.mode === "hang" && messages.some((m) => m?.method === "tools/call")) {
      held.add(res);
      res.on("close", () => held.delete(res));
      return;
    }

    if (stateless) {
      const server = buildServer();
      const transport = new StreamableHTTPServerTransport({ ...transportOptions, sessionIdGenerator: undefined });
      res.on("close", () => {
        transport.close().catch(() => {});
        server.close().catch(() => {});
        servers.delete(server);
      });
      await server.connect(transport);
      if (messages.some((m) => isInitializeRequest(m))) initialized += 1;
      await transport.handleRequest(req, res, parsedBody);
      return;
    }
    const transport = await statefulTransport(req, messages);
    await transport.handleRequest(req, res, parsedBody);
  }

  const httpServer = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (state.closing) return;
      console.error(`mcp_server: ${req.method} ${req.url}: ${e.stack ?? e}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end(`mcp_server: ${e.message}\n`);
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, HOST, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const boundPort = httpServer.address().port;

  const dropSessions = async () => {
    const entries = [...live.values()];
    live.clear();
    await Promise.all(entries.map(({ server }) => server.close().catch(() => {})));
  };

  return {
    url: `http://${HOST}:${boundPort}${MCP_PATH}`,
    port: boundPort,
    calls,
    requests,
    sessions: () => initialized,
    sessionIds: () => [...live.keys()],
    dropSessions,
    setMode,
    get mode() { return state.mode; },
    async close() {
      if (state.closing) return;
      state.closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const res of held) res.destroy();
      held.clear();
      live.clear();
      await Promise.all([...servers].map((s) => s.close().catch(() => {})));
      servers.clear();
      await new Promise((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

// ---- CLI ---------------------------------------------------------------------------------------------------

async function main() {
  const usage = "usage: mcp_server.mjs [--port N] [--json] [--stateless] [--page-size N] [--mode ok|slow|hang|http_500|tool_error] [--delay-ms N]";
  let options;
  try {
    ({ values: options } = parseArgs({
      options: {
        port: { type: "string", default: "0" },
        json: { type: "boolean", default: false },
        stateless: { type: "boolean", default: false },
        "page-size": { type: "string" },
        mode: { type: "string", default: "ok" },
        "delay-ms": { type: "string", default: "0" },
      },
    }));
    for (const key of ["port", "page-size", "delay-ms"]) {
      if (options[key] !== undefined && !/^\d+$/.test(options[key])) throw new Error(`--${key}: not a non-negative integer: ${options[key]}`);
    }
    if (!MODES.includes(options.mode)) throw new Error(`--mode: expected one of ${MODES.join(", ")}, got ${options.mode}`);
    if (options.mode === "slow" && Number(options["delay-ms"]) === 0) throw new Error("--mode slow: needs --delay-ms > 0");
    if (options["page-size"] !== undefined && Number(options["page-size"]) === 0) throw new Error("--page-size: must be > 0");
  } catch (e) {
    console.error(`mcp_server: ${e.message}\n${usage}`);
    process.exit(2);
  }
  let server;
  try {
    server = await startMcpServer({
      port: Number(options.port),
      jsonResponse: options.json,
      stateless: options.stateless,
      pageSize: options["page-size"] === undefined ? undefined : Number(options["page-size"]),
      mode: options.mode,
      delayMs: Number(options["delay-ms"]),
    });
  } catch (e) {
    console.error(`mcp_server: ${e.message}`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ url: server.url }) + "\n");
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
