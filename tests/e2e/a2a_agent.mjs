// A test-only A2A agent for the gateway's end-to-end tests: the official @a2a-js/sdk server (DefaultRequestHandler,
// an AgentExecutor, the Express agentCardHandler and jsonRpcHandler) on 127.0.0.1, port 0 by default. Every
// answer on the wire is the SDK's: igw's A2A client is checked against the real server, not a transcription.
//
// @a2a-js/sdk 1.x implements A2A v1.0 (JSON-RPC method "SendMessage", enum-style roles, parts without "kind") and
// keeps v0.3 (method "message/send", kind "message", role "agent") behind its compat layer, which is enabled
// here on both the card and the JSON-RPC endpoint. The SDK picks the version from the A2A-Version request header:
// absent or "0.3" → v0.3, "1.0" → v1.0. So a plain GET of the card gets the v0.3 card (top-level "url" = the
// JSON-RPC endpoint) and a plain message/send is answered in v0.3; the SDK's own client sends A2A-Version: 1.0
// and gets v1.0 (card with supportedInterfaces, which lists the endpoint for both versions).
//
// The agent card is at /.well-known/agent-card.json (the SDK's AGENT_CARD_PATH; it serves no other card path),
// the JSON-RPC endpoint at /a2a/jsonrpc (the card's url, deliberately not the base URL). The agent answers every
// message with a Message (v0.3: kind "message", role "agent") whose one text part is reply(text), by default
// `translated: <text received>`.
//
// Modes (setMode): 'ok'; 'task' (answers a completed Task whose artifact holds the reply, instead of a Message);
// 'slow' (answers after delayMs); 'hang' (a message is never answered until close()); 'fail' (a message is
// answered with a JSON-RPC error, -32603 from the SDK's mapping of an error thrown by the request handler).
//
// Library: startA2aAgent(opts) → handle, see below.
// CLI: node tests/e2e/a2a_agent.mjs [--port N] [--name NAME] [--mode ok|task|slow|hang|fail] [--delay-ms N]
//   prints {"url":"http://127.0.0.1:N"} (the base URL) as one line on stdout and serves until SIGTERM or SIGINT.
//   Exit codes: 0 after SIGTERM/SIGINT, 1 when it cannot listen, 2 on a usage error.
import { randomUUID } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AGENT_CARD_PATH, AgentCard, Message, Task } from "@a2a-js/sdk";
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, STATE_HEADERS_KEY } from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, UserBuilder } from "@a2a-js/sdk/server/express";
import express from "express";

export const CARD_PATH = `/${AGENT_CARD_PATH}`;
export const RPC_PATH = "/a2a/jsonrpc";
export const MODES = ["ok", "task", "slow", "hang", "fail"];

const HOST = "127.0.0.1";

// The text parts of an SDK message (v1.0 object form: parts[].content = { $case: "text", value }), joined.
const textOf = (message) => (message?.parts ?? [])
  .filter((p) => p.content?.$case === "text")
  .map((p) => p.content.value)
  .join("\n");

