// Bearer tokens the gateway must refuse, crafted against an issuer from oidc_issuer.mjs (its url, clientId and
// signing keys). Each builder resolves to { name, token, reason, statuses }: `reason` is the snake_case reason
// the gateway is expected to log, `statuses` the HTTP statuses it may answer with (401, and for the 100 KB
// header also 431, since a request head that large may be refused before the token is looked at).
//
// Claims and header follow the issuer's own access tokens ({alg, typ: "at+jwt", kid}; jti, sub, iat, exp,
// client_id, iss, aud), so each token differs from an accepted one in the one way its name says.
import { randomBytes } from "node:crypto";
import { SignJWT, base64url, generateKeyPair } from "jose";

const now = () => Math.floor(Date.now() / 1000);
const b64json = (v) => base64url.encode(JSON.stringify(v));

// The algorithm used when none is given: RS256 when the issuer has such a key, else its default.
function pickAlg(issuer, alg) {
  if (alg) return alg;
  return issuer.activeKeys().some((k) => k.alg === "RS256") ? "RS256" : issuer.defaultAlg;
}

export function claimsFor(issuer, overrides = {}) {
  const t = now();
  return {
    jti: randomBytes(16).toString("base64url"),
    sub: issuer.clientId,
    iat: t,
    exp: t + 600,
    client_id: issuer.clientId,
    iss: issuer.url,
    aud: issuer.clientId,
    ...overrides,
  };
}

// Signs `claims` with `key` (a CryptoKey/KeyObject or secret bytes) under `header`.
const sign = (claims, header, key) => new SignJWT(claims).setProtectedHeader(header).sign(key);

// A token the gateway must accept, signed locally with the issuer's current key (a control for the others).
export async function validToken(issuer, { alg, claims = {}, header = {} } = {}) {
  const k = issuer.signingKey(pickAlg(issuer, alg));
  return sign(claimsFor(issuer, claims), { alg: k.alg, typ: "at+jwt", kid: k.kid, ...header }, k.privateKey);
}

const entry = (name, token, reason, statuses = [401]) => ({ name, token, reason, statuses });

// exp 10 minutes ago (well past a 60 s skew allowance).
export async function expired(issuer, opts = {}) {
  const t = now();
  return entry("expired", await validToken(issuer, { ...opts, claims: { iat: t - 1200, exp: t - 600 } }), "expired");
}

// nbf 10 minutes ahead.
export async function notYetValid(issuer, opts = {}) {
  const t = now();
  return entry("not_yet_valid",
    await validToken(issuer, { ...opts, claims: { iat: t, nbf: t + 600, exp: t + 1200 } }), "not_yet_valid");
}

// iss of another issuer (a loopback port where nothing listens, should anything try to reach it).
export async function wrongIssuer(issuer, opts = {}) {
  return entry("wrong_issuer",
    await validToken(issuer, { ...opts, claims: { iss: "http://127.0.0.1:1/another-issuer" } }), "wrong_issuer");
}

// aud of another client.
export async function wrongAudience(issuer, opts = {}) {
  return entry("wrong_audience",
    await validToken(issuer, { ...opts, claims: { aud: "some-other-client" } }), "wrong_audience");
}

// Signed by a key of the same type that is not the issuer's, under the issuer's kid.
export async function badSignature(issuer, { alg } = {}) {
  const k = issuer.signingKey(pickAlg(issuer, alg));
  const { privateKey } = await generateKeyPair(k.alg);
  return entry("bad_signature",
    await sign(claimsFor(issuer), { alg: k.alg, typ: "at+jwt", kid: k.kid }, privateKey), "bad_signature");
}

// Unsigned: protected header exactly {"alg":"none"}, empty signature.
export async function algNone(issuer) {
  return entry("alg_none", `${b64json({ alg: "none" })}.${b64json(claimsFor(issuer))}.`, "unsupported_alg");
}

function rsaKey(issuer) {
  const k = issuer.activeKeys().find((x) => x.alg.startsWith("RS") || x.alg.startsWith("PS"));
  if (!k) throw new Error("the issuer has no RSA signing key");
  return k;
}

