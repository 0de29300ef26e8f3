import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { RETENTION_CRON } from "../../src/scheduled";
import { createSite, event, postEvents } from "./helpers";

describe("scheduled: retention", () => {
  it("deletes raw events older than the retention window and keeps the rest", async () => {
    const site = await createSite();
    const fresh = event();
    const old = event();
    await postEvents(site, [fresh, old]);
    // Age one row beyond EVENT_RETENTION_DAYS (90 by default); the API itself refuses such timestamps.
    await env.DB.prepare("UPDATE events SET ts = ? WHERE site_id = ? AND id = ?").bind(Date.now() - 91 * 86_400_000, site.id, old.id).run();

    const controller = createScheduledController({ scheduledTime: new Date(), cron: RETENTION_CRON });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    const { results } = await env.DB.prepare("SELECT id FROM events WHERE site_id = ?").bind(site.id).all<{ id: string }>();
    expect(results.map((r) => r.id)).toEqual([fresh.id]);
    // Aggregates outlive the raw log.
    const p = await env.DB.prepare("SELECT event_count FROM profiles WHERE site_id = ?").bind(site.id).first<{ event_count: number }>();
    expect(p!.event_count).toBe(2);
  });
});
