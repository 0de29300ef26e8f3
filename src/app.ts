// The Hono app: middleware order, one sub-app per resource, one error path.
import { Hono } from "hono";
import type { AppEnv } from "./lib/app-env";
import { cors } from "./lib/cors";
import { dashboard } from "./dashboard/routes";
import { errorBody } from "./lib/errors";
import { onError } from "./lib/on-error";
import { securityHeaders } from "./lib/security-headers";
import { admin } from "./routes/admin";
import { consent } from "./routes/consent";
import { events } from "./routes/events";
import { health } from "./routes/health";
import { items } from "./routes/items";
import { openapi } from "./routes/openapi";
import { recommendations } from "./routes/recommendations";
import { sdk } from "./routes/sdk";
import { segment } from "./routes/segment";
import { sessions } from "./routes/sessions";
import { users } from "./routes/users";

export const app = new Hono<AppEnv>();

app.use("*", securityHeaders);
app.use("*", async (c, next) => {
  c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
  await next();
});
app.use("/v1/*", cors);

app.route("/health", health);
app.route("/v1/events", events);
app.route("/v1/consent", consent);
app.route("/v1/items", items);
app.route("/v1/users", users);
app.route("/v1/sessions", sessions);
app.route("/v1/recommendations", recommendations);
app.route("/v1", segment);
app.route("/admin", dashboard);
app.route("/admin", admin);
app.route("/", openapi);
app.route("/", sdk);

app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));
app.onError(onError);
