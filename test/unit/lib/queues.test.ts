// wrangler.toml's queue blocks and src/config/queues.ts must agree: the queue handler dispatches on these names, and
// bench/miniflare.ts and vitest.config.ts configure the same queues for Miniflare.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { INGEST_DEAD_LETTER_QUEUE, INGEST_QUEUE } from "../../../src/config/queues";

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), "utf8");

/** `queue = "…"` and `dead_letter_queue = "…"` of each [[queues.*]] block, in file order. */
function blocks(toml: string): { kind: string; queue?: string; deadLetter?: string }[] {
  return [...toml.matchAll(/^\[\[queues\.(producers|consumers)\]\]\n((?:[^[\n].*\n|\n)*)/gm)].map((m) => ({
    kind: m[1]!,
    queue: /^queue\s*=\s*"([^"]+)"/m.exec(m[2]!)?.[1],
    deadLetter: /^dead_letter_queue\s*=\s*"([^"]+)"/m.exec(m[2]!)?.[1],
  }));
}

describe("queues", () => {
  it("wrangler.toml produces to and consumes the ingest queue, and consumes its dead-letter queue", () => {
    const b = blocks(read("wrangler.toml"));
    expect(b).toEqual([
      { kind: "producers", queue: INGEST_QUEUE, deadLetter: undefined },
      { kind: "consumers", queue: INGEST_QUEUE, deadLetter: INGEST_DEAD_LETTER_QUEUE },
      { kind: "consumers", queue: INGEST_DEAD_LETTER_QUEUE, deadLetter: undefined },
    ]);
  });

  it("the Miniflare setups of tests and benchmarks name the same queues", () => {
    for (const file of ["vitest.config.ts", "bench/miniflare.ts"]) {
      const text = read(file);
      expect(text, file).toContain(`"${INGEST_QUEUE}": {`);
      expect(text, file).toContain(`deadLetterQueue: "${INGEST_DEAD_LETTER_QUEUE}"`);
      expect(text, file).toContain(`"${INGEST_DEAD_LETTER_QUEUE}": {`);
    }
  });
});
