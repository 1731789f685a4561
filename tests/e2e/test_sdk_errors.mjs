// Errors as the official OpenAI SDK surfaces them through igw, streaming and not: each gives the error class,
// status, code and message a user expects (OpenAI's error shape on every route, a provider's error kept as the
// provider sent it, an SSE error event for a stream that breaks after its first byte).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { portAnswers, startGateway, startMock } from "./lib.mjs";

let mock, gw, client, deadPort;
before(async () => {
  mock = await startMock(["--tokens", "6"]);
  const dead = await startMock([]);
  deadPort = dead.port;
  await dead.stop();
  assert.equal(await portAnswers(deadPort), false);
  gw = await startGateway({
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai",
    GROQ_API_URL: `http://127.0.0.1:${deadPort}/v1`, GROQ_API_KEY: "gsk-dead",
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller", maxRetries: 0, timeout: 10000 });
});
after(async () => {
  await gw?.stop();
  await mock?.stop();
});

const messages = [{ role: "user", content: "hello errors" }];

// Runs the request streaming or not and returns the error the SDK threw.
async function sdkError({ model = "openai/mock-gpt-4o", stream = false, headers = {}, body = {} } = {}) {
  try {
    const r = await client.chat.completions.create({ model, messages, stream, ...body }, { headers });
    if (stream) for await (const _ of r) { /* drain */ }
  } catch (e) {
    return e;
  }
  assert.fail(`no error for ${model} (stream: ${stream})`);
}

for (const stream of [false, true]) {
  const mode = stream ? "streaming" : "not streaming";

  test(`unknown model (${mode}): NotFoundError 404, the provider's code and message`, async () => {
    const e = await sdkError({ model: "openai/mock-no-such-model", stream });
    assert.ok(e instanceof OpenAI.NotFoundError, e.constructor.name);
    assert.equal(e.status, 404);
    assert.equal(e.code, "model_not_found");
    assert.match(e.message, /mock-no-such-model/);
    assert.ok(e.headers.get("x-request-id"), "the request id a user can quote");
  });

  test(`provider 429 (${mode}): RateLimitError with the provider's code`, async () => {
    const e = await sdkError({ stream, headers: { "x-mock-status": "429" } });
    assert.ok(e instanceof OpenAI.RateLimitError, e.constructor.name);
    assert.equal(e.status, 429);
    assert.equal(e.code, "rate_limit_exceeded");
  });

  test(`provider 500 (${mode}): InternalServerError 500`, async () => {
    const e = await sdkError({ stream, headers: { "x-mock-status": "500" } });
    assert.ok(e instanceof OpenAI.InternalServerError, e.constructor.name);
    assert.equal(e.status, 500);
    assert.equal(e.type, "server_error");
  });

  test(`dead provider (${mode}): 502 with code upstream_connect`, async () => {
    const e = await sdkError({ model: "groq/llama", stream });
    assert.ok(e instanceof OpenAI.InternalServerError, e.constructor.name);
    assert.equal(e.status, 502);
    assert.equal(e.code, "upstream_connect");
    assert.equal(e.type, "upstream_error");
    assert.match(e.message, /groq/);
  });

  test(`unknown provider (${mode}): BadRequestError 400, code provider_not_found`, async () => {
    const e = await sdkError({ model: "nosuch/model", stream });
    assert.ok(e instanceof OpenAI.BadRequestError, e.constructor.name);
    assert.equal(e.status, 400);
    assert.equal(e.code, "provider_not_found");
    assert.match(e.message, /Provider not found\./);
  });

  test(`malformed request (${mode}): BadRequestError 400, code invalid_json`, async () => {
    // The SDK always sends valid JSON; a model of the wrong type is what it lets through.
    const e = await sdkError({ stream, body: { model: 123 } });
    assert.ok(e instanceof OpenAI.BadRequestError, e.constructor.name);
    assert.equal(e.status, 400);
    assert.equal(e.code, "invalid_json");
  });
}

test("a stream that breaks after its first events: the SDK raises the in-stream error event", async () => {
  const stream = await client.chat.completions.create({ model: "openai/mock-gpt-4o", messages, stream: true },
    { headers: { "x-mock-fail-after-chunks": "2" } });
  const got = [];
  let error;
  try {
    for await (const chunk of stream) got.push(chunk);
  } catch (e) {
    error = e;
  }
  assert.ok(got.length >= 1, "events before the break arrive");
  assert.ok(error instanceof OpenAI.APIError, `error: ${error}`);
  assert.match(error.message, /Provider "openai" broke off its answer/);
});
