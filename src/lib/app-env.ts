// The Hono environment type shared by every route: generated bindings plus per-request variables.
import type { SiteRow } from "../storage/schema";

/** Who is calling a /v1 route: a browser with the public write key, or the site's backend with its server key. */
export type Role = "public" | "server";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** Set by requireSite: the site named by the request's key. */
    site: SiteRow;
    /** Set by requireSite: which kind of site key authenticated the request. */
    role: Role;
    /** Set by requireSite: true when the request also carries a valid admin token. */
    isAdmin: boolean;
    /** Set by requireSite: the site's valid identity secrets (for verifying `userHash` proofs). */
    identitySecrets: string[];
  };
};
