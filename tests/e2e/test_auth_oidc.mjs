// AUTH_ENABLE against a real OpenID provider (oidc-provider on loopback, client-credentials grant, JWT access
// tokens whose audience is the client id, RS256 and ES256 keys): issued tokens open every route but /health
// (the OpenAI SDK with the token as its apiKey, /v1/models, /proxy); crafted tokens are refused with 401 and
// the right logged reason; key rotation is picked up with one JWKS refetch and a flood of unknown key ids
// causes at most one refetch per interval; an issuer that is down at start means 503, never an open gateway.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { allBadTokens, unknownKid } from "./bad_tokens.mjs";
import { startIssuer } from "./oidc_issuer.mjs";
import { fetchJson, mockRequests, sleep, startGateway, startMock, waitFor } from "./lib.mjs";

const REFETCH_INTERVAL_MS = 5000;  // AuthenticatorOptions::min_refetch_interval

let mock, issuer, gw;
before(async () => {
  mock = await startMock(["--tokens", "4"]);
  issuer = await startIssuer({ algs: ["RS256", "ES256"] });
  gw = await startGateway({
    AUTH_ENABLE: "true", AUTH_OIDC_ISSUER: issuer.url, AUTH_OIDC_CLIENT_ID: issuer.clientId,
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai",
    TELEMETRY_ENABLE: "true", TELEMETRY_METRICS_PORT: "0",
  });
  await waitFor(() => gw.lines.some((l) => l.json?.message?.startsWith("issuer keys loaded")),
    { timeout: 15000, what: () => `the gateway to load the issuer's keys:\n${gw.output()}` });
});
after(async () => {
  await gw?.stop();
  await issuer?.stop();
  await mock?.stop();
});

const bearer = (token) => ({ authorization: `Bearer ${token}` });
const client = (token) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: token, maxRetries: 0, timeout: 10000 });
const metrics = async () => (await fetch(`http://127.0.0.1:${gw.metricsPort}/metrics`)).text();
const logLines = (g) => g.lines.filter((l) => l.json).map((l) => l.json);

test("/health stays open; /metrics is on its own port and needs no token", async () => {
  assert.equal((await fetchJson(`${gw.url}/health`)).status, 200);
  const text = await metrics();
  assert.match(text, /^igw_auth_keys_loaded 1$/m);
});

test("tokens the issuer issues (RS256 and ES256) open chat through the OpenAI SDK, JSON and SSE", async () => {
  for (const alg of ["RS256", "ES256"]) {
    const token = await issuer.token({ alg });
    assert.equal(JSON.parse(Buffer.from(token.split(".")[0], "base64url")).alg, alg);
    const sdk = client(token);
    const r = await sdk.chat.completions.create({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "hi" }] });
    assert.equal(r.choices[0].finish_reason, "stop");
    const stream = await sdk.chat.completions.create({
      model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "stream it" }], stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    assert.ok(text.length > 0, `${alg}: streamed content`);
    // The caller's token never reaches the provider: it gets the provider key instead.
    const seen = (await mockRequests(mock)).at(-1);
    assert.equal(seen.headers.authorization, "Bearer sk-provider-openai");
  }
});

test("/v1/models and /proxy accept the token; the access log names its subject, never the token", async () => {
  const token = await issuer.token();
  const models = await fetchJson(`${gw.url}/v1/models`, { headers: { ...bearer(token), "x-request-id": "auth-models-1" } });
  assert.equal(models.status, 200);
  assert.ok(models.body.data.some((m) => m.id === "openai/mock-gpt-4o"));
  const proxied = await fetchJson(`${gw.url}/proxy/openai/models`, { headers: bearer(token) });
  assert.equal(proxied.status, 200);
  const line = await waitFor(() => logLines(gw).find((j) => j.request_id === "auth-models-1" && j.logger === "http"),
    { what: "the access line of auth-models-1" });
  assert.equal(line.user, issuer.clientId);
  assert.ok(!gw.output().includes(token), "the token appears in the gateway's output");
});

