// MCP latency of `sage mcp` (stdio) and `sage serve` (Streamable HTTP) under the official MCP
// TypeScript SDK client, beside the reference @modelcontextprotocol/server-filesystem over stdio
// in the same run. Started by mcp_bench.sh, which installs the pinned packages.
// SPDX-License-Identifier: MIT
//
// usage: node mcp_bench.mjs SAGE_BINARY BUNDLED_KB TLDR_DIR [--calls N] [--init-runs N]
//   SAGE_BENCH_NODE_DIR   where the SDK and server-filesystem are installed (node_modules inside)
//
// Measured, one request at a time from one client:
//   - initialize from process start: spawn -> Client.connect() resolved (initialize answered,
//     notifications/initialized sent), with a warm index cache; for HTTP, connect() to a running
//     `sage serve` (a new session);
//   - round trips on the bundled KB and on the tldr pages: ping, tools/call search_knowledge
//     (a fixed list of queries), tools/call get_knowledge and resources/read of one document,
//     and server-filesystem's tools/call read_text_file of the same file (allowed dir = the KB);
//   - for HTTP, whose peer server-filesystem does not speak, the SDK's own Streamable HTTP
//     server (mcp_bench_http_peer.mjs) with the same read_text_file: ping, the read, a new session.
// The rows of a KB take turns in blocks of `block` calls, so a change of load on the machine
// falls on all of them. listTools is never called, so the SDK does not validate
// structuredContent against output schemas (client-side work left out of every row alike).
// Every answer is checked (no isError; reads equal the file's bytes); a failure is printed and
// makes the exit status 1.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const usage =
  "usage: SAGE_BENCH_NODE_DIR=DIR node mcp_bench.mjs SAGE_BINARY BUNDLED_KB TLDR_DIR " +
  "[--calls N] [--init-runs N]";
const [sage, bundledKb, tldrDir, ...rest] = process.argv.slice(2);
const nodeDir = process.env.SAGE_BENCH_NODE_DIR;
if (!sage || !bundledKb || !tldrDir || !nodeDir) {
  console.error(usage);
  process.exit(2);
}
const option = (name, fallback) => {
  const i = rest.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(rest[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`invalid ${name}: ${rest[i + 1]}; give a positive integer\n${usage}`);
    process.exit(2);
  }
  return n;
};
const calls = option("--calls", 1000);
const initRuns = option("--init-runs", 20);
const warmup = Math.min(100, calls);
const block = 50;

// Resolve the packages from NODE_DIR, not from this file's folder (the source tree has none).
const require = createRequire(join(nodeDir, "package.json"));
const load = async (spec) => import(pathToFileURL(require.resolve(spec)).href);
const { Client } = await load("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = await load("@modelcontextprotocol/sdk/client/stdio.js");
const { StreamableHTTPClientTransport } = await load(
  "@modelcontextprotocol/sdk/client/streamableHttp.js");
const packageVersion = (name) =>
  JSON.parse(readFileSync(join(nodeDir, "node_modules", name, "package.json"), "utf8")).version;
const fsServer =
  join(nodeDir, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
const httpPeer = join(dirname(fileURLToPath(import.meta.url)), "mcp_bench_http_peer.mjs");

// The knowledge bases: realistic queries for each, and one Markdown document to read whole.
const KBS = [
  {
    name: "bundled",
    root: bundledKb,
    doc: { path: "guidelines/TESTING.md", uri: "knowledge://guidelines/TESTING.md" },
    queries: [
      "timeout circuit breaker", "error handling", "code review checklist", "database migration",
      "structured logging", "unit test mocks", "input validation security", "caching strategy",
      "incident postmortem", "naming conventions", "retry with backoff", "python type hints",
      "sql index", "performance regression", "architecture decision record", "shell script",
      "refactoring legacy code", "observability metrics tracing", "handoff", "autonomy levels",
    ],
  },
  {
    name: "tldr",
    root: tldrDir,
    doc: { path: "pages/common/tar.md", uri: "knowledge://other/pages/common/tar.md" },
    queries: [
      "compress archive files", "list files", "git commit", "docker container logs",
      "ssh key", "find files by name", "network interfaces", "disk usage", "kill process",
      "download file", "change file permissions", "search text in files", "create user",
      "install package", "show running processes", "mount drive", "convert video",
      "environment variables", "copy files remote", "system information",
    ],
  },
];

let failures = 0;
function failure(what) {
  failures++;
  if (failures <= 10) console.error(`error: ${what}`);
}

const work = mkdtempSync(join(tmpdir(), "sage-mcp-bench-"));
const cacheDir = join(work, "cache"); // shared by every sage process: the index cache stays warm
let serial = 0;
function sageEnv() {
  const dir = join(work, `p${++serial}`);
  return { HOME: dir, SAGE_CACHE_DIR: cacheDir, SAGE_DATA_DIR: join(dir, "data") };
}

function collectStderr(stream) {
  const seen = { text: "" };
  stream?.on("data", (d) => { seen.text = (seen.text + d).slice(-4000); });
  return seen;
}

async function connectStdio(command, args, env) {
  const transport = new StdioClientTransport({ command, args, env, stderr: "pipe" });
  const stderr = collectStderr(transport.stderr);
  const client = new Client({ name: "sage-mcp-bench", version: "1" });
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`${command} ${args.join(" ")}: ${e.message}; stderr:\n${stderr.text}`);
  }
  return client;
}

