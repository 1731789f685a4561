// A real OpenID provider (oidc-provider) for the gateway's bearer-token tests, on 127.0.0.1 over plain http.
//
// One confidential client allowed the client_credentials grant; its access tokens are JWTs (header typ
// "at+jwt", kid of the signing key) whose `aud` is the client id, so a gateway configured with
// AUTH_OIDC_CLIENT_ID=<clientId> accepts them. The signing algorithm is chosen per token: each algorithm is
// its own resource indicator (urn:igw:test:rs:<ALG>[:aud:<audience>]) whose resource server signs with that
// algorithm's current key, and the resource defaults to the first algorithm's when the request names none.
//
// The listener is ours (node:http) and hands every request to the current provider instance, counting
// requests per path on the way. rotate() builds a new provider instance with the new key set and swaps it
// in behind the same listener (oidc-provider reads its keys once, at construction): same port, same issuer,
// no connection refused in between.
//
// Quiet unless DEBUG is set in the environment (then oidc-provider's notices, its server errors and one line
// per request go to stderr).
import { randomBytes } from "node:crypto";
import http from "node:http";
import { exportJWK, exportSPKI, generateKeyPair, importJWK } from "jose";

const DEBUG = !!process.env.DEBUG;
const debug = (...a) => { if (DEBUG) console.error("[oidc-issuer]", ...a); };

