// `npm run openapi`: writes the OpenAPI document (src/openapi/document.ts) to openapi.json at the repo root.
// `npm run openapi -- --check` exits 1 when the committed file is stale (test/unit/openapi.test.ts checks the same).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildOpenApiDocument } from "../src/openapi/document.ts";

/** The committed document, formatted for review: two-space indent and a final newline. */
export const OPENAPI_FILE = path.join(import.meta.dirname, "..", "openapi.json");

export function openApiFileText(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const text = openApiFileText();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(OPENAPI_FILE, "utf8");
    } catch {
      // A missing file is stale too.
    }
    if (current !== text) {
      console.error("openapi.json is stale: run `npm run openapi` and commit it");
      process.exit(1);
    }
    console.log("openapi.json is up to date");
  } else {
    writeFileSync(OPENAPI_FILE, text);
    console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)} (${text.length} bytes)`);
  }
}
