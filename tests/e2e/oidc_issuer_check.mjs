// Self-check of the test issuer (oidc_issuer.mjs) and of the crafted tokens (bad_tokens.mjs), without igw:
// `node tests/e2e/oidc_issuer_check.mjs` exits 0 when all holds and prints what failed otherwise.
// Not named test_*: CTest does not run it.
import assert from "node:assert/strict";
import net from "node:net";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { allBadTokens, hs256WithPublicJwk, hs256WithPublicPem, validToken } from "./bad_tokens.mjs";
import { generateSigningKey, startIssuer } from "./oidc_issuer.mjs";

const deadline = setTimeout(() => {
  console.error("oidc_issuer_check: timed out after 30 s");
  process.exit(1);
}, 30000);

let passed = 0;
const failed = [];
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed.push(name);
    console.log(`not ok - ${name}\n  ${String(e?.stack ?? e).replace(/\n/g, "\n  ")}`);
  }
}

const ALGS = ["RS256", "ES256"];
const getJson = async (url) => {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200, `${url}: ${r.status}`);
  return r.json();
};
// A JWKS fetched afresh (jose caches a remote set per instance, so a new one after each rotation).
const remote = (iss) => createRemoteJWKSet(new URL(iss.jwksUri), { timeoutDuration: 5000 });
const verify = (iss, token, jwks = remote(iss)) => jwtVerify(token, jwks, {
  issuer: iss.url, audience: iss.clientId, algorithms: ALGS, typ: "at+jwt", clockTolerance: 60,
  requiredClaims: ["iss", "aud", "exp", "iat", "sub", "client_id"],
});
const refusal = async (promise) => {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  return null;
};
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}
const refused = (port) => new Promise((resolve) => {
  const s = net.connect({ port, host: "127.0.0.1" });
  s.once("connect", () => { s.destroy(); resolve(false); });
  s.once("error", () => resolve(true));
});

const t0 = Date.now();
const keys = await Promise.all(ALGS.map((a) => generateSigningKey(a)));
const port = await freePort();
let iss = await startIssuer({ port, keys });
const tokens = {};

await check("listens on the port it was given, issuer identifier is its origin", async () => {
  assert.equal(iss.port, port);
  assert.equal(iss.url, `http://127.0.0.1:${port}`);
});

await check("discovery document names the issuer, JWKS and token endpoint", async () => {
  const d = await getJson(iss.discoveryUrl);
  assert.equal(d.issuer, iss.url);
  assert.equal(d.jwks_uri, iss.jwksUri);
  assert.equal(d.token_endpoint, iss.tokenEndpoint);
  assert.ok(d.grant_types_supported.includes("client_credentials"));
  assert.ok(d.token_endpoint_auth_methods_supported.includes("client_secret_basic"));
  assert.deepEqual([...d.id_token_signing_alg_values_supported].sort(), [...ALGS].sort());
});

await check("JWKS publishes both public keys and nothing private", async () => {
  const { keys: published } = await getJson(iss.jwksUri);
  assert.deepEqual(published.map((k) => k.kid).sort(), keys.map((k) => k.kid).sort());
  for (const k of published) {
    for (const p of ["d", "p", "q", "dp", "dq", "qi"]) assert.equal(k[p], undefined, `private member ${p}`);
    assert.equal(k.use, "sig");
  }
  assert.deepEqual(published.map((k) => k.alg).sort(), [...ALGS].sort());
});

for (const alg of ALGS) {
  await check(`client-credentials token signed ${alg} verifies against the remote JWKS`, async () => {
    const token = await iss.token({ alg });
    tokens[alg] = token;
    const h = decodeProtectedHeader(token);
    assert.deepEqual(h, { alg, typ: "at+jwt", kid: iss.signingKey(alg).kid });
    const { payload } = await verify(iss, token);
    assert.equal(payload.iss, iss.url);
    assert.equal(payload.aud, iss.clientId);
    assert.equal(payload.sub, iss.clientId);
    assert.equal(payload.client_id, iss.clientId);
    assert.equal(payload.exp - payload.iat, 600);
    assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 5);
  });
}

await check("default alg, client_secret_post, wrong secret, unknown alg, other audience", async () => {
  assert.equal(decodeProtectedHeader(await iss.token()).alg, iss.defaultAlg);
  assert.equal(iss.defaultAlg, "RS256");
  await verify(iss, await iss.token({ alg: "ES256", method: "client_secret_post" }));
  const bad = await iss.tokenResponse({ secret: "wrong" });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error, "invalid_client");
  const noKey = await iss.tokenResponse({ alg: "ES384" });
  assert.equal(noKey.status, 400);
  assert.equal(noKey.body.error, "invalid_target");
  const other = await iss.token({ alg: "ES256", audience: "some-api" });
  assert.equal(decodeJwt(other).aud, "some-api");
});

