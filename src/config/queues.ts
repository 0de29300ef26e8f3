// The queues this Worker produces to and consumes: wrangler.toml [[queues.*]] must name exactly these (the queue
// handler in src/ingest/queue-consumer.ts dispatches on the name and fails on any other).
export const INGEST_QUEUE = "edgerec-ingest";
/** Where the platform moves an ingest message after max_retries failed deliveries. */
export const INGEST_DEAD_LETTER_QUEUE = "edgerec-ingest-dlq";
