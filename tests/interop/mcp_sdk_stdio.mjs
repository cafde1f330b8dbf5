// Drives `sage mcp` with the official MCP TypeScript SDK client over stdio.
// SPDX-License-Identifier: MIT
//
// usage: node mcp_sdk_stdio.mjs SAGE_BINARY
//   SAGE_INTEROP_NODE_DIR   where @modelcontextprotocol/sdk is installed (node_modules inside)
//
// The SDK negotiates the protocol, validates every answer with its own schemas and, once
// listTools has run, validates each tool's structuredContent against the tool's outputSchema
// (Client.callTool -> getToolOutputValidator, Ajv). Every tool is called at least once. One
// line per check; exit 1 on the first failure.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const sage = process.argv[2];
const nodeDir = process.env.SAGE_INTEROP_NODE_DIR;
if (!sage || !nodeDir) {
  console.error("usage: SAGE_INTEROP_NODE_DIR=DIR node mcp_sdk_stdio.mjs SAGE_BINARY");
  process.exit(2);
}

// Resolve the SDK from NODE_DIR, not from this file's folder (the source tree has none).
const require = createRequire(join(nodeDir, "package.json"));
const load = async (spec) => import(pathToFileURL(require.resolve(spec)).href);
const { Client } = await load("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = await load("@modelcontextprotocol/sdk/client/stdio.js");
const { McpError, SUPPORTED_PROTOCOL_VERSIONS } = await load("@modelcontextprotocol/sdk/types.js");
const sdkVersion = JSON.parse(readFileSync(
  join(nodeDir, "node_modules/@modelcontextprotocol/sdk/package.json"), "utf8")).version;

const EXPECTED_TOOLS = [
  "budget_check", "budget_status", "get_context", "get_framework", "get_guidelines",
  "get_knowledge", "get_template", "kb_info", "memory_add", "memory_delete", "memory_get",
  "memory_search", "memory_update", "search_knowledge", "session_checkpoint", "session_end",
  "session_handoff", "session_start", "session_status", "session_update",
];
const PROTOCOLS = ["2025-11-25", "2025-06-18"];

let checks = 0;
function ok(what) {
  checks++;
  console.log(`ok   ${what}`);
}
function fail(what) {
  throw new Error(what);
}
function expect(cond, what, detail) {
  if (!cond) fail(`${what}${detail === undefined ? "" : `: ${detail}`}`);
}
const text = (r) => r.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");

const called = new Set();
// A successful call with structuredContent; the SDK has already validated it.
async function call(name, args, what) {
  let r;
  try {
    r = await client.callTool({ name, arguments: args });
  } catch (e) {
    fail(`${name}: the SDK rejected the result: ${e.message}`);
  }
  expect(!r.isError, `${name}: isError`, text(r));
  expect(r.structuredContent && typeof r.structuredContent === "object",
         `${name}: no structuredContent`);
  expect(text(r).length > 0, `${name}: no text content`);
  called.add(name);
  ok(`${name}${what ? ` (${what})` : ""}: valid result, structuredContent matches outputSchema`);
  return r.structuredContent;
}

const home = mkdtempSync(join(tmpdir(), "sage-mcp-sdk-"));
const transport = new StdioClientTransport({
  command: sage,
  args: ["mcp", "-q"],
  env: { HOME: home, SAGE_CACHE_DIR: join(home, "cache"), SAGE_DATA_DIR: join(home, "data") },
  stderr: "pipe",
});
let serverStderr = "";
transport.stderr.on("data", (d) => { serverStderr += d; });
// The client hands the negotiated revision to transports that want it (HTTP); catch it here.
let negotiated;
transport.setProtocolVersion = (v) => { negotiated = v; };

const client = new Client({ name: "sage-interop", version: "1.0.0" });
let failed = false;
try {
  await client.connect(transport);
  const info = client.getServerVersion();
  expect(info?.name === "sage", "serverInfo.name", JSON.stringify(info));
  expect(typeof info.version === "string" && info.version.length > 0, "serverInfo.version");
  expect(PROTOCOLS.includes(negotiated) && SUPPORTED_PROTOCOL_VERSIONS.includes(negotiated),
         "negotiated protocol version", negotiated);
  expect(client.getServerCapabilities()?.tools, "tools capability missing");
  ok(`initialize: SDK ${sdkVersion}, server ${info.name} ${info.version}, protocol ${negotiated}`);

  await client.ping();
  ok("ping");

  // -- tools/list --
  const { tools, nextCursor } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  expect(nextCursor === undefined, "tools/list nextCursor", nextCursor);
  expect(JSON.stringify(names) === JSON.stringify(EXPECTED_TOOLS), "tools/list names",
         names.join(","));
  for (const t of tools) {
    expect(t.outputSchema?.type === "object", `${t.name}: outputSchema`);
    // The SDK validates structuredContent only for tools whose validator it cached from
    // listTools; make sure each is there and really rejects a wrong shape.
    const v = client.getToolOutputValidator(t.name);
    expect(typeof v === "function", `${t.name}: the SDK cached no output validator`);
    expect(!v({ not_a_field: [] }).valid, `${t.name}: the output validator accepts anything`);
  }
  ok(`tools/list: ${tools.length} tools, each with an outputSchema the SDK validates against`);

  // -- knowledge --
  const found = await call("search_knowledge", { query: "error handling", limit: 5 });
  expect(Array.isArray(found.results) && found.results.length > 0, "search_knowledge results",
         JSON.stringify(found).slice(0, 300));
  const know = await call("get_knowledge", { target: "core", budget: 3000 }, "layer core");
  expect(know.tokens > 0 && know.tokens <= 3000, "get_knowledge tokens", know.tokens);
  const ctx = await call("get_context",
                         { task: "write a runbook for a failing service", budget: 300 },
                         "budget 300");
  expect(ctx.tokens <= 300, "get_context tokens within budget", ctx.tokens);
  expect(ctx.omitted.length > 0 && ctx.omitted_count >= ctx.omitted.length &&
           ctx.complete === false, "get_context omitted list",
         JSON.stringify({ omitted: ctx.omitted.length, count: ctx.omitted_count }));
  ok(`get_context: ${ctx.omitted_count} sections left out and listed`);
  for (const [tool, name, path] of [["get_guidelines", "cpp", "guidelines/CPP.md"],
                                    ["get_framework", "caching", "CACHING.md"],
                                    ["get_template", "adr", "templates/ADR.md"]]) {
    const r = await call(tool, { name, budget: 1500 }, name);
    expect(r.content.includes(path), `${tool} ${name}: content from ${path}`);
  }
  const kb = await call("kb_info", {});
  expect(JSON.stringify(kb).length > 2, "kb_info empty");

  // -- sessions, memory and budgets --
  const started = await call("session_start", {
    objective: "interop test of the MCP SDK",
    steps: ["connect", "call every tool", "clean up"],
  });
  const sid = started.session.id;
  expect(typeof sid === "string" && sid.length > 0, "session_start id");
  const added = await call("memory_add", {
    content: "the SDK interop test stores this entry",
    type: "decision",
    priority: "HIGH",
    session_id: sid,
    tags: ["interop", "sdk"],
    metadata: { source: "mcp_sdk_stdio" },
  });
  const eid = added.id;
  expect(typeof eid === "string" && eid.length > 0, "memory_add id");
  const searched = await call("memory_search", { query: "interop", session_id: sid });
  expect(searched.entries.some((e) => e.id === eid), "memory_search finds the entry",
         JSON.stringify(searched).slice(0, 300));
  const got = await call("memory_get", { id: eid });
  expect(got.content === "the SDK interop test stores this entry", "memory_get content",
         got.content);
  const updated = await call("memory_update", { id: eid, content: "updated by the interop test",
                                                tags: ["interop"] });
  expect(updated.content === "updated by the interop test", "memory_update content",
         updated.content);
  const budget = await call("budget_status", { session_id: sid });
  expect(budget.session_id === sid, "budget_status session_id");
  const check = await call("budget_check", { session_id: sid, tokens: 100 });
  expect(check.fits === true, "budget_check fits", JSON.stringify(check));
  const upd = await call("session_update", { session_id: sid, complete_step: 0,
                                             last_action: "connected",
                                             decision: "use the SDK client" });
  expect(upd.session.id === sid, "session_update session id");
  const cp = await call("session_checkpoint", { session_id: sid, label: "interop" });
  expect(cp.session_id === sid && typeof cp.id === "string", "session_checkpoint",
         JSON.stringify(cp));
  const handoff = await call("session_handoff", { session_id: sid, max_tokens: 1000 });
  expect(handoff.markdown.includes("interop test of the MCP SDK") && handoff.tokens <= 1000,
         "session_handoff markdown", handoff.markdown.slice(0, 200));
  const status = await call("session_status", { session_id: sid }, "one session");
  expect(status.count === 1 && status.sessions[0].id === sid, "session_status one",
         JSON.stringify(status).slice(0, 300));
  const all = await call("session_status", { status: "active" }, "list active");
  expect(all.sessions.some((s) => s.id === sid), "session_status list");
  const deleted = await call("memory_delete", { id: eid });
  expect(deleted.deleted === eid, "memory_delete", JSON.stringify(deleted));
  const gone = await client.callTool({ name: "memory_get", arguments: { id: eid } });
  expect(gone.isError === true && text(gone).length > 0, "memory_get after delete isError");
  ok(`memory_get after memory_delete: isError ("${text(gone).slice(0, 80)}")`);
  const ended = await call("session_end", { session_id: sid });
  expect(ended.session.id === sid && ended.session.status !== "active", "session_end status",
         ended.session.status);

  const missing = EXPECTED_TOOLS.filter((n) => !called.has(n));
  expect(missing.length === 0, "tools never called", missing.join(","));
  ok(`all ${EXPECTED_TOOLS.length} tools called with valid results`);

  // -- errors --
  try {
    await client.callTool({ name: "no_such_tool", arguments: {} });
    fail("unknown tool: no error");
  } catch (e) {
    expect(e instanceof McpError && e.code === -32602, "unknown tool error",
           `${e.constructor.name} ${e.code} ${e.message}`);
    expect(e.message.includes("unknown tool: no_such_tool"), "unknown tool message", e.message);
    ok(`unknown tool: McpError -32602 ("${e.message}")`);
  }
  const bad = await client.callTool({ name: "search_knowledge",
                                      arguments: { query: "x", limit: "ten" } });
  expect(bad.isError === true, "bad arguments: isError", JSON.stringify(bad).slice(0, 300));
  expect(text(bad).includes("invalid arguments for search_knowledge"), "bad arguments message",
         text(bad));
  ok(`bad arguments: isError with "${text(bad).slice(0, 70)}…"`);
  const noArgs = await client.callTool({ name: "memory_get", arguments: {} });
  expect(noArgs.isError === true && text(noArgs).includes("id"), "missing argument: isError",
         text(noArgs));
  ok("missing required argument: isError");

  // -- concurrency --
  const queries = ["cache", "timeout", "logging", "testing", "security", "review", "incident",
                   "python", "shell", "sql"];
  const answers = await Promise.all([
    ...queries.map((q) => client.callTool({ name: "search_knowledge",
                                            arguments: { query: q, limit: 3 } })),
    client.ping(),
  ]);
  for (let i = 0; i < queries.length; i++) {
    const r = answers[i];
    expect(!r.isError && r.structuredContent?.query === queries[i], `concurrent search ${i}`,
           JSON.stringify(r).slice(0, 200));
  }
  ok(`concurrency: ${queries.length} search_knowledge calls and a ping in flight, all answered`);

  await client.ping();
  ok("ping after everything");
} catch (e) {
  failed = true;
  console.error(`FAIL ${e.message}`);
  if (serverStderr) console.error(`server stderr:\n${serverStderr.slice(-4000)}`);
} finally {
  await client.close().catch(() => {});
  rmSync(home, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log(`mcp_sdk_stdio: ${checks} checks passed (SDK ${sdkVersion})`);
