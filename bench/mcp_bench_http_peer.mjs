// The HTTP peer of mcp_bench.mjs: the SDK's own McpServer over its StreamableHTTPServerTransport
// on node:http (sessions by Mcp-Session-Id, the SDK's default SSE answers to POST), with one
// tool, read_text_file, answering as server-filesystem does (the file's text, and the same as
// structuredContent). server-filesystem itself speaks stdio only.
// SPDX-License-Identifier: MIT
//
// usage: SAGE_BENCH_NODE_DIR=DIR node mcp_bench_http_peer.mjs
//   prints "listening on http://127.0.0.1:PORT/mcp" on stderr; stops on SIGTERM.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(join(process.env.SAGE_BENCH_NODE_DIR, "package.json"));
const load = async (spec) => import(pathToFileURL(require.resolve(spec)).href);
const { McpServer } = await load("@modelcontextprotocol/sdk/server/mcp.js");
const { StreamableHTTPServerTransport } = await load(
  "@modelcontextprotocol/sdk/server/streamableHttp.js");
const { isInitializeRequest } = await load("@modelcontextprotocol/sdk/types.js");
const { z } = await load("zod");

function newServer() {
  const server = new McpServer({ name: "sdk-http-peer", version: "1" });
  server.registerTool("read_text_file", {
    description: "Read the complete contents of a file as text.",
    inputSchema: { path: z.string() },
    outputSchema: { content: z.string() },
  }, async ({ path }) => {
    const content = await readFile(path, "utf8");
    return { content: [{ type: "text", text: content }], structuredContent: { content } };
  });
  return server;
}

const sessions = new Map();

function refuse(res, status, message) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
}

const http = createServer(async (req, res) => {
  try {
    const id = req.headers["mcp-session-id"];
    let transport = id ? sessions.get(id) : undefined;
    const parsed = req.method === "POST" ? await body(req) : undefined;
    if (!transport) {
      if (id || req.method !== "POST" || !isInitializeRequest(parsed))
        return refuse(res, id ? 404 : 400, id ? "unknown session" : "initialize first");
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => sessions.set(sid, transport),
      });
      transport.onclose = () => sessions.delete(transport.sessionId);
      await newServer().connect(transport);
    }
    await transport.handleRequest(req, res, parsed);
  } catch (e) {
    if (!res.headersSent) refuse(res, 500, e.message);
  }
});

http.listen(0, "127.0.0.1", () => {
  console.error(`listening on http://127.0.0.1:${http.address().port}/mcp`);
});
process.on("SIGTERM", () => {
  for (const t of sessions.values()) t.close();
  http.close(() => process.exit(0));
  http.closeAllConnections();
});
