// GET /health: liveness plus a one-row D1 check, so a broken binding shows up in monitoring.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";

export const health = new Hono<AppEnv>();

health.get("/", async (c) => {
  try {
    await c.env.DB.prepare("SELECT 1").first();
    return c.json({ ok: true, d1: "ok" });
  } catch {
    return c.json({ ok: false, d1: "unavailable" }, 503);
  }
});
