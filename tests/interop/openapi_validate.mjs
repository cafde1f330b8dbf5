// Validates an OpenAPI document file with @seriousme/openapi-schema-validator (the official
// OpenAPI 3.1 JSON schemas); exits non-zero with the errors when it does not conform.
// SPDX-License-Identifier: MIT
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const nodeDir = path.resolve(process.env.SAGE_INTEROP_NODE_DIR);
const require = createRequire(path.join(nodeDir, "node_modules", "x.js"));
const { Validator } = await import(
  pathToFileURL(require.resolve("@seriousme/openapi-schema-validator")).href
);

const file = process.argv[2];
const doc = JSON.parse(readFileSync(file, "utf8"));
const validator = new Validator();
const result = await validator.validate(doc);
const version = validator.version;
if (!result.valid) {
  console.error(`openapi_validate: the document is not valid OpenAPI ${version}:`);
  console.error(JSON.stringify(result.errors, null, 2).slice(0, 8000));
  process.exit(1);
}
if (!String(doc.openapi).startsWith("3.1")) {
  console.error(`openapi_validate: expected OpenAPI 3.1, got ${doc.openapi}`);
  process.exit(1);
}
const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
console.log(
  `openapi_validate: valid OpenAPI ${version}: ` +
    `${Object.keys(doc.paths).length} paths, ${operations} operations`
);
