// Canary manifests (src/models/canary.ts, manifest.ts): the visitor split, promotion, rollback, and which
// versions a new one pushes out.
import { describe, expect, it } from "vitest";
import { inCanary, promoteCanary, rollBackCanary, servedManifest, startCanary } from "../../../src/models/canary";
import { rolledBack, withNewVersion, type Manifest, type ModelVersion } from "../../../src/models/manifest";
import { assignVariant } from "../../../src/recommend/experiments";

const ver = (version: string, createdAt = 0): ModelVersion => ({
  version,
  createdAt,
  format: 2,
  configDigest: "d",
  itemCount: 1,
  nShards: 1,
  statsParts: 1,
  watermark: 0,
  cutBucket: 0,
  bytes: { shards: 1, trending: 1, stats: 1 },
  metrics: {},
});

describe("the canary split", () => {
  it("serves the canary to about its share of visitors, the same ones every time", () => {
    const m = withNewVersion(withNewVersion(null, ver("v1")).manifest, ver("v2"), { share: 0.2, now: 1 }).manifest;
    expect(m.current.version).toBe("v1");
    expect(m.canary).toEqual({ version: "v2", share: 0.2, startedAt: 1 });
    let inside = 0;
    for (let i = 0; i < 10_000; i++) if (servedManifest(m, `anon-${i}`)!.current.version === "v2") inside++;
    // Binomial(10k, 0.2): sd 40; 4 sd either side.
    expect(Math.abs(inside - 2000)).toBeLessThan(160);
    for (let i = 0; i < 50; i++) expect(servedManifest(m, `anon-${i}`)!.current.version).toBe(servedManifest(m, `anon-${i}`)!.current.version);
    expect(servedManifest(m, null)).toBe(m);
  });

  it("is independent of experiment assignment", () => {
    const variants = [
      { name: "a", weight: 1, change: {} },
      { name: "b", weight: 1, change: {} },
    ];
    const table = { a: [0, 0], b: [0, 0] };
    for (let i = 0; i < 10_000; i++) {
      const key = `anon-${i}`;
      table[assignVariant("exp1", variants, key).name as "a" | "b"][inCanary("v2", 0.5, key) ? 1 : 0]++;
    }
    // Chi-square of the 2x2 table against independence, 1 degree of freedom: p > 0.001.
    const total = 10_000;
    const rows = [table.a[0]! + table.a[1]!, table.b[0]! + table.b[1]!];
    const cols = [table.a[0]! + table.b[0]!, table.a[1]! + table.b[1]!];
    let chi = 0;
    [table.a, table.b].forEach((r, i) => r.forEach((n, j) => (chi += (n - (rows[i]! * cols[j]!) / total) ** 2 / ((rows[i]! * cols[j]!) / total))));
    expect(chi).toBeLessThan(10.83);
  });
});

describe("canary transitions", () => {
  const base = (): Manifest => withNewVersion(withNewVersion(null, ver("v1")).manifest, ver("v2"), { share: 0.1, now: 5 }).manifest;

  it("promotes: the canary becomes current and the pointer goes", () => {
    const p = promoteCanary(base())!;
    expect(p.manifest.current.version).toBe("v2");
    expect(p.manifest.canary).toBeUndefined();
    expect(p.manifest.versions.map((v) => v.version)).toEqual(["v2", "v1"]);
  });

  it("rolls back: current stays, the canary is marked and never a rollback target", () => {
    const r = rollBackCanary(base(), 9)!;
    expect(r.manifest.current.version).toBe("v1");
    expect(r.manifest.canary).toBeUndefined();
    expect(r.manifest.versions[0]).toMatchObject({ version: "v2", rolledBackAt: 9 });
    expect(rolledBack(r.manifest)).toBeNull();
    // Made a canary again by hand, the mark goes.
    const again = startCanary(r.manifest, "v2", 0.3, 10);
    expect(again.versions[0]!.rolledBackAt).toBeUndefined();
    expect(again.canary).toEqual({ version: "v2", share: 0.3, startedAt: 10 });
  });

  it("a first version is served at once even when asked to be a canary", () => {
    const m = withNewVersion(null, ver("v1"), { share: 0.1, now: 1 }).manifest;
    expect(m.current.version).toBe("v1");
    expect(m.canary).toBeUndefined();
  });

  it("never drops the served version, however many canaries were rolled back above it", () => {
    let m = withNewVersion(null, ver("v1")).manifest;
    for (let i = 2; i <= 6; i++) m = rollBackCanary(withNewVersion(m, ver(`v${i}`), { share: 0.1, now: i }).manifest, i)!.manifest;
    expect(m.current.version).toBe("v1");
    expect(m.versions.map((v) => v.version)).toEqual(["v6", "v5", "v1"]);
    const next = withNewVersion(m, ver("v7"), { share: 0.1, now: 7 });
    expect(next.manifest.versions.map((v) => v.version)).toEqual(["v7", "v6", "v1"]);
    expect(next.dropped.map((v) => v.version)).toEqual(["v5"]);
  });

  it("a version published as current drops the pending canary it replaces", () => {
    const next = withNewVersion(base(), ver("v3"));
    expect(next.manifest.current.version).toBe("v3");
    expect(next.manifest.canary).toBeUndefined();
    expect(next.dropped.map((v) => v.version)).toEqual(["v2"]);
    expect(next.manifest.versions.map((v) => v.version)).toEqual(["v3", "v1"]);
  });
});
