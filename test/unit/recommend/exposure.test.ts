import { describe, expect, it } from "vitest";
import { MAX_RECOMMENDATION_ID_LENGTH } from "../../../src/config/limits";
import {
  decodeExposure,
  encodeExposure,
  exposureDay,
  MAX_EXPOSURE_MODEL,
  MAX_EXPOSURE_SLOT,
  MAX_EXPOSURE_VARIANT,
  NO_VARIANT,
} from "../../../src/recommend/exposure";

const servedAt = Date.UTC(2026, 11, 1, 23, 59, 59) / 1000;

describe("exposure tokens", () => {
  it("round-trips slot, variant, model version and served-at time", () => {
    const e = { slot: "product", variant: "b", modelVersion: "vmh2k3x1abc", servedAt };
    const id = encodeExposure(e);
    expect(id).toMatch(/^r1\.[A-Za-z0-9_-]+$/);
    expect(decodeExposure(id)).toEqual(e);
    expect(exposureDay(decodeExposure(id)!)).toBe("2026-12-01");
  });

  it("encodes no experiment and no model as empty fields", () => {
    const id = encodeExposure({ slot: "next", variant: NO_VARIANT, modelVersion: null, servedAt });
    expect(decodeExposure(id)).toEqual({ slot: "next", variant: NO_VARIANT, modelVersion: null, servedAt });
  });

  it("differs per list (random bytes) for the same fields", () => {
    const e = { slot: "home", variant: NO_VARIANT, modelVersion: "v1", servedAt };
    // More lists than one block of drawn random bytes holds: no two ids alike across the refill.
    const ids = new Set(Array.from({ length: 200 }, () => encodeExposure(e)));
    expect(ids.size).toBe(200);
  });

  it("is standard unpadded base64url of the payload, whatever its length mod 3", () => {
    const random = Uint8Array.from([0xfb, 0xff, 0xbf, 0x00, 0x3e, 0x3f, 0xf8, 0x01]);
    for (const slot of ["a", "ab", "abc", "slot-é"]) {
      const id = encodeExposure({ slot, variant: NO_VARIANT, modelVersion: "v1", servedAt }, random);
      const slotBytes = Buffer.from(slot, "utf8");
      const payload = Buffer.concat([
        Buffer.from([servedAt >>> 24, (servedAt >>> 16) & 255, (servedAt >>> 8) & 255, servedAt & 255]),
        Buffer.from(random),
        Buffer.from([slotBytes.length]),
        slotBytes,
        Buffer.from([0, 2]),
        Buffer.from("v1"),
      ]);
      expect(id).toBe(`r1.${payload.toString("base64url")}`);
      expect(decodeExposure(id)?.slot).toBe(slot);
    }
  });

  it("fits the event schema's limit at the longest fields", () => {
    const id = encodeExposure({
      slot: "s".repeat(MAX_EXPOSURE_SLOT),
      variant: "v".repeat(MAX_EXPOSURE_VARIANT),
      modelVersion: "m".repeat(MAX_EXPOSURE_MODEL),
      servedAt,
    });
    expect(id.length).toBeLessThanOrEqual(MAX_RECOMMENDATION_ID_LENGTH);
    expect(decodeExposure(id)?.slot).toBe("s".repeat(MAX_EXPOSURE_SLOT));
    expect(() => encodeExposure({ slot: "s".repeat(MAX_EXPOSURE_SLOT + 1), variant: NO_VARIANT, modelVersion: null, servedAt })).toThrow(RangeError);
  });

  it("decodes old UUID ids, foreign and damaged ids to null", () => {
    const good = encodeExposure({ slot: "home", variant: NO_VARIANT, modelVersion: "v1", servedAt });
    for (const bad of [
      crypto.randomUUID(),
      "",
      "r1.",
      "r2." + good.slice(3),
      "r1.!!!!",
      good.slice(0, -2),
      good + "AAAA",
      "r1." + "A".repeat(40),
      "x".repeat(300),
    ]) {
      expect(decodeExposure(bad), bad).toBeNull();
    }
  });
});
