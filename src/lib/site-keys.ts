// Key provisioning for PUT /admin/sites/:id and key rotation: generates missing credentials, keeps ones the site
// already holds, refuses ones another site holds. Generated keys are returned once and never again.
import { randomToken } from "./crypto";
import { ApiError } from "./errors";
import { hasKeyOfKind, keyTaken, rotateKey, siteHasKey, type KeyKind } from "../storage/site-keys-repo";

export const KEY_PREFIX: Record<KeyKind, string> = { write: "pk_", server: "sk_", identity: "is_" };
const KEY_BYTES: Record<KeyKind, number> = { write: 18, server: 32, identity: 32 };
const FIELD: Record<KeyKind, "writeKey" | "serverKey" | "identitySecret"> = { write: "writeKey", server: "serverKey", identity: "identitySecret" };

export type ShownKeys = Partial<Record<"writeKey" | "serverKey" | "identitySecret", string>>;

export function generateKey(kind: KeyKind): string {
  return KEY_PREFIX[kind] + randomToken(KEY_BYTES[kind]);
}

/** Fails with 409 naming the field when another site already holds one of the requested keys. */
export async function assertKeysFree(d1: D1Database, siteId: string, requested: ShownKeys): Promise<void> {
  for (const kind of ["write", "server", "identity"] as const) {
    const key = requested[FIELD[kind]];
    if (key !== undefined && (await keyTaken(d1, key, siteId))) {
      throw new ApiError(409, `${FIELD[kind].replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`)}_taken`, `another site already uses this ${FIELD[kind]}`, [
        { path: FIELD[kind], message: "already in use" },
      ]);
    }
  }
}

/**
 * Makes the site hold one credential of each kind: a requested one it does not hold yet replaces the current ones at
 * once; a kind it has none of gets a generated one. Returns what was generated (to show once).
 */
export async function provisionKeys(d1: D1Database, siteId: string, requested: ShownKeys, now: number): Promise<ShownKeys> {
  const generated: ShownKeys = {};
  for (const kind of ["write", "server", "identity"] as const) {
    const wanted = requested[FIELD[kind]];
    if (wanted !== undefined) {
      if (!(await siteHasKey(d1, siteId, wanted))) await rotateKey(d1, siteId, kind, wanted, 0, now);
    } else if (!(await hasKeyOfKind(d1, siteId, kind, now))) {
      const key = generateKey(kind);
      await rotateKey(d1, siteId, kind, key, 0, now);
      generated[FIELD[kind]] = key;
    }
  }
  return generated;
}

export function fieldOf(kind: KeyKind): keyof ShownKeys {
  return FIELD[kind];
}
