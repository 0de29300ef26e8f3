// Bundles the Worker once (wrangler's own build, as deployed) into a temp folder; each test file runs it in Miniflare.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject): () => void {
  const outdir = mkdtempSync(path.join(tmpdir(), "edgerec-conformance-"));
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
  const build = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], { cwd: process.cwd(), env, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`worker build failed:\n${build.stdout}\n${build.stderr}`);
  project.provide("workerScript", path.join(outdir, "index.js"));
  return () => rmSync(outdir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    workerScript: string;
  }
}
