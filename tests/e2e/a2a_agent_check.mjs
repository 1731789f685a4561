// Self-check of the test A2A agent (a2a_agent.mjs), without igw: `node tests/e2e/a2a_agent_check.mjs` exits 0
// when all holds (node:test reports what failed otherwise). Not named test_*: CTest does not run it.
//
// The agent is driven with the official @a2a-js/sdk clients, the v1.0 one (ClientFactory.createFromUrl: card,
// then SendMessage) and the v0.3 one of its compat layer (LegacyJsonRpcTransport: message/send), in every mode,
// and with raw fetch() calls that show the wire a hand-written client sees; those exchanges are printed (set
// A2A_CHECK_QUIET=1 to silence them).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Message, Role, TaskState } from "@a2a-js/sdk";
import { Client, ClientFactory } from "@a2a-js/sdk/client";
import { LegacyJsonRpcTransport, parseLegacyAgentCard } from "@a2a-js/sdk/compat/v0_3/client";
import { startA2aAgent } from "./a2a_agent.mjs";

const TIMEOUT = { timeout: 20000 };
const FETCH_MS = 5000;
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const QUIET = process.env.A2A_CHECK_QUIET === "1";

setTimeout(() => {
  console.error("a2a_agent_check: still running after 120 s, giving up");
  process.exit(1);
}, 120000).unref();

function show(title, value) {
  if (QUIET) return;
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  console.log(`\n===== ${title} =====\n${text}`);
}

async function withAgent(options, fn) {
  const agent = await startA2aAgent(options);
  try {
    return await fn(agent);
  } finally {
    await agent.close();
  }
}

const call = (extra = {}) => ({ signal: AbortSignal.timeout(FETCH_MS), ...extra });
const userMessage = (text, messageId = crypto.randomUUID()) => Message.fromJSON({ messageId, role: "ROLE_USER", parts: [{ text }] });
const textOf = (message) => message.parts.filter((p) => p.content?.$case === "text").map((p) => p.content.value).join("\n");

// The SDK's v0.3 client: the v0.3 card (what a GET without A2A-Version gets) and its JSON-RPC transport.
async function legacyClient(agent) {
  const card = await (await fetch(agent.cardUrl, call())).json();
  return new Client(new LegacyJsonRpcTransport({ endpoint: card.url }), parseLegacyAgentCard(card));
}

// ---- raw HTTP, as a hand-written client sees it -------------------------------------------------------------

async function raw(url, { method = "GET", headers = {}, body } = {}) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(FETCH_MS),
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
}
const wire = (r) => `HTTP ${r.status}\n${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${r.text}`;

const messageSend = (text, id = 1) => ({
  jsonrpc: "2.0", id, method: "message/send",
  params: { message: { kind: "message", role: "user", messageId: `raw-${id}`, parts: [{ kind: "text", text }] } },
});

test("raw wire: the agent card (v0.3 without A2A-Version, v1.0 with A2A-Version: 1.0)", TIMEOUT, () =>
  withAgent({}, async (agent) => {
    assert.equal(agent.cardUrl, `${agent.url}/.well-known/agent-card.json`);
    assert.equal(agent.rpcUrl, `${agent.url}/a2a/jsonrpc`);
    const legacy = await raw(agent.cardUrl);
    show("GET /.well-known/agent-card.json", wire(legacy));
    assert.equal(legacy.status, 200);
    assert.match(legacy.headers["content-type"], /^application\/json/);
    const card = JSON.parse(legacy.text);
    assert.equal(card.name, "Translator");
    assert.equal(card.url, agent.rpcUrl);
    assert.equal(card.protocolVersion, "0.3");
    assert.equal(card.preferredTransport, "JSONRPC");
    assert.equal(card.skills.length, 1);
    assert.equal(card.skills[0].id, "translate");
    assert.equal(typeof card.description, "string");

    const v1 = await raw(agent.cardUrl, { headers: { "a2a-version": "1.0" } });
    show("GET /.well-known/agent-card.json with A2A-Version: 1.0", wire(v1));
    const v1card = JSON.parse(v1.text);
    assert.equal(v1card.url, undefined);
    assert.deepEqual(v1card.supportedInterfaces.map((i) => [i.url, i.protocolBinding, i.protocolVersion]),
      [[agent.rpcUrl, "JSONRPC", "1.0"], [agent.rpcUrl, "JSONRPC", "0.3"]]);

    assert.equal((await raw(`${agent.url}/.well-known/agent.json`)).status, 404, "no other card path");
    assert.deepEqual(agent.requests.map((r) => [r.httpMethod, r.path]), [
      ["GET", "/.well-known/agent-card.json"], ["GET", "/.well-known/agent-card.json"], ["GET", "/.well-known/agent.json"],
    ]);
    assert.deepEqual(agent.received, []);
  }));

