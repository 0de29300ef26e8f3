// The hourly traffic rollup (issue 10 part 6): ingest bumps events, sessions and sessions started per UTC hour in
// the events' own transaction; a retried batch counts nothing twice; a session counts once per hour and once started.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readTrafficDays, readTrafficHours } from "../../src/storage/traffic-rollups-repo";
import { createSite, event, postEvents } from "./helpers";

const HOUR = 3_600_000;

/** An hour boundary a few hours back, so events on both sides of it are in the past. */
function hourStart(hoursAgo: number): number {
  return Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
}

describe("traffic rollups", () => {
  it("counts events, distinct sessions per hour and sessions started, once under retries", async () => {
    const site = await createSite();
    const h1 = hourStart(3);
    const h2 = h1 + HOUR;
    const batchA = [
      event({ sessionId: "a", anonymousId: "va", ts: h1 + 1000 }),
      event({ sessionId: "a", anonymousId: "va", ts: h1 + 2000 }),
      event({ sessionId: "b", anonymousId: "vb", ts: h1 + 3000 }),
      event({ sessionId: "a", anonymousId: "va", ts: h2 + 1000 }),
    ];
    expect((await postEvents(site, batchA)).status).toBe(200);
    // The same batch again (a client retry): nothing new is inserted, nothing counted.
    expect((await postEvents(site, batchA)).status).toBe(200);
    // A later batch of session a in hour 2 (already counted there) and a new session c in hour 2.
    const batchB = [event({ sessionId: "a", anonymousId: "va", ts: h2 + 5000 }), event({ sessionId: "c", anonymousId: "vc", ts: h2 + 6000 })];
    expect((await postEvents(site, batchB)).status).toBe(200);

    const hours = await readTrafficHours(env.DB, site.id, h1, h2 + HOUR);
    expect(hours).toEqual([
      { hour: h1, events: 3, sessions: 2, sessionsStarted: 2 },
      { hour: h2, events: 3, sessions: 2, sessionsStarted: 1 },
    ]);
    const day = new Date(h1).toISOString().slice(0, 10);
    const lastDay = new Date(h2).toISOString().slice(0, 10);
    const days = await readTrafficDays(env.DB, site.id, day, lastDay);
    expect(days.reduce((s, d) => s + d.events, 0)).toBe(6);
    expect(days.reduce((s, d) => s + d.sessionsStarted, 0)).toBe(3);
  });

  it("keeps sites apart", async () => {
    const [one, two] = await Promise.all([createSite(), createSite()]);
    const h = hourStart(2);
    await postEvents(one, [event({ sessionId: "x", ts: h + 10 })]);
    expect(await readTrafficHours(env.DB, two.id, h, h + HOUR)).toEqual([]);
    expect(await readTrafficHours(env.DB, one.id, h, h + HOUR)).toEqual([{ hour: h, events: 1, sessions: 1, sessionsStarted: 1 }]);
  });
});