await check("a token signed locally with the issuer's key (bad_tokens' control) verifies", async () => {
  for (const alg of ALGS) await verify(iss, await validToken(iss, { alg }));
});

// What jose says about each crafted token, where it can tell.
const expectedByJose = {
  expired: { code: "ERR_JWT_EXPIRED" },
  not_yet_valid: { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "nbf" },
  wrong_issuer: { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "iss" },
  wrong_audience: { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "aud" },
  bad_signature: { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" },
  alg_none: { code: "ERR_JOSE_ALG_NOT_ALLOWED" },
  hs256_public_key_pem: { code: "ERR_JOSE_ALG_NOT_ALLOWED" },
  hs256_public_key_jwk: { code: "ERR_JOSE_ALG_NOT_ALLOWED" },
  unknown_kid: { code: "ERR_JWKS_NO_MATCHING_KEY" },
  truncated: { code: "ERR_JWS_INVALID" },
  truncated_signature: { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" },
  garbage_segments: { code: "ERR_JWS_INVALID" },
  garbage_random: { code: "ERR_JWS_INVALID" },
  huge_header: null, // well signed: only its size makes it refused
};
const reasons = new Set(["expired", "not_yet_valid", "wrong_issuer", "wrong_audience", "bad_signature",
  "unsupported_alg", "unknown_kid", "malformed"]);

for (const alg of ALGS) {
  const bad = await allBadTokens(iss, { alg });
  await check(`bad tokens (${alg}): one of each, with a known reason`, async () => {
    assert.deepEqual(bad.map((b) => b.name).sort(), Object.keys(expectedByJose).sort());
    for (const b of bad) {
      assert.ok(reasons.has(b.reason), `${b.name}: reason ${b.reason}`);
      assert.equal(typeof b.token, "string");
      assert.ok(b.statuses.includes(401));
    }
  });
  const jwks = remote(iss);
  for (const b of bad) {
    await check(`bad token ${b.name} (${alg}) -> ${b.reason}; jose: ${expectedByJose[b.name]?.code ?? "accepts"}`,
      async () => {
        const e = await refusal(verify(iss, b.token, jwks));
        const want = expectedByJose[b.name];
        if (!want) {
          assert.equal(e, null, `jose refused: ${e?.code} ${e?.message}`);
          return;
        }
        assert.ok(e, "jose accepted it");
        assert.equal(e.code, want.code, `${e.code}: ${e.message}`);
        if (want.claim) assert.equal(e.claim, want.claim);
      });
  }
  await check(`bad token shapes (${alg})`, async () => {
    const by = Object.fromEntries(bad.map((b) => [b.name, b]));
    const kid = iss.signingKey(alg).kid;
    assert.equal(decodeProtectedHeader(by.bad_signature.token).kid, kid);
    assert.deepEqual(JSON.parse(Buffer.from(by.alg_none.token.split(".")[0], "base64url")), { alg: "none" });
    assert.ok(by.alg_none.token.endsWith("."));
    assert.ok(!iss.publishedKeys().some((k) => k.kid === decodeProtectedHeader(by.unknown_kid.token).kid));
    const sig = by.truncated.token.split(".")[2];
    assert.equal(sig.length % 4, 1, "truncated signature length is 1 mod 4");
    const full = alg === "RS256" ? 342 : 86;
    assert.equal(sig.length, full - 13);
    assert.equal(by.truncated_signature.token.split(".")[2].length, 332);
    assert.equal(Buffer.from(by.truncated_signature.token.split(".")[2], "base64url").length, 249);
    const h = by.huge_header.token.split(".")[0];
    assert.ok(h.length > 100 * 1024 * 4 / 3, `header ${h.length} chars`);
    assert.deepEqual(by.huge_header.statuses, [401, 431]);
    assert.equal(decodeJwt(by.expired.token).exp < Date.now() / 1000 - 590, true);
    assert.equal(decodeJwt(by.not_yet_valid.token).nbf > Date.now() / 1000 + 590, true);
  });
}

await check("HS256 tokens are keyed exactly with the RSA public key's PEM and JWK bytes", async () => {
  const rsa = iss.signingKey("RS256");
  const pem = await hs256WithPublicPem(iss);
  await jwtVerify(pem.token, new TextEncoder().encode(rsa.publicPem), { algorithms: ["HS256"] });
  const jwk = await hs256WithPublicJwk(iss);
  const { keys: published } = await getJson(iss.jwksUri);
  const asPublished = JSON.stringify(published.find((k) => k.kid === rsa.kid));
  await jwtVerify(jwk.token, new TextEncoder().encode(asPublished), { algorithms: ["HS256"] });
});

await check("request counters: exact counts per path, with times", async () => {
  iss.resetCounts();
  for (let i = 0; i < 3; i++) await getJson(iss.jwksUri);
  for (let i = 0; i < 2; i++) await getJson(iss.discoveryUrl);
  await iss.token();
  assert.equal(iss.jwksCount, 3);
  assert.equal(iss.discoveryCount, 2);
  assert.equal(iss.count("token"), 1);
  assert.equal(iss.count("/jwks"), 3);
  assert.deepEqual({ ...iss.counts }, { "/jwks": 3, "/.well-known/openid-configuration": 2, "/token": 1 });
  assert.equal(iss.log.length, 6);
  assert.ok(iss.log.every((l) => typeof l.at === "number" && l.method && l.path));
});

await check("rotate(): new kids sign new tokens, JWKS publishes new and old", async () => {
  const before = iss.activeKeys().map((k) => k.kid);
  const fresh = await iss.rotate();
  assert.equal(fresh.length, 2);
  for (const k of fresh) assert.ok(!before.includes(k.kid));
  const { keys: published } = await getJson(iss.jwksUri);
  assert.deepEqual(published.map((k) => k.kid).sort(), [...before, ...fresh.map((k) => k.kid)].sort());
  assert.equal(iss.port, port);
  const jwks = remote(iss);
  for (const alg of ALGS) {
    const t = await iss.token({ alg });
    assert.equal(decodeProtectedHeader(t).kid, iss.signingKey(alg).kid);
    assert.ok(fresh.some((k) => k.kid === decodeProtectedHeader(t).kid));
    await verify(iss, t, jwks);
    await verify(iss, tokens[alg], jwks); // the old key is still published
  }
});

await check("rotate({ keepOld: false }): only the active keys stay published", async () => {
  const [rs] = await iss.rotate({ algs: ["RS256"], keepOld: false });
  const { keys: published } = await getJson(iss.jwksUri);
  assert.deepEqual(published.map((k) => k.kid).sort(), iss.activeKeys().map((k) => k.kid).sort());
  assert.equal(published.length, 2);
  assert.ok(published.some((k) => k.kid === rs.kid));
  const jwks = remote(iss);
  await verify(iss, await iss.token({ alg: "RS256" }), jwks);
  const e = await refusal(verify(iss, tokens.RS256, jwks));
  assert.equal(e?.code, "ERR_JWKS_NO_MATCHING_KEY");
});

await check("stop() frees the port; a new issuer on the same port with the same keys takes over", async () => {
  const published = iss.publishedKeys();
  const { clientSecret } = iss;
  const es = await iss.token({ alg: "ES256" });
  await iss.stop();
  assert.ok(await refused(port), "port still answers after stop()");
  iss = await startIssuer({ port, keys: published, clientSecret });
  assert.equal(iss.url, `http://127.0.0.1:${port}`);
  assert.equal(iss.count("jwks"), 0);
  await verify(iss, es);
  await verify(iss, await iss.token({ alg: "ES256" }));
  await iss.stop();
});

await check("an issuer with a path: identifier, discovery and counters include it", async () => {
  const p = await startIssuer({ path: "/realms/test", algs: ["ES256"], clientId: "gw-2" });
  try {
    assert.match(p.url, /^http:\/\/127\.0\.0\.1:\d+\/realms\/test$/);
    const d = await getJson(`${p.url}/.well-known/openid-configuration`);
    assert.equal(d.issuer, p.url);
    assert.equal(d.jwks_uri, `${p.url}/jwks`);
    const t = await p.token();
    assert.equal(decodeJwt(t).aud, "gw-2");
    await verify(p, t);
    assert.equal(p.discoveryCount, 1);
    assert.ok(p.jwksCount >= 1);
    const r = await fetch(`${p.origin}/.well-known/openid-configuration`);
    assert.equal(r.status, 404);
  } finally {
    await p.stop();
  }
});

clearTimeout(deadline);
console.log(`oidc_issuer_check: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed.length} failed`);
if (failed.length) {
  console.log(`failed:\n  ${failed.join("\n  ")}`);
  process.exit(1);
}