test("without a token: 401, WWW-Authenticate: Bearer, an OpenAI-shaped error the SDK surfaces", async () => {
  for (const [method, path] of [["GET", "/v1/models"], ["POST", "/v1/chat/completions"], ["GET", "/proxy/openai/models"],
    ["GET", "/no/such/route"]]) {
    const r = await fetchJson(`${gw.url}${path}`, { method, headers: { "content-type": "application/json" },
      body: method === "POST" ? "{}" : undefined });
    assert.equal(r.status, 401, `${method} ${path}`);
    assert.equal(r.headers.get("www-authenticate"), "Bearer");
    assert.equal(r.body.error.code, "missing_token");
    assert.equal(r.body.error.type, "invalid_request_error");
    assert.ok(r.body.error.message.length > 0);
    assert.equal(r.body.error.param, null);
  }
  // The SDK always sends its apiKey as a bearer token: one that is not a JWT is refused as invalid.
  await assert.rejects(
    client("not-a-jwt").chat.completions.create({ model: "openai/mock-gpt-4o", messages: [{ role: "user", content: "x" }] }),
    (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
});

test("crafted tokens are refused with 401 and the right logged reason; none of them is logged", async () => {
  const bad = await allBadTokens(issuer);
  assert.ok(bad.length >= 13, `${bad.length} crafted tokens`);
  for (const [i, b] of bad.entries()) {
    const id = `auth-bad-${i}`;
    const r = await fetchJson(`${gw.url}/v1/models`, { headers: { ...bearer(b.token), "x-request-id": id } });
    assert.ok(b.statuses.includes(r.status), `${b.name}: status ${r.status}, want ${b.statuses}`);
    if (r.status === 431) continue;  // the request head was refused for its size, before any token check
    const header = r.headers.get("www-authenticate");
    assert.match(header, /^Bearer error="invalid_token", error_description="[^"\\]+"$/, b.name);
    assert.equal(r.body.error.code, "invalid_token", b.name);
    const refusal = await waitFor(() => logLines(gw).find((j) => j.request_id === id && j.message === "request refused"),
      { what: `the refusal line of ${b.name}` });
    assert.equal(refusal.reason, b.reason, `${b.name}: logged reason`);
    assert.equal(refusal.level, "warn");
  }
  const out = gw.output();
  for (const b of bad) assert.ok(!out.includes(b.token.slice(0, 200)), `${b.name}: the token appears in the log`);
  const text = await metrics();
  for (const reason of ["expired", "not_yet_valid", "wrong_issuer", "wrong_audience", "bad_signature",
    "unsupported_alg", "unknown_kid", "malformed", "missing_token"])
    assert.match(text, new RegExp(`^igw_auth_failures_total\\{reason="${reason}"\\} [1-9]`, "m"), reason);
});

test("key rotation: the new key is accepted after one JWKS refetch; unknown kids refetch at most once per interval",
  async () => {
    // Tokens with unknown kids, made beforehand (a key pair each takes a while to generate).
    const batch = () => Promise.all(Array.from({ length: 40 }, () => unknownKid(issuer, { alg: "RS256" })));
    const floods = [await batch(), await batch()];
    // Let the rate limit's interval pass since the last fetch (the first load or the unknown kid above).
    await sleep(REFETCH_INTERVAL_MS + 200);
    const before = issuer.jwksCount;
    const [fresh] = await issuer.rotate({ algs: ["RS256"] });
    const token = await issuer.token({ alg: "RS256" });
    assert.equal(JSON.parse(Buffer.from(token.split(".")[0], "base64url")).kid, fresh.kid);
    const r = await fetchJson(`${gw.url}/v1/models`, { headers: bearer(token) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(issuer.jwksCount, before + 1, "one refetch for the new key");

    // A flood right after that refetch: no further fetch at all.
    const flood = async () => {
      const tokens = floods.shift();
      const statuses = await Promise.all(tokens.map((t) =>
        fetchJson(`${gw.url}/v1/models`, { headers: bearer(t.token) }).then((x) => x.status)));
      assert.ok(statuses.every((s) => s === 401), `statuses ${statuses}`);
    };
    await flood();
    assert.equal(issuer.jwksCount, before + 1, "a flood within the interval fetches nothing");
    await sleep(REFETCH_INTERVAL_MS + 200);
    await flood();
    assert.equal(issuer.jwksCount, before + 2, "a flood after the interval fetches once");
  });

test("issuer down at start: 503 on protected routes, /health 200; once it is up, tokens are accepted", async () => {
  const parked = await startIssuer({ algs: ["ES256"] });
  const { port, url, clientId } = parked;
  const keys = parked.publishedKeys();
  const secret = parked.clientSecret;
  await parked.stop();  // nothing listens on its port now
  const down = await startGateway({
    AUTH_ENABLE: "true", AUTH_OIDC_ISSUER: url, AUTH_OIDC_CLIENT_ID: clientId,
    OPENAI_API_URL: mock.url, OPENAI_API_KEY: "sk-provider-openai", TELEMETRY_ENABLE: "true", TELEMETRY_METRICS_PORT: "0",
  });
  let revived;
  try {
    const r = await fetchJson(`${down.url}/v1/models`, { headers: bearer("a.b.c") });
    assert.equal(r.status, 503);
    assert.equal(r.body.error.code, "keys_unavailable");
    assert.equal(r.headers.get("retry-after"), "1");
    assert.equal((await fetchJson(`${down.url}/v1/models`)).status, 401, "no token is still a 401");
    assert.equal((await fetchJson(`${down.url}/health`)).status, 200);
    const gauge = await (await fetch(`http://127.0.0.1:${down.metricsPort}/metrics`)).text();
    assert.match(gauge, /^igw_auth_keys_loaded 0$/m);
    assert.ok(logLines(down).some((j) => j.level === "warn" && j.logger === "auth"), "a warning names the outage");

    revived = await startIssuer({ port, keys, clientId, clientSecret: secret, algs: ["ES256"] });
    assert.equal(revived.url, url);
    const token = await revived.token({ alg: "ES256" });
    await waitFor(async () => (await fetchJson(`${down.url}/v1/models`, { headers: bearer(token) })).status === 200,
      { timeout: 20000, every: 250, what: () => `the gateway to load the revived issuer's keys:\n${down.output()}` });
  } finally {
    await down.stop();
    await revived?.stop();
  }
});
