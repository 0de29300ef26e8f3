// POST /v1/events?recommend=<slot>: the click and the slot's refreshed list in one round trip, scored from the session
// that already holds the events just sent; refused (and nothing written) for a batch of several sessions.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, createSite, event, get, postEvents, putItems, type ErrorJson } from "./helpers";

type List = { recommendationId: string; slot: string; items: { id: string }[] };

describe("POST /v1/events?recommend=", () => {
  it("answers the slot's list from the session including the events of this very request", async () => {
    const site = await createSite();
    await putItems(site, ["a", "b", "c", "d"].map((id) => ({ id, categories: ["gear"] })));
    // Other visitors make all four items trending (the list a model-less site serves).
    await postEvents(site, ["a", "b", "c", "d"].flatMap((itemId, i) => Array.from({ length: 4 - i }, (_, n) => event({ anonymousId: `o${n}`, sessionId: `os${n}`, itemId, type: "purchase" }))));
    await postEvents(site, [event({ anonymousId: "v1", sessionId: "s1", itemId: "a" })]);
    const before = await (await get(`/v1/recommendations?sessionId=s1&anonymousId=v1&slot=home&k=3`, { "x-edgerec-key": site.key })).json<List>();
    expect(before.items.map((i) => i.id)).toEqual(["b", "c", "d"]);

    const click = event({ anonymousId: "v1", sessionId: "s1", itemId: "b", type: "click" });
    const res = await exports.default.fetch(`${BASE}/v1/events?recommend=home&k=3`, {
      method: "POST",
      headers: { "content-type": "text/plain", "x-edgerec-key": site.key },
      body: JSON.stringify({ events: [click] }),
    });
    expect(res.status).toBe(200);
    const answer = await res.json<{ accepted: string[]; recommendations: List }>();
    expect(answer.accepted).toEqual([click.id]);
    // The clicked item is in the session now, so the refreshed list leaves it out, as a GET made afterwards does.
    expect(answer.recommendations.slot).toBe("home");
    expect(answer.recommendations.items.map((i) => i.id)).toEqual(["c", "d"]);
    const after = await (await get(`/v1/recommendations?sessionId=s1&anonymousId=v1&slot=home&k=3`, { "x-edgerec-key": site.key })).json<List>();
    expect(after.items.map((i) => i.id)).toEqual(answer.recommendations.items.map((i) => i.id));
  });

  it("a visitor who declined personalization gets the newcomer's list from the refresh, not one from their path", async () => {
    const site = await createSite();
    await putItems(site, ["a", "b", "c", "d"].map((id) => ({ id, categories: ["gear"] })));
    await postEvents(site, ["a", "b", "c", "d"].flatMap((itemId, i) => Array.from({ length: 4 - i }, (_, n) => event({ anonymousId: `o${n}`, sessionId: `os${n}`, itemId, type: "purchase" }))));
    const consent = await exports.default.fetch(`${BASE}/v1/consent?key=${site.key}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ anonymousId: "v2", analytics: true, personalization: false }),
    });
    expect(consent.status).toBe(200);
    const click = event({ anonymousId: "v2", sessionId: "s2", itemId: "a", type: "click" });
    const res = await exports.default.fetch(`${BASE}/v1/events?recommend=home&k=3`, {
      method: "POST",
      headers: { "content-type": "text/plain", "x-edgerec-key": site.key },
      body: JSON.stringify({ events: [click] }),
    });
    const answer = await res.json<{ accepted: string[]; recommendations: List & { personalized: boolean } }>();
    expect(answer.accepted).toEqual([click.id]);
    // The session object holds the click but serves nothing from it: the clicked item is not left out either.
    expect(answer.recommendations.personalized).toBe(false);
    expect(answer.recommendations.items.map((i) => i.id)).toEqual(["a", "b", "c"]);
  });

  it("refuses a refresh for a batch of several sessions, before anything is written, naming recommend", async () => {
    const site = await createSite();
    const res = await exports.default.fetch(`${BASE}/v1/events?recommend=home`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-edgerec-key": site.key },
      body: JSON.stringify({ events: [event({ sessionId: "x1" }), event({ sessionId: "x2" })] }),
    });
    expect(res.status).toBe(400);
    expect((await res.json<ErrorJson>()).error.issues?.[0]?.path).toBe("recommend");
    expect((await get(`/v1/sessions/x1`, { "x-edgerec-key": site.key })).status).toBe(404);
    const bad = await exports.default.fetch(`${BASE}/v1/events?recommend=Not%20A%20Slot`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-edgerec-key": site.key },
      body: JSON.stringify({ events: [event()] }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues?.[0]?.path).toBe("recommend");
  });
});