test("raw wire: message/send (v0.3) and SendMessage (v1.0), answers and errors", TIMEOUT, () =>
  withAgent({}, async (agent) => {
    const sent = await raw(agent.rpcUrl, { method: "POST", body: messageSend("bonjour le monde"), headers: { traceparent: TRACEPARENT } });
    show(`POST ${new URL(agent.rpcUrl).pathname} message/send (no A2A-Version header)`, `request: ${JSON.stringify(messageSend("bonjour le monde"))}\n\n${wire(sent)}`);
    assert.equal(sent.status, 200);
    const answer = JSON.parse(sent.text);
    assert.equal(answer.jsonrpc, "2.0");
    assert.equal(answer.id, 1);
    assert.equal(answer.result.kind, "message");
    assert.equal(answer.result.role, "agent");
    assert.deepEqual(answer.result.parts, [{ kind: "text", text: "translated: bonjour le monde" }]);
    assert.equal(typeof answer.result.messageId, "string");
    assert.equal(typeof answer.result.contextId, "string");

    const v1body = {
      jsonrpc: "2.0", id: "two", method: "SendMessage",
      params: { message: { role: "ROLE_USER", messageId: "raw-2", parts: [{ text: "hallo" }] } },
    };
    const v1 = await raw(agent.rpcUrl, { method: "POST", body: v1body, headers: { "a2a-version": "1.0" } });
    show("POST SendMessage with A2A-Version: 1.0", `request: ${JSON.stringify(v1body)}\n\n${wire(v1)}`);
    assert.deepEqual(JSON.parse(v1.text).result.message.parts, [{ text: "translated: hallo", mediaType: "text/plain" }]);

    agent.setMode("task");
    const task = await raw(agent.rpcUrl, { method: "POST", body: messageSend("ciao", 3) });
    show("mode task: POST message/send", wire(task));
    const taskResult = JSON.parse(task.text).result;
    assert.equal(taskResult.kind, "task");
    assert.equal(taskResult.status.state, "completed");
    assert.deepEqual(taskResult.artifacts[0].parts, [{ kind: "text", text: "translated: ciao" }]);

    agent.setMode("fail");
    const failed = await raw(agent.rpcUrl, { method: "POST", body: messageSend("hola", 4) });
    show("mode fail: POST message/send", wire(failed));
    assert.equal(failed.status, 200);
    assert.deepEqual(JSON.parse(failed.text), { jsonrpc: "2.0", id: 4, error: { code: -32603, message: "a2a_agent: mode fail" } });

    agent.setMode("ok");
    const refusals = {
      "message/send with A2A-Version: 1.0": await raw(agent.rpcUrl, { method: "POST", body: messageSend("x", 5), headers: { "a2a-version": "1.0" } }),
      "an unknown method": await raw(agent.rpcUrl, { method: "POST", body: { jsonrpc: "2.0", id: 6, method: "message/shout", params: {} } }),
      "message/send without params.message": await raw(agent.rpcUrl, { method: "POST", body: { jsonrpc: "2.0", id: 7, method: "message/send", params: {} } }),
      "a body that is not JSON": await raw(agent.rpcUrl, { method: "POST", body: "{not json" }),
      "A2A-Version: 2.0": await raw(agent.rpcUrl, { method: "POST", body: messageSend("x", 8), headers: { "a2a-version": "2.0" } }),
    };
    for (const [what, r] of Object.entries(refusals)) {
      show(`refused: ${what}`, `HTTP ${r.status} ${r.headers["content-type"] ?? ""}\n${r.text}`);
      assert.ok(JSON.parse(r.text).error, what);
    }

    assert.deepEqual(agent.received.map((r) => [r.text, r.version]), [
      ["bonjour le monde", "0.3"], ["hallo", "1.0"], ["ciao", "0.3"], ["hola", "0.3"],
    ]);
    assert.equal(agent.received[0].headers.traceparent, TRACEPARENT);
    assert.equal(agent.received[0].headers.authorization, undefined);
  }));

// ---- the SDK clients --------------------------------------------------------------------------------------

test("SDK v1.0 client: createFromUrl fetches the card, sendMessage gets the agent's Message", TIMEOUT, () =>
  withAgent({}, async (agent) => {
    const client = await new ClientFactory().createFromUrl(agent.url);
    assert.equal(client.protocolVersion, "1.0");
    const card = await client.getAgentCard(call());
    assert.equal(card.name, "Translator");
    assert.equal(card.skills[0].name, "Translate");
    const result = await client.sendMessage({ message: userMessage("guten Tag") }, call({ serviceParameters: { traceparent: TRACEPARENT } }));
    assert.equal(result.role, Role.ROLE_AGENT);
    assert.equal(textOf(result), "translated: guten Tag");
    assert.deepEqual(agent.received.map((r) => [r.text, r.version]), [["guten Tag", "1.0"]]);
    assert.equal(agent.received[0].headers.traceparent, TRACEPARENT);
    assert.equal(agent.received[0].headers["a2a-version"], "1.0");
    assert.equal(agent.received[0].headers.authorization, undefined);
    assert.deepEqual(agent.requests.map((r) => [r.httpMethod, r.path]), [["GET", "/.well-known/agent-card.json"], ["POST", "/a2a/jsonrpc"]]);
  }));

