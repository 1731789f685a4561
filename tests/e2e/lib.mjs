// Shared helpers for the node end-to-end tests: start `igw mock` / `igw serve` as child processes on port 0,
// read their real ports from the JSON log lines, and stop them when the test ends. Every wait is bounded.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const IGW_BIN = process.env.IGW_BIN;
if (!IGW_BIN) throw new Error("IGW_BIN must point at the igw binary (CTest sets it)");

const children = new Set();
function killAll() {
  for (const c of children) {
    try { c.kill("SIGKILL"); } catch { /* already gone */ }
  }
}
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { killAll(); process.exit(1); });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn (sync or async) every `every` ms until it returns a truthy value; throws `what` (a string or a
// function returning one) on timeout.
export async function waitFor(fn, { timeout = 10000, every = 20, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${typeof what === "function" ? what() : what}`);
    }
    await sleep(every);
  }
}

export function tempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "igw-e2e-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Starts `igw <args>` and collects its output; resolves once a JSON log line matches `ready`.
// Returns { proc, lines, line, output(), stop(signal), exited }.
export async function startIgw(args, { env = {}, ready, timeout = 15000, name = args[0] } = {}) {
  const proc = spawn(IGW_BIN, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  const lines = [];
  let text = "";
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => {
    children.delete(proc);
    resolve({ code, signal });
  }));
  let exitInfo = null;
  exited.then((e) => { exitInfo = e; });
  const onData = (chunk) => {
    text += chunk;
    let nl;
    while ((nl = text.indexOf("\n")) >= 0) {
      const raw = text.slice(0, nl);
      text = text.slice(nl + 1);
      let json = null;
      try { json = JSON.parse(raw); } catch { /* not a JSON line */ }
      lines.push({ raw, json });
    }
  };
  proc.stdout.setEncoding("utf8").on("data", onData);
  proc.stderr.setEncoding("utf8").on("data", onData);
  const output = () => lines.map((l) => l.raw).join("\n");
  const line = await waitFor(() => {
    if (exitInfo) throw new Error(`igw ${name} exited (${JSON.stringify(exitInfo)}) before ready:\n${output()}`);
    return lines.find((l) => l.json && ready(l.json))?.json;
  }, { timeout, what: () => `igw ${name} to be ready; output so far:\n${output()}` });
  const stop = async (signal = "SIGTERM", ms = 10000) => {
    if (exitInfo) return exitInfo;
    proc.kill(signal);
    const t = setTimeout(() => proc.kill("SIGKILL"), ms);
    const e = await exited;
    clearTimeout(t);
    return e;
  };
  return { proc, lines, line, output, stop, exited };
}

// `igw mock --port 0 ...flags`: { port, url (OpenAI base .../v1), origin, stop, ... }.
export async function startMock(flags = [], opts = {}) {
  const m = await startIgw(["mock", "--port", "0", ...flags], {
    ...opts, name: "mock", ready: (j) => j.logger === "mock" && typeof j.port === "number",
  });
  const scheme = flags.includes("--tls-cert") ? "https" : "http";
  const origin = `${scheme}://127.0.0.1:${m.line.port}`;
  return { ...m, port: m.line.port, origin, url: `${origin}/v1` };
}

// `igw serve` with SERVER_PORT=0 and `env`: { port, metricsPort, url (http://127.0.0.1:port), stop, ... }.
// The ports come from the gateway's JSON "listening" line (logger "server", fields port and metrics_port).
export async function startGateway(env = {}, flags = [], opts = {}) {
  const g = await startIgw(["serve", ...flags], {
    ...opts,
    name: "serve",
    env: { SERVER_HOST: "127.0.0.1", SERVER_PORT: "0", ...env },
    ready: (j) => j.logger === "server" && typeof j.port === "number",
  });
  const url = `http://127.0.0.1:${g.line.port}`;
  await waitFor(() => portAnswers(g.line.port), { timeout: 10000, what: `gateway port ${g.line.port}` });
  return { ...g, port: g.line.port, metricsPort: g.line.metrics_port ?? 0, url };
}

export function portAnswers(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

export async function fetchJson(url, init = {}) {
  const res = await fetch(url, { signal: AbortSignal.timeout(20000), ...init });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* keep text */ }
  return { status: res.status, headers: res.headers, body, text };
}

// The content the mock answers with: the words of the last user message, cycled, `tokens` of them.
export function mockContent(prompt, tokens) {
  const words = prompt.split(/\s+/).filter(Boolean);
  const w = words.length ? words : ["mock"];
  return Array.from({ length: tokens }, (_, i) => w[i % w.length]).join(" ");
}

// What the mock received (GET /mock/requests) and its stream counters (GET /mock/stats).
export const mockRequests = async (mock) => (await fetchJson(`${mock.origin}/mock/requests`)).body.requests;
export const mockStats = async (mock) => (await fetchJson(`${mock.origin}/mock/stats`)).body;

// A free TCP port on 127.0.0.1 (bound, read and released: for a peer that must start later on a known port).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The value of the first sample `name{...}` in a Prometheus text exposition whose labels include `labels`
// (any order); 0 when there is none.
export function metricSample(text, name, labels = {}) {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{")) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf("}"));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}
