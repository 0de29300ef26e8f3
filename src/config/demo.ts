// The demo site that `npm start` seeds and /demo shows. Local-only values: never reuse this key in production.
export const DEMO_SITE_ID = "demo";
export const DEMO_WRITE_KEY = "pk_demo_edgerec_local_key_0001";
/** The demo site's server key (its "backend": the seed script sends identified users' events with it). Local only. */
export const DEMO_SERVER_KEY = "sk_demo_edgerec_local_server_key_0000000001";
/** The demo site's identity secret: proofs for `identify` from the demo shop. Local only. */
export const DEMO_IDENTITY_SECRET = "is_demo_edgerec_local_identity_secret_00001";