// HS256 whose HMAC secret is the bytes of the issuer's RSA public key as PEM (SPKI), under that key's kid.
export async function hs256WithPublicPem(issuer) {
  const k = rsaKey(issuer);
  return entry("hs256_public_key_pem", await sign(claimsFor(issuer), { alg: "HS256", typ: "at+jwt", kid: k.kid },
    new TextEncoder().encode(k.publicPem)), "unsupported_alg");
}

// HS256 whose HMAC secret is the JSON of the issuer's RSA public JWK (members in the JWKS's order).
export async function hs256WithPublicJwk(issuer) {
  const k = rsaKey(issuer);
  const { kty, use, kid, alg, e, n } = k.publicJwk;
  return entry("hs256_public_key_jwk", await sign(claimsFor(issuer), { alg: "HS256", typ: "at+jwt", kid: k.kid },
    new TextEncoder().encode(JSON.stringify({ kty, use, kid, alg, e, n }))), "unsupported_alg");
}

// Signed by a fresh key whose kid is in no JWKS of the issuer.
export async function unknownKid(issuer, { alg } = {}) {
  const a = pickAlg(issuer, alg);
  const { privateKey } = await generateKeyPair(a);
  const kid = `unknown-${randomBytes(6).toString("hex")}`;
  return entry("unknown_kid", await sign(claimsFor(issuer), { alg: a, typ: "at+jwt", kid }, privateKey), "unknown_kid");
}

// The number of characters to cut off a token's end so that at least `min` go and the signature left has a
// length of 1 modulo 4, which no base64url decoder can turn into whole bytes: the refusal is `malformed`
// whatever the algorithm (RS256 and ES256 signatures are 342 and 86 characters, so 13 go).
export function malformedCut(token, min = 10) {
  const sigLen = token.length - token.lastIndexOf(".") - 1;
  let n = min;
  while ((sigLen - n) % 4 !== 1) n++;
  if (n >= sigLen) throw new Error("signature too short to cut");
  return n;
}

// A valid token with its end cut off so that the signature is no longer base64url (see malformedCut).
export async function truncated(issuer, opts = {}) {
  const token = await validToken(issuer, opts);
  return entry("truncated", token.slice(0, token.length - malformedCut(token)), "malformed");
}

// A valid RS256 token with its last 10 characters cut (2048-bit key: 342 - 10 = 332; for other sizes the
// smallest cut of at least 10 that leaves a multiple of 4): the signature still decodes, to fewer bytes than
// the key's size (249 instead of 256), so the JWS is well formed and only the signature check fails.
export async function truncatedSignature(issuer) {
  const token = await validToken(issuer, { alg: rsaKey(issuer).alg });
  const sigLen = token.length - token.lastIndexOf(".") - 1;
  return entry("truncated_signature", token.slice(0, token.length - (10 + ((sigLen - 10) % 4))), "bad_signature");
}

// Not a JWT at all: three segments that decode to no JSON, and one segment of random bytes (base64url, so that
// it can travel in a header).
export async function garbage() {
  return [
    entry("garbage_segments", "not.a.jwt", "malformed"),
    entry("garbage_random", randomBytes(96).toString("base64url"), "malformed"),
  ];
}

// A validly signed token whose protected header carries a ~100 KB extra member: `malformed`, or 431 when the
// request head is refused for its size first.
export async function hugeHeader(issuer, { alg, size = 100 * 1024 } = {}) {
  const token = await validToken(issuer, { alg, header: { pad: "a".repeat(size) } });
  return entry("huge_header", token, "malformed", [401, 431]);
}

// Every token above, in order.
export async function allBadTokens(issuer, opts = {}) {
  const hasRsa = issuer.activeKeys().some((x) => x.alg.startsWith("RS") || x.alg.startsWith("PS"));
  return [
    await expired(issuer, opts),
    await notYetValid(issuer, opts),
    await wrongIssuer(issuer, opts),
    await wrongAudience(issuer, opts),
    await badSignature(issuer, opts),
    await algNone(issuer),
    ...(hasRsa ? [await hs256WithPublicPem(issuer), await hs256WithPublicJwk(issuer)] : []),
    await unknownKid(issuer, opts),
    await truncated(issuer, opts),
    ...(hasRsa ? [await truncatedSignature(issuer)] : []),
    ...(await garbage()),
    await hugeHeader(issuer, opts),
  ];
}
