// Token usage on the passthrough routes: the Anthropic SDK through /v1/messages, the OpenAI SDK's
// responses.create through /v1/responses and chat.completions.create through /proxy/openai, each streaming
// and not, with `igw mock` upstream. The answers arrive whole, and llm_usage_* on the metrics port grow by
// exactly the tokens the mock reported, labelled with the provider and the model sent upstream.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { mockContent, mockRequests, startGateway, startMock, waitFor } from "./lib.mjs";

const TOKENS = 5;
let mock, gw, anthropic, openai, proxied;
before(async () => {
  mock = await startMock(["--tokens", String(TOKENS)]);
  gw = await startGateway({
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai",
    ANTHROPIC_API_URL: mock.url, ANTHROPIC_API_KEY: "sk-provider-anthropic",
    TELEMETRY_ENABLE: "true", TELEMETRY_METRICS_PORT: "0",
  });
  assert.ok(gw.metricsPort > 0, "the gateway reports its metrics port");
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: "caller-key", maxRetries: 0, timeout: 10000 });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller-token", maxRetries: 0, timeout: 10000 });
  proxied = new OpenAI({ baseURL: `${gw.url}/proxy/openai`, apiKey: "caller-token", maxRetries: 0, timeout: 10000 });
});
after(async () => {
  await gw?.stop();
  await mock?.stop();
});

const KINDS = ["prompt", "completion", "total"];

// The llm_usage_* counters of one provider and model: { prompt, completion, total } (0 when absent).
async function usage(provider, model) {
  const res = await fetch(`http://127.0.0.1:${gw.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  const out = {};
  for (const kind of KINDS) {
    out[kind] = 0;
    for (const line of text.split("\n")) {
      const m = /^llm_usage_(\w+)_tokens(?:_total)?\{([^}]*)\} (\S+)$/.exec(line);
      if (!m || m[1] !== kind) continue;
      const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      if (labels.provider === provider && labels.model === model) out[kind] += Number(m[3]);
    }
  }
  return out;
}

// Runs `call` (which returns the usage the SDK saw, as { prompt, completion }) and checks the counters of
// provider/model grew by exactly that much. The request is reported once its last byte is written, so the
// counters are polled until they move, then compared.
async function countsExactly(provider, model, call) {
  const before = await usage(provider, model);
  const seen = await call();
  assert.ok(seen.prompt > 0 && seen.completion > 0, `the SDK saw usage: ${JSON.stringify(seen)}`);
  const want = {
    prompt: before.prompt + seen.prompt,
    completion: before.completion + seen.completion,
    total: before.total + seen.prompt + seen.completion,
  };
  let now;
  await waitFor(async () => {
    now = await usage(provider, model);
    return now.total >= want.total;
  }, { timeout: 5000, what: () => `llm_usage_*{provider="${provider}",model="${model}"} to reach ${JSON.stringify(want)}; now ${JSON.stringify(now)}` });
  assert.deepEqual(now, want);
}

test("Anthropic SDK, /v1/messages without streaming: the message arrives, its tokens counted", async () => {
  await countsExactly("anthropic", "mock-claude-sonnet", async () => {
    const m = await anthropic.messages.create({
      model: "anthropic/mock-claude-sonnet", max_tokens: 100, system: "answer briefly",
      messages: [{ role: "user", content: "count these words" }],
    });
    assert.equal(m.content[0].text, mockContent("count these words", TOKENS));
    assert.deepEqual(m.usage, { input_tokens: 5, output_tokens: TOKENS });
    const sent = JSON.parse((await mockRequests(mock)).at(-1).body);
    assert.equal(sent.model, "mock-claude-sonnet", "the provider prefix is stripped upstream");
    return { prompt: m.usage.input_tokens, completion: m.usage.output_tokens };
  });
});

test("Anthropic SDK, /v1/messages streaming: the events arrive, the last output_tokens counted once", async () => {
  await countsExactly("anthropic", "mock-claude-sonnet", async () => {
    const stream = await anthropic.messages.create({
      model: "mock-claude-sonnet", max_tokens: 100, stream: true,
      messages: [{ role: "user", content: "stream a few words please" }],
    });
    let text = "", input = 0, output = 0;
    for await (const ev of stream) {
      if (ev.type === "message_start") input = ev.message.usage.input_tokens;
      if (ev.type === "content_block_delta") text += ev.delta.text;
      if (ev.type === "message_delta") output = ev.usage.output_tokens;
    }
    assert.equal(text, mockContent("stream a few words please", TOKENS));
    assert.equal(output, TOKENS);
    return { prompt: input, completion: output };
  });
});

test("Anthropic SDK, /v1/messages stream that breaks: the SDK raises Anthropic's error event", async () => {
  const stream = await anthropic.messages.create({
    model: "mock-claude-sonnet", max_tokens: 100, stream: true,
    messages: [{ role: "user", content: "break this stream" }],
  }, { headers: { "x-mock-fail-after-chunks": "3" } });
  const types = [];
  let error;
  try {
    for await (const ev of stream) types.push(ev.type);
  } catch (e) {
    error = e;
  }
  assert.ok(types.includes("message_start"), `events before the break: ${types}`);
  assert.ok(error instanceof Anthropic.APIError, `error: ${error}`);
  assert.match(error.message, /Provider "anthropic" broke off its answer/);
});

test("OpenAI SDK responses.create through /v1/responses without streaming", async () => {
  await countsExactly("openai", "mock-gpt-4o", async () => {
    const r = await openai.responses.create({ model: "openai/mock-gpt-4o", instructions: "be brief", input: "respond to me" });
    assert.equal(r.status, "completed");
    assert.equal(r.output_text, mockContent("respond to me", TOKENS));
    assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
    return { prompt: r.usage.input_tokens, completion: r.usage.output_tokens };
  });
});

test("OpenAI SDK responses.create through /v1/responses streaming: response.completed's usage counted", async () => {
  await countsExactly("openai", "mock-gpt-4o", async () => {
    const stream = await openai.responses.create({ model: "openai/mock-gpt-4o", input: "stream my response", stream: true });
    const types = [];
    let text = "", completed = null;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === "response.output_text.delta") text += ev.delta;
      if (ev.type === "response.completed") completed = ev.response;
    }
    assert.equal(types[0], "response.created");
    assert.equal(types.at(-1), "response.completed");
    assert.equal(text, mockContent("stream my response", TOKENS));
    assert.equal(completed.output_text ?? completed.output[0].content[0].text, text);
    return { prompt: completed.usage.input_tokens, completion: completed.usage.output_tokens };
  });
});

test("/proxy/openai/chat/completions: counted under provider openai and the request's model", async () => {
  await countsExactly("openai", "mock-gpt-4o-mini", async () => {
    const r = await proxied.chat.completions.create({
      model: "mock-gpt-4o-mini", messages: [{ role: "user", content: "through the proxy" }],
    });
    assert.equal(r.choices[0].message.content, mockContent("through the proxy", TOKENS));
    return { prompt: r.usage.prompt_tokens, completion: r.usage.completion_tokens };
  });
});

test("/proxy/openai/chat/completions streaming with include_usage: the usage chunk counted", async () => {
  await countsExactly("openai", "mock-gpt-4o-mini", async () => {
    const stream = await proxied.chat.completions.create({
      model: "mock-gpt-4o-mini", stream: true, stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream through the proxy" }],
    });
    let text = "", seen = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? "";
      if (c.usage) seen = c.usage;
    }
    assert.equal(text, mockContent("stream through the proxy", TOKENS));
    return { prompt: seen.prompt_tokens, completion: seen.completion_tokens };
  });
});