// oidc-provider prints notices through console.info/console.warn, some when it is imported (it names Node.js
// 22 as its supported runtime; what the tests use works on 20) and some when a provider is built. Drop those
// lines, and only those, unless DEBUG is set; hence the dynamic import after the filter is in place.
if (!DEBUG) {
  const ours = /^(\x1b\[[0-9;]*m)?oidc-provider (NOTICE|WARNING):/;
  for (const level of ["info", "warn"]) {
    const print = console[level];
    console[level] = function filtered(...args) {
      if (typeof args[0] === "string" && ours.test(args[0])) return;
      print.apply(this, args);
    };
  }
}
const { default: Provider, errors: oidcErrors } = await import("oidc-provider");

export const DISCOVERY_PATH = "/.well-known/openid-configuration";
export const JWKS_PATH = "/jwks";
export const TOKEN_PATH = "/token";
const RESOURCE_PREFIX = "urn:igw:test:rs:";

// Algorithms oidc-provider can sign JWT access tokens with from an asymmetric key of ours.
const ASYMMETRIC_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

// A fresh signing key: { alg, kid, privateKey, publicKey, privateJwk, publicJwk, publicPem }.
export async function generateSigningKey(alg = "RS256", { kid } = {}) {
  if (!ASYMMETRIC_ALGS.includes(alg)) throw new Error(`unsupported signing alg ${alg}`);
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return describeKey(alg, kid ?? `${alg.toLowerCase()}-${randomBytes(6).toString("hex")}`, privateKey, publicKey);
}

async function describeKey(alg, kid, privateKey, publicKey) {
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: "sig" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { alg, kid, privateKey, publicKey, privateJwk, publicJwk, publicPem: await exportSPKI(publicKey) };
}

// Accepts what generateSigningKey returns, or a private JWK carrying alg and kid.
async function normalizeKey(k) {
  if (k.privateJwk) return k;
  if (!k.alg || !k.kid || !k.d) throw new Error("a signing key given as a JWK needs alg, kid and its private part");
  const { d, p, q, dp, dq, qi, ...pub } = k;
  const privateKey = await importJWK(k, k.alg, { extractable: true });
  const publicKey = await importJWK(pub, k.alg, { extractable: true });
  return describeKey(k.alg, k.kid, privateKey, publicKey);
}

export const resourceFor = (alg, audience) =>
  `${RESOURCE_PREFIX}${alg}${audience === undefined ? "" : `:aud:${encodeURIComponent(audience)}`}`;

function parseResource(resource) {
  if (!resource.startsWith(RESOURCE_PREFIX)) return null;
  const m = /^([A-Za-z0-9]+)(?::aud:(.*))?$/.exec(resource.slice(RESOURCE_PREFIX.length));
  if (!m) return null;
  return { alg: m[1], audience: m[2] === undefined ? undefined : decodeURIComponent(m[2]) };
}

// Starts the issuer. Options (all optional):
//   port (0 = any free one), host ("127.0.0.1"), path (issuer path prefix, e.g. "/realms/test"; default none),
//   clientId ("igw-gateway"), clientSecret (random), authMethod ("client_secret_basic" | "client_secret_post"),
//   keys (signing keys from generateSigningKey, or private JWKs with alg and kid; the first of each alg signs),
//   algs (["RS256", "ES256"]: keys generated when `keys` is not given), defaultAlg (the first key's alg),
//   ttl (access-token lifetime in seconds, 600), scope (the resource server's scopes, "").
export async function startIssuer(options = {}) {
  const host = options.host ?? "127.0.0.1";
  const pathPrefix = (options.path ?? "").replace(/\/+$/, "");
  if (pathPrefix && !pathPrefix.startsWith("/")) throw new Error("path must start with /");
  const clientId = options.clientId ?? "igw-gateway";
  const clientSecret = options.clientSecret ?? randomBytes(24).toString("base64url");
  const authMethod = options.authMethod ?? "client_secret_basic";
  const ttl = options.ttl ?? 600;
  const rsScope = options.scope ?? "";

  const initial = options.keys
    ? await Promise.all(options.keys.map(normalizeKey))
    : await Promise.all((options.algs ?? ["RS256", "ES256"]).map((a) => generateSigningKey(a)));
  if (!initial.length) throw new Error("at least one signing key is needed");
  const active = new Map(); // alg -> the key that signs new tokens of that alg
  for (const k of initial) if (!active.has(k.alg)) active.set(k.alg, k);
  let published = [...initial]; // every key in the JWKS (active ones and kept older ones)
  const defaultAlg = options.defaultAlg ?? initial[0].alg;
  if (!active.has(defaultAlg)) throw new Error(`no key for the default alg ${defaultAlg}`);

  // Per-path request counters and a log with times, for "how often was the JWKS fetched" assertions.
  const counts = Object.create(null);
  const log = [];

  let provider = null;
  let handler = null;
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url, "http://x").pathname;
    counts[pathname] = (counts[pathname] ?? 0) + 1;
    log.push({ method: req.method, path: pathname, at: Date.now() });
    debug(req.method, req.url);
    if (!handler) { res.writeHead(503).end(); return; }
    if (pathPrefix) {
      if (pathname !== pathPrefix && !pathname.startsWith(`${pathPrefix}/`)) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
        return;
      }
      req.originalUrl = req.url; // oidc-provider takes the mount path from what the prefix was cut off
      req.url = req.url.slice(pathPrefix.length) || "/";
    }
    handler(req, res);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => { server.off("error", reject); resolve(); });
  });
  const port = server.address().port;
  const origin = `http://${host}:${port}`;
  const url = `${origin}${pathPrefix}`;

  const build = () => {
    const algs = [...new Set(published.map((k) => k.alg))];
    const p = new Provider(url, {
      clients: [{
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: authMethod,
        id_token_signed_response_alg: defaultAlg, // unused here, but must be an alg the key set supports
      }],
      jwks: { keys: published.map((k) => k.privateJwk) },
      cookies: { keys: [randomBytes(32).toString("base64url")] },
      enabledJWA: {
        idTokenSigningAlgValues: [...new Set(["RS256", "PS256", "ES256", "Ed25519", "EdDSA", ...algs])],
      },
      routes: { jwks: JWKS_PATH, token: TOKEN_PATH },
      ttl: {
        AccessToken: ttl,
        ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl,
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: false },
        revocation: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => resourceFor(defaultAlg),
          useGrantedResource: () => true,
          getResourceServerInfo: (ctx, resource, client) => {
            const r = parseResource(resource);
            const key = r && client?.clientId === clientId ? active.get(r.alg) : undefined;
            if (!key) throw new oidcErrors.InvalidTarget(`no signing key for resource ${resource}`);
            return {
              scope: rsScope,
              audience: r.audience ?? clientId,
              accessTokenTTL: ttl,
              accessTokenFormat: "jwt",
              jwt: { sign: { alg: key.alg, kid: key.kid } },
            };
          },
        },
      },
    });
    p.proxy = false;
    p.silent = !DEBUG; // Koa's default error printer
    if (DEBUG) p.on("server_error", (ctx, err) => debug("server_error", err));
    return p;
  };

  const swap = () => {
    provider = build();
    handler = provider.callback();
  };
  try {
    swap();
  } catch (e) {
    server.close();
    throw e;
  }

  const issuer = {
    url, // the issuer identifier, exactly as the discovery document's `issuer`
    origin,
    port,
    clientId,
    clientSecret,
    authMethod,
    defaultAlg,
    discoveryUrl: `${url}${DISCOVERY_PATH}`,
    jwksUri: `${url}${JWKS_PATH}`,
    tokenEndpoint: `${url}${TOKEN_PATH}`,
    counts,
    log,
    get provider() { return provider; }, // the oidc-provider instance serving now (a new one after rotate())

    // Requests seen for a path: "jwks", "discovery", "token", or a literal path ("/jwks", ...).
    count(what) {
      const p = { jwks: JWKS_PATH, discovery: DISCOVERY_PATH, token: TOKEN_PATH }[what];
      return counts[p ? `${pathPrefix}${p}` : what] ?? 0;
    },
    get jwksCount() { return this.count("jwks"); },
    get discoveryCount() { return this.count("discovery"); },
    resetCounts() {
      for (const k of Object.keys(counts)) delete counts[k];
      log.length = 0;
    },

    // The key that signs new tokens of `alg` (default: the default alg), with its private half.
    signingKey(alg = defaultAlg) {
      const k = active.get(alg);
      if (!k) throw new Error(`no signing key for ${alg}`);
      return k;
    },
    // Every key currently in the JWKS (active first, then kept older ones).
    publishedKeys() { return [...published]; },
    activeKeys() { return [...active.values()]; },

    // Client-credentials token request; resolves to the token endpoint's { status, body }.
    async tokenResponse({ alg = defaultAlg, audience, scope, method = authMethod, secret = clientSecret } = {}) {
      const form = new URLSearchParams({ grant_type: "client_credentials", resource: resourceFor(alg, audience) });
      if (scope) form.set("scope", scope);
      const headers = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
      if (method === "client_secret_post") {
        form.set("client_id", clientId);
        form.set("client_secret", secret);
      } else {
        const enc = (s) => encodeURIComponent(s);
        headers.authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString("base64")}`;
      }
      const res = await fetch(this.tokenEndpoint, {
        method: "POST", headers, body: form, signal: AbortSignal.timeout(10000),
      });
      const text = await res.text();
      let body = null;
      try { body = JSON.parse(text); } catch { body = text; }
      return { status: res.status, body };
    },
    // The access_token string of a successful client-credentials request (throws otherwise).
    async token(opts = {}) {
      const r = await this.tokenResponse(opts);
      if (r.status !== 200 || typeof r.body?.access_token !== "string") {
        throw new Error(`token request failed: ${r.status} ${JSON.stringify(r.body)}`);
      }
      return r.body.access_token;
    },

    // New signing keys (new kids) for `algs` (default: every active alg), or the given `keys`. New tokens
    // are signed with them at once and the JWKS publishes them. keepOld (default true) keeps every key
    // published before; keepOld: false publishes the active keys only. Resolves to the new keys.
    async rotate({ algs, keys, keepOld = true } = {}) {
      const fresh = keys
        ? await Promise.all(keys.map(normalizeKey))
        : await Promise.all((algs ?? [...active.keys()]).map((a) => generateSigningKey(a)));
      for (const k of fresh) active.set(k.alg, k);
      const newest = [...active.values()];
      published = keepOld ? [...newest, ...published.filter((k) => !newest.includes(k))] : newest;
      swap();
      return fresh;
    },

    async stop() {
      handler = null;
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return issuer;
}
