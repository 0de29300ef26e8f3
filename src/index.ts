// Worker entry: wires the HTTP app, the cron jobs, the queue consumers and the Durable Object classes. No logic here.
import { app } from "./app";
import { handleQueue as queue } from "./ingest/queue-consumer";
import { scheduled } from "./scheduled";

export { SessionDO } from "./session/session-do";

export default { fetch: app.fetch, scheduled, queue } satisfies ExportedHandler<Env>;
