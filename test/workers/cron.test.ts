import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { RETENTION_CRON, TRENDING_CRON } from "../../src/scheduled";
import { clearModelCaches } from "../../src/storage/model-store";
import { ADMIN, createSite, event, get, postEvents, putItems } from "./helpers";

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

describe("scheduled: trending refresh between retrains", () => {
  it("moves an item bought a lot since the last retrain to the top of trending", async () => {
    const site = await createSite();
    await putItems(site, [{ id: "old-favourite", title: "Old favourite" }, { id: "new-hit", title: "New hit" }]);
    const t0 = Date.now() - 2 * 3_600_000;
    await postEvents(site, Array.from({ length: 6 }, (_, i) => event({ anonymousId: `v${i}`, sessionId: `s${i}`, itemId: "old-favourite", ts: t0 + i })));
    const trained = await exports.default.fetch(`https://edgerec.test/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN });
    expect(trained.status).toBe(201);
    const before = await (await get(`/v1/recommendations?k=1`, { "x-edgerec-key": site.key })).json<{ items: { id: string }[] }>();
    expect(before.items[0]!.id).toBe("old-favourite");

    await postEvents(site, Array.from({ length: 4 }, (_, i) => event({ anonymousId: `w${i}`, sessionId: `u${i}`, itemId: "new-hit", type: "purchase" })));
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: TRENDING_CRON }), env, ctx);
    await waitOnExecutionContext(ctx);
    clearModelCaches();
    const after = await (await get(`/v1/recommendations?k=2`, { "x-edgerec-key": site.key })).json<{ items: { id: string; reason: { kind: string } }[] }>();
    expect(after.items.map((i) => i.id)).toEqual(["new-hit", "old-favourite"]);
  });
});

describe("scheduled: an unknown cron", () => {
  // wrangler dev's own hint, a bare /cdn-cgi/local/scheduled, sends an empty cron; a typo'd trigger sends its text.
  it.each(["", "1 2 3 4 5"])("fails the invocation for %j instead of reporting success having run nothing", async (cron) => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const ctx = createExecutionContext();
      await expect(worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron }), env, ctx)).rejects.toThrow(
        `unknown cron ${JSON.stringify(cron)}`,
      );
      await waitOnExecutionContext(ctx);
      expect(logged.mock.calls.map((args) => JSON.parse(String(args[0])))).toEqual([expect.objectContaining({ level: "error", job: "unknown-cron" })]);
    } finally {
      logged.mockRestore();
    }
  });
});
