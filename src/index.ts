// Worker entry: wires the HTTP app, the cron jobs and the Durable Object classes. No logic here.
import { app } from "./app";
import { scheduled } from "./scheduled";

export { SessionDO } from "./session/session-do";

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Env>;
