// A2A agents as tools: an agent built on the official @a2a-js/sdk (its card at
// /.well-known/agent-card.json, JSON-RPC message/send at the URL the card names) is offered to the model as
// a2a_<name>; when `igw mock` calls it, igw sends the model's text as an A2A message and feeds the reply back,
// so the answer quotes it, streaming and not. Calls are counted with tool_type="a2a", failures with their
// error_type; a task answer is read from its artifacts; an agent that comes up late is picked up.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import OpenAI from "openai";
import { startA2aAgent } from "./a2a_agent.mjs";
import { fetchJson, metricSample, startGateway, startMock, waitFor } from "./lib.mjs";

const running = [];
after(async () => {
  for (const r of running.reverse()) await r();
});


let shared;
async function setup() {
  if (shared) return shared;
  const agent = await startA2aAgent({});
  running.push(() => agent.close());
  const mock = await startMock();
  running.push(() => mock.stop());
  const gw = await startGateway({
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai", TELEMETRY_ENABLE: "true", TELEMETRY_METRICS_PORT: "0",
    A2A_ENABLE: "true", A2A_AGENTS: agent.url, MCP_EXPOSE: "true",
  });
  running.push(() => gw.stop());
  await waitFor(async () => (await fetchJson(`${gw.url}/v1/mcp/tools`)).body.data?.length === 1,
    { timeout: 10000, what: "the agent on /v1/mcp/tools" });
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller-key", maxRetries: 0, timeout: 20000 });
  const metrics = async () => (await fetch(`http://127.0.0.1:${gw.metricsPort}/metrics`)).text();
  shared = { agent, gw, client, metrics };
  return shared;
}

const ask = (text) => ({ "x-mock-tool": "a2a_Translator", "x-mock-tool-arguments": JSON.stringify({ message: text }) });

test("the agent's card makes a tool: a2a_<name>, a message argument, the card's description and skills", async () => {
  const { gw, agent } = await setup();
  const listing = (await fetchJson(`${gw.url}/v1/mcp/tools`)).body;
  const tool = listing.data[0];
  assert.equal(tool.name, "a2a_Translator");
  assert.equal(tool.type, "a2a");
  assert.equal(tool.server, agent.url);
  assert.deepEqual(tool.input_schema.required, ["message"]);
  assert.match(tool.description, /Translate/);
  assert.equal(listing.servers[0].state, "up");
  assert.equal(listing.servers[0].name, "Translator");
  assert.equal(metricSample(await (await fetch(`http://127.0.0.1:${gw.metricsPort}/metrics`)).text(), "igw_tool_server_up",
    { tool_type: "a2a", server: agent.url }), 1);
});

test("a delegated call end to end, non-streaming and streaming, counted with tool_type=a2a", async () => {
  const { client, agent, metrics } = await setup();
  const before = agent.received.length;
  const data = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "Translate this for me" }],
  }, { headers: ask("bonjour le monde") });
  assert.match(data.choices[0].message.content, /translated: bonjour le monde/);
  const stream = await client.chat.completions.create({
    model: "openai/mock-gpt-4o", stream: true, messages: [{ role: "user", content: "Translate this for me" }],
  }, { headers: ask("hola mundo") });
  let content = "";
  for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? "";
  assert.match(content, /translated: hola mundo/);
  assert.deepEqual(agent.received.slice(before).map((r) => r.text), ["bonjour le monde", "hola mundo"]);
  assert.equal(agent.received.at(-1).headers.authorization, undefined, "the caller's credentials reached the agent");
  const labels = { tool_type: "a2a", tool_name: "a2a_Translator", provider: "openai", model: "mock-gpt-4o" };
  const text = await waitFor(async () => {
    const t = await metrics();
    return metricSample(t, "llm_tool_calls_success_total", labels) === 2 ? t : null;
  }, { timeout: 5000, what: "two a2a calls counted" });
  assert.equal(metricSample(text, "llm_tool_calls_total", labels), 2);
  assert.equal(metricSample(text, "llm_tool_call_duration_count", labels), 2);
});

test("a task answer is read from its artifacts; an agent error is a tool failure with its error type", async () => {
  const { client, agent, gw, metrics } = await setup();
  agent.setMode("task");
  const task = await client.chat.completions.create({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "x" }] },
    { headers: ask("ciao") });
  assert.match(task.choices[0].message.content, /translated: ciao/);
  agent.setMode("fail");
  const failed = await client.chat.completions.create({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "x" }] },
    { headers: ask("hallo") });
  agent.setMode("ok");
  assert.equal(failed.choices[0].finish_reason, "stop");  // the model got the error as the tool's result
  assert.match(failed.choices[0].message.content, /error: message\/send/);
  const t = await waitFor(async () => {
    const m = await metrics();
    return metricSample(m, "llm_tool_calls_failure_total", { tool_type: "a2a", error_type: "rpc_error" }) === 1 ? m : null;
  }, { timeout: 5000, what: "the a2a failure counted" });
  assert.ok(t.includes('tool_name="a2a_Translator"'));
  const line = await waitFor(() => gw.lines.map((l) => l.json).find((j) => j?.message === "tool call failed"),
    { timeout: 5000, what: "the failed call's log line" });
  assert.equal(line?.logger, "a2a.client");
  assert.equal(line?.error_type, "rpc_error");
});