const sageMcp = (kb) => connectStdio(sage, ["--kb", kb.root, "mcp", "-q"], sageEnv());
const fsPeer = (kb) => connectStdio(process.execPath, [fsServer, kb.root], {});

// An HTTP server on a free port; the URL comes from its "listening on" log line.
async function startHttp(command, args, env) {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const stderr = collectStderr(child.stderr);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${stderr.text}`)),
                             120000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${stderr.text}`));
    });
    child.stderr.on("data", () => {
      const m = stderr.text.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  child.removeAllListeners("exit");
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      const code = await exited;
      if (code !== 0) failure(`${command} exited with ${code} on SIGTERM:\n${stderr.text}`);
    },
  };
}

const startServe = (kb) =>
  startHttp(sage, ["--kb", kb.root, "serve", "--port", "0", "--api-port", "0", "--metrics-port", "0"], sageEnv());
const startHttpPeer = () =>
  startHttp(process.execPath, [httpPeer], { SAGE_BENCH_NODE_DIR: nodeDir });

async function connectHttp(url) {
  const client = new Client({ name: "sage-mcp-bench", version: "1" });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

async function closeHttp({ client, transport }) {
  await transport.terminateSession(); // DELETE: the server drops the session at once
  await client.close();
}

// -- statistics ---------------------------------------------------------------------------------

const sorted = (v) => [...v].sort((a, b) => a - b);
const percentile = (s, p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));
const loadavg = () => readFileSync("/proc/loadavg", "utf8").trim().split(" ").slice(0, 3).join(" ");

// -- initialize from process start --------------------------------------------------------------

async function timeStartup(start) {
  const t0 = performance.now();
  const client = await start();
  const t = performance.now() - t0;
  await client.close();
  return t;
}

async function initializeRows() {
  const starts = [
    { what: "sage mcp, bundled KB", start: () => sageMcp(KBS[0]) },
    { what: "sage mcp, tldr", start: () => sageMcp(KBS[1]) },
    { what: "server-filesystem (node), bundled KB dir", start: () => fsPeer(KBS[0]) },
  ];
  for (const s of starts) await timeStartup(s.start); // builds the index caches, warms the disk
  for (const s of starts) s.times = [];
  for (let i = 0; i < initRuns; ++i)
    for (const s of starts) s.times.push(await timeStartup(s.start));

  // A new session on a running server: what an HTTP client pays to start.
  const serve = await startServe(KBS[0]);
  const peer = await startHttpPeer();
  const sessions = [
    { what: "sage serve, bundled KB: new session on a running server", url: serve.url },
    { what: "SDK Streamable HTTP server (node): new session on a running server", url: peer.url },
  ];
  for (const s of sessions) {
    await closeHttp(await connectHttp(s.url));
    s.times = [];
  }
  for (let i = 0; i < initRuns; ++i)
    for (const s of sessions) {
      const t0 = performance.now();
      const c = await connectHttp(s.url);
      s.times.push(performance.now() - t0);
      await closeHttp(c);
    }
  await serve.stop();
  await peer.stop();
  return [...starts, ...sessions];
}

// -- round trips --------------------------------------------------------------------------------

