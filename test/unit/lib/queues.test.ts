// wrangler.toml's queue blocks and src/config/queues.ts must agree: the queue handler dispatches on these names, and
// bench/miniflare.ts reads wrangler.toml's consumers, and vitest.config.ts configures the same queues for Miniflare.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { queueConsumers, queueProducers } from "../../../bench/miniflare";
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

  it("the tests' Miniflare setup names the same queues", () => {
    const text = read("vitest.config.ts");
    expect(text).toContain(`"${INGEST_QUEUE}": {`);
    expect(text).toContain(`deadLetterQueue: "${INGEST_DEAD_LETTER_QUEUE}"`);
    expect(text).toContain(`"${INGEST_DEAD_LETTER_QUEUE}": {`);
  });

  it("the benchmarks run the producer and the consumers with wrangler.toml's settings", () => {
    expect(queueProducers()).toEqual({ INGEST_QUEUE });
    const toml = read("wrangler.toml");
    const setting = (name: string) => Number(new RegExp(`^${name}\\s*=\\s*(\\d+)`, "m").exec(toml)![1]);
    const consumers = queueConsumers();
    expect(Object.keys(consumers)).toEqual([INGEST_QUEUE, INGEST_DEAD_LETTER_QUEUE]);
    // The first consumer block in wrangler.toml is the ingest queue's.
    expect(consumers[INGEST_QUEUE]).toEqual({ maxBatchSize: setting("max_batch_size"), maxBatchTimeout: setting("max_batch_timeout"), maxRetries: setting("max_retries"), deadLetterQueue: INGEST_DEAD_LETTER_QUEUE });
  });
});