// Starts an agent; resolves to the handle:
//   url        base URL, http://127.0.0.1:<port> (what A2A_AGENTS lists)
//   cardUrl    <url>/.well-known/agent-card.json
//   rpcUrl     <url>/a2a/jsonrpc, the JSON-RPC endpoint the card names
//   port
//   received   [{ text, headers, version }]: every message/send (or SendMessage) that reached the agent, whatever
//              it was answered: its text parts joined, the raw request headers (lower-case), and the A2A version
//              the SDK served it with ("0.3" when no A2A-Version header came)
//   requests   [{ httpMethod, path, headers }]: every HTTP request (card fetches included)
//   setMode(mode, { delayMs }?)
//   close()
// Options: port (0), name ("Translator"), description, reply ((text) => string or a promise of one; default
// `translated: ${text}`), mode ('ok'), delayMs (0; mode 'slow' needs > 0).
export async function startA2aAgent({
  port = 0, name = "Translator", description = "Translates the text it receives (igw end-to-end test agent)",
  reply = (text) => `translated: ${text}`, mode = "ok", delayMs = 0,
} = {}) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port: expected 0..65535, got ${JSON.stringify(port)}`);
  if (typeof reply !== "function") throw new Error("reply: expected a function (text) => string");
  const state = { mode: "ok", delayMs: 0, closing: false };
  const setMode = (next, { delayMs: nextDelay = state.delayMs } = {}) => {
    if (!MODES.includes(next)) throw new Error(`mode: expected one of ${MODES.join(", ")}, got ${JSON.stringify(next)}`);
    if (!Number.isInteger(nextDelay) || nextDelay < 0) throw new Error(`delayMs: expected a non-negative integer, got ${JSON.stringify(nextDelay)}`);
    if (next === "slow" && nextDelay === 0) throw new Error("mode 'slow': needs delayMs > 0");
    state.mode = next;
    state.delayMs = nextDelay;
  };
  setMode(mode, { delayMs });

  const received = [];
  const requests = [];
  const timers = new Set();
  const sleep = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
    timers.add(timer);
  });

  // Listen first: the card names the endpoint with the real port.
  const httpServer = http.createServer();
  await new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, HOST, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const boundPort = httpServer.address().port;
  const base = `http://${HOST}:${boundPort}`;
  const rpcUrl = base + RPC_PATH;

  const card = AgentCard.fromJSON({
    name,
    description,
    version: "1.0.0",
    supportedInterfaces: [
      { url: rpcUrl, protocolBinding: "JSONRPC", protocolVersion: "1.0" },
      { url: rpcUrl, protocolBinding: "JSONRPC", protocolVersion: "0.3" },
    ],
    provider: { organization: "igw end-to-end tests", url: "https://example.invalid/igw" },
    capabilities: { streaming: false, pushNotifications: false },
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: [{
      id: "translate",
      name: "Translate",
      description: "Translates the text of the message into English",
      tags: ["translation", "text"],
      examples: ["Translate 'bonjour le monde'"],
    }],
  });

  const executor = {
    async execute(context, eventBus) {
      if (state.mode === "slow") await sleep(state.delayMs);
      const answer = String(await reply(textOf(context.userMessage)));
      const contextId = context.contextId;
      if (state.mode === "task") {
        eventBus.publish(AgentEvent.task(Task.fromJSON({
          id: context.taskId,
          contextId,
          status: { state: "TASK_STATE_COMPLETED", timestamp: new Date().toISOString() },
          artifacts: [{ artifactId: randomUUID(), name: "translation", parts: [{ text: answer, mediaType: "text/plain" }] }],
          history: [Message.toJSON(context.userMessage)],
        })));
      } else {
        eventBus.publish(AgentEvent.message(Message.fromJSON({
          messageId: randomUUID(),
          contextId,
          role: "ROLE_AGENT",
          parts: [{ text: answer, mediaType: "text/plain" }],
        })));
      }
      eventBus.finished();
    },
    async cancelTask() {},
  };

  // The SDK's handler; only records what arrived and injects the failure modes around it.
  class PeerRequestHandler extends DefaultRequestHandler {
    async arrive(params, context) {
      received.push({
        text: textOf(params.message),
        headers: { ...(context.state.get(STATE_HEADERS_KEY) ?? {}) },
        version: context.requestedVersion,
      });
      if (state.mode === "fail") throw new Error("a2a_agent: mode fail");
      if (state.mode === "hang") await new Promise(() => {}); // released by close(), which drops the connection
    }

    async sendMessage(params, context) {
      await this.arrive(params, context);
      return super.sendMessage(params, context);
    }

    async* sendMessageStream(params, context) {
      await this.arrive(params, context);
      yield* super.sendMessageStream(params, context);
    }
  }
  const requestHandler = new PeerRequestHandler(card, new InMemoryTaskStore(), executor);

  const app = express();
  app.use((req, res, next) => {
    requests.push({ httpMethod: req.method, path: req.originalUrl, headers: { ...req.headers } });
    next();
  });
  app.use(CARD_PATH, agentCardHandler({ agentCardProvider: requestHandler, legacyCompat: { enabled: true } }));
  app.use(RPC_PATH, jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));
  httpServer.on("request", app);

  return {
    url: base,
    cardUrl: base + CARD_PATH,
    rpcUrl,
    port: boundPort,
    received,
    requests,
    setMode,
    get mode() { return state.mode; },
    async close() {
      if (state.closing) return;
      state.closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

// ---- CLI ---------------------------------------------------------------------------------------------------

async function main() {
  const usage = "usage: a2a_agent.mjs [--port N] [--name NAME] [--mode ok|task|slow|hang|fail] [--delay-ms N]";
  let options;
  try {
    ({ values: options } = parseArgs({
      options: {
        port: { type: "string", default: "0" },
        name: { type: "string", default: "Translator" },
        mode: { type: "string", default: "ok" },
        "delay-ms": { type: "string", default: "0" },
      },
    }));
    for (const key of ["port", "delay-ms"]) {
      if (!/^\d+$/.test(options[key])) throw new Error(`--${key}: not a non-negative integer: ${options[key]}`);
    }
    if (!MODES.includes(options.mode)) throw new Error(`--mode: expected one of ${MODES.join(", ")}, got ${options.mode}`);
    if (options.mode === "slow" && Number(options["delay-ms"]) === 0) throw new Error("--mode slow: needs --delay-ms > 0");
  } catch (e) {
    console.error(`a2a_agent: ${e.message}\n${usage}`);
    process.exit(2);
  }
  let agent;
  try {
    agent = await startA2aAgent({ port: Number(options.port), name: options.name, mode: options.mode, delayMs: Number(options["delay-ms"]) });
  } catch (e) {
    console.error(`a2a_agent: ${e.message}`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ url: agent.url }) + "\n");
  const stop = async () => {
    await agent.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
