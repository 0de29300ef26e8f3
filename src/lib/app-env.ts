// The Hono environment type shared by every route: generated bindings plus per-request variables.
import type { SiteRow } from "../storage/schema";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** Set by requireSite: the site named by the request's write key. */
    site: SiteRow;
    /** Set by requireSite: true when the request also carries a valid admin token. */
    isAdmin: boolean;
  };
};