test("SDK v0.3 client (compat LegacyJsonRpcTransport): message/send gets the agent's Message", TIMEOUT, () =>
  withAgent({}, async (agent) => {
    const client = await legacyClient(agent);
    assert.equal(client.protocolVersion, "0.3");
    const result = await client.sendMessage({ message: userMessage("buenos días") }, call());
    assert.equal(result.role, Role.ROLE_AGENT);
    assert.equal(textOf(result), "translated: buenos días");
    assert.deepEqual(agent.received.map((r) => [r.text, r.version]), [["buenos días", "0.3"]]);
  }));

for (const flavour of ["v1.0", "v0.3"]) {
  const connect = (agent) => (flavour === "v1.0" ? new ClientFactory().createFromUrl(agent.url) : legacyClient(agent));

  test(`SDK ${flavour} client: mode fail rejects with the JSON-RPC error; mode task gives a completed Task`, TIMEOUT, () =>
    withAgent({}, async (agent) => {
      const client = await connect(agent);
      agent.setMode("fail");
      await assert.rejects(client.sendMessage({ message: userMessage("eins") }, call()), /a2a_agent: mode fail/);
      agent.setMode("task");
      const task = await client.sendMessage({ message: userMessage("zwei") }, call());
      assert.equal(task.status.state, TaskState.TASK_STATE_COMPLETED);
      assert.equal(textOf(task.artifacts[0]), "translated: zwei");
      agent.setMode("ok");
      assert.equal(textOf(await client.sendMessage({ message: userMessage("drei") }, call())), "translated: drei");
      assert.deepEqual(agent.received.map((r) => r.text), ["eins", "zwei", "drei"]);
    }));
}

test("mode hang: a message is never answered (the client's timeout fires); close() ends it", TIMEOUT, async () => {
  const agent = await startA2aAgent({ mode: "hang" });
  try {
    const client = await new ClientFactory().createFromUrl(agent.url);
    const started = Date.now();
    await assert.rejects(client.sendMessage({ message: userMessage("wait") }, { signal: AbortSignal.timeout(400) }), /abort|timeout/i);
    assert.ok(Date.now() - started >= 390);
    assert.equal((await raw(agent.cardUrl)).status, 200, "the card still answers");
    const pending = raw(agent.rpcUrl, { method: "POST", body: messageSend("still waiting") }).then(() => "answered", (e) => `failed: ${e.cause?.code ?? e.name}`);
    assert.equal(await Promise.race([pending, new Promise((r) => setTimeout(() => r("pending"), 300))]), "pending");
    const closing = Date.now();
    await agent.close();
    assert.ok(Date.now() - closing < 2000, "close() does not wait for held messages");
    assert.match(await pending, /^failed/);
    assert.deepEqual(agent.received.map((r) => r.text), ["wait", "still waiting"]);
  } finally {
    await agent.close();
  }
});

test("mode slow, reply and name options; setMode checks its argument", TIMEOUT, () =>
  withAgent({ name: "Shouter", reply: async (text) => text.toUpperCase() }, async (agent) => {
    assert.throws(() => agent.setMode("slow"), /needs delayMs > 0/);
    assert.throws(() => agent.setMode("broken"), /mode: expected one of/);
    agent.setMode("slow", { delayMs: 300 });
    const client = await new ClientFactory().createFromUrl(agent.url);
    assert.equal((await client.getAgentCard(call())).name, "Shouter");
    const started = Date.now();
    assert.equal(textOf(await client.sendMessage({ message: userMessage("quiet please") }, call())), "QUIET PLEASE");
    assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
  }));

test("startA2aAgent refuses bad options", TIMEOUT, async () => {
  await assert.rejects(startA2aAgent({ mode: "slow" }), /needs delayMs > 0/);
  await assert.rejects(startA2aAgent({ reply: "text" }), /reply: expected a function/);
});

// ---- CLI --------------------------------------------------------------------------------------------------

test("CLI: prints {url}, serves the SDK client, exits 0 on SIGTERM; a usage error exits 2", TIMEOUT, async () => {
  const script = fileURLToPath(new URL("./a2a_agent.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, "--name", "Cli Agent"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = JSON.parse((await lines.next()).value);
    assert.deepEqual(Object.keys(first), ["url"]);
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = await new ClientFactory().createFromUrl(first.url);
    assert.equal((await client.getAgentCard(call())).name, "Cli Agent");
    assert.equal(textOf(await client.sendMessage({ message: userMessage("cli") }, call())), "translated: cli");
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  const bad = spawn(process.execPath, [script, "--port", "nope"], { stdio: "ignore" });
  const [code] = await once(bad, "exit");
  assert.equal(code, 2);
});