const textOf = (r) =>
  (r.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("");

// A tool call that must succeed; returns the size of its text.
async function tool(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name} answered isError: ${textOf(r).slice(0, 300)}`);
  return textOf(r).length;
}

function rowsFor(kb, sageStdio, sageHttp, fs, peerHttp) {
  const file = readFileSync(join(kb.root, kb.doc.path), "utf8");
  const fullPath = join(kb.root, kb.doc.path);
  let q = 0;
  const search = (client) => () => tool(client, "search_knowledge",
                                        { query: kb.queries[q++ % kb.queries.length] });
  const getDoc = (client) => () => tool(client, "get_knowledge",
                                        { target: kb.doc.path, budget: 10000 });
  const ping = (client) => async () => { await client.ping(); return 0; };
  const readText = (client) => async () => {
    const r = await client.callTool({ name: "read_text_file", arguments: { path: fullPath } });
    if (r.isError || textOf(r) !== file)
      throw new Error(`read_text_file ${fullPath}: ` +
                      (r.isError ? textOf(r) : "differs from the file"));
    return textOf(r).length;
  };
  return [
    { server: "sage", transport: "stdio", call: "ping", run: ping(sageStdio) },
    { server: "sage", transport: "HTTP", call: "ping", run: ping(sageHttp) },
    { server: "server-filesystem", transport: "stdio", call: "ping", run: ping(fs) },
    { server: "SDK HTTP server", transport: "HTTP", call: "ping", run: ping(peerHttp) },
    { server: "sage", transport: "stdio", call: "tools/call search_knowledge",
      run: search(sageStdio) },
    { server: "sage", transport: "HTTP", call: "tools/call search_knowledge",
      run: search(sageHttp) },
    { server: "sage", transport: "stdio", call: "tools/call get_knowledge (document)",
      run: getDoc(sageStdio) },
    { server: "sage", transport: "HTTP", call: "tools/call get_knowledge (document)",
      run: getDoc(sageHttp) },
    {
      server: "sage", transport: "stdio", call: "resources/read (document)",
      run: async () => {
        const r = await sageStdio.readResource({ uri: kb.doc.uri });
        const text = r.contents[0]?.text;
        if (text !== file) throw new Error(`resources/read ${kb.doc.uri} differs from the file`);
        return text.length;
      },
    },
    {
      server: "server-filesystem", transport: "stdio", call: "tools/call read_text_file (document)",
      run: readText(fs),
    },
    {
      server: "SDK HTTP server", transport: "HTTP", call: "tools/call read_text_file (document)",
      run: readText(peerHttp),
    },
  ];
}

async function timed(row) {
  const t0 = performance.now();
  try {
    row.chars.push(await row.run());
  } catch (e) {
    failure(`${row.kb} ${row.server} ${row.transport} ${row.call}: ${e.message}`);
  }
  return performance.now() - t0;
}

async function roundTrips(kb) {
  const sageStdio = await sageMcp(kb);
  const serve = await startServe(kb);
  const http = await connectHttp(serve.url);
  const fs = await fsPeer(kb);
  const peer = await startHttpPeer();
  const peerHttp = await connectHttp(peer.url);
  const rows = rowsFor(kb, sageStdio, http.client, fs, peerHttp.client);
  for (const row of rows) {
    row.kb = kb.name;
    row.chars = [];
    row.times = [];
    for (let i = 0; i < warmup; ++i) await timed(row);
  }
  for (let done = 0; done < calls; done += block)
    for (const row of rows)
      for (let i = done; i < Math.min(calls, done + block); ++i) row.times.push(await timed(row));
  await sageStdio.close();
  await closeHttp(http);
  await serve.stop();
  await fs.close();
  await closeHttp(peerHttp);
  await peer.stop();
  return rows;
}

// -- report -------------------------------------------------------------------------------------

function sageVersion() {
  const r = spawn(sage, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  r.stdout.on("data", (d) => { out += d; });
  return new Promise((resolve) => r.on("exit", () => resolve(out.trim())));
}

const loadBefore = loadavg();
const t0 = performance.now();
console.log(`# MCP round trips: sage beside @modelcontextprotocol/server-filesystem\n`);
const sdk = packageVersion("@modelcontextprotocol/sdk");
const fsVersion = packageVersion("@modelcontextprotocol/server-filesystem");
console.log(`- ${await sageVersion()}; @modelcontextprotocol/sdk ${sdk} client; ` +
            `@modelcontextprotocol/server-filesystem ${fsVersion}; ` +
            `node ${process.versions.node}`);
console.log(`- ${calls} calls per row after ${warmup} warm-up calls, one at a time, ` +
            `rows taking turns in blocks of ${block}; ${initRuns} starts per initialize row`);

let initRows = [];
const tripRows = [];
try {
  initRows = await initializeRows();
  for (const kb of KBS) tripRows.push(...(await roundTrips(kb)));
} catch (e) {
  failure(e.message);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const loadAfter = loadavg();
console.log(`- load average (1, 5, 15 min) at the start ${loadBefore}, at the end ${loadAfter}; ` +
            `${Math.round((performance.now() - t0) / 1000)} s\n`);

console.log(`## initialize from process start (spawn -> connect() resolved), warm index cache\n`);
console.log(`| server | median ms | min ms | max ms |\n|---|---|---|---|`);
for (const r of initRows) {
  const s = sorted(r.times);
  console.log(`| ${r.what} | ${ms(percentile(s, 0.5))} | ${ms(s[0])} | ${ms(s[s.length - 1])} |`);
}

console.log(`\n## round trips, one client, one call at a time\n`);
console.log("| KB | server | transport | call | p50 ms | p99 ms | mean ms | calls/s | " +
            "mean answer chars |");
console.log(`|---|---|---|---|---|---|---|---|---|`);
for (const r of tripRows) {
  if (r.times.length === 0) continue;
  const s = sorted(r.times);
  const m = mean(r.times);
  console.log(`| ${r.kb} | ${r.server} | ${r.transport} | ${r.call} | ` +
              `${ms(percentile(s, 0.5))} | ${ms(percentile(s, 0.99))} | ${ms(m)} | ` +
              `${Math.round(1000 / m)} | ${Math.round(mean(r.chars))} |`);
}
if (failures > 0) {
  console.error(`\n${failures} calls or checks failed`);
  process.exit(1);
}
