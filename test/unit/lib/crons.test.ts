// wrangler.toml's [triggers] crons and the jobs in src/scheduled.ts must agree: a cron with no job fails at run time.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CRONS } from "../../../src/config/crons";

/** The `crons = [...]` array of wrangler.toml (the same reading scripts/start.mjs does). */
function wranglerCrons(): string[] {
  const toml = readFileSync(new URL("../../../wrangler.toml", import.meta.url), "utf8");
  const list = /^crons\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1];
  if (list === undefined) throw new Error("wrangler.toml has no crons");
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

describe("cron triggers", () => {
  it("wrangler.toml triggers exactly the crons src/config/crons.ts (src/scheduled.ts) has jobs for", () => {
    expect([...wranglerCrons()].sort()).toEqual([...CRONS].sort());
  });
});
