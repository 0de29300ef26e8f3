// The demo site that `npm start` seeds and /demo shows. Local-only values: never reuse this key in production.
export const DEMO_SITE_ID = "demo";
export const DEMO_WRITE_KEY = "pk_demo_edgerec_local_key_0001";
