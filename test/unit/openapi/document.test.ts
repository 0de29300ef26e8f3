// The OpenAPI document: valid OpenAPI 3.1 (checked by a real validator), the committed openapi.json is what the code
// generates (the CI staleness check), every $ref resolves, and the error shape is the one the API answers.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { errorBody } from "../../../src/lib/errors";
import { API_VERSION, buildOpenApiDocument } from "../../../src/openapi/document";
import { errorSchema } from "../../../src/openapi/responses";
import { OPENAPI_FILE, openApiFileText } from "../../../scripts/openapi";

const doc = buildOpenApiDocument();

/** Every `$ref` string anywhere in a JSON value. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)", async () => {
    const validator = new Validator();
    // A deep copy: the validator reads a plain JSON value, as a client would after fetching /openapi.json.
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("fails the validator when broken, so the check above is not vacuous", async () => {
    const broken = JSON.parse(JSON.stringify(doc));
    delete broken.paths["/health"].get.responses;
    broken.paths["/v1/events"].post.parameters = [{ name: "k", in: "nowhere" }];
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  it("matches the committed openapi.json (run `npm run openapi` after changing a route or schema)", () => {
    expect(readFileSync(OPENAPI_FILE, "utf8")).toBe(openApiFileText());
  });

  it("resolves every $ref to a component", () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) {
      const m = /^#\/components\/(schemas|responses)\/([A-Za-z0-9_]+)$/.exec(ref);
      expect(m, ref).not.toBeNull();
      expect(doc.components[m![1] as "schemas" | "responses"][m![2]!], ref).toBeDefined();
    }
  });

  it("has unique operation ids and the package's version", () => {
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    const pkg: unknown = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../../package.json"), "utf8"));
    expect(pkg).toMatchObject({ version: API_VERSION });
  });

  it("documents the error body the API sends, on every error answer", () => {
    expect(errorSchema.parse(errorBody("invalid_request", "bad", [{ path: "events[0].id", message: "must be a UUID" }]))).toBeTruthy();
    expect(errorSchema.safeParse({ error: { code: "x" } }).success).toBe(false);
    for (const [name, res] of Object.entries(doc.components.responses)) {
      expect(res.content?.["application/json"]?.schema, name).toEqual({ $ref: "#/components/schemas/Error" });
    }
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        const statuses = Object.keys(op.responses).map(Number);
        expect(statuses, p).toContain(500);
        // /health's 503 is its own body ({ok:false, d1:"unavailable"}), for monitors; the dashboard's refusals are
        // HTML pages for a person (documented as text/html answers).
        const html = p === "/admin" || p.startsWith("/admin/ui/");
        for (const s of statuses.filter((s) => s >= 400 && s < 500 && html)) expect(op.responses[String(s)], `${p} ${s}`).toHaveProperty(["content", "text/html"]);
        for (const s of statuses.filter((s) => s >= 400 && !(p === "/health" && s === 503) && !(html && s < 500))) expect(op.responses[String(s)], `${p} ${s}`).toHaveProperty("$ref");
      }
    }
  });

  it("takes request contracts from the zod schemas the routes validate with", () => {
    const events = doc.components.schemas.Event as { properties: Record<string, { format?: string; enum?: string[] }>; required: string[] };
    expect(events.properties.id?.format).toBe("uuid");
    expect(events.properties.type?.enum).toContain("add_to_cart");
    expect(events.required).toEqual(expect.arrayContaining(["id", "type", "anonymousId", "sessionId", "ts"]));
    const recs = doc.paths["/v1/recommendations"]!.get!.parameters!;
    expect(recs.find((p) => p.name === "k")).toMatchObject({ in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 10 } });
    // `key` is a security scheme, not a parameter.
    expect(recs.find((p) => p.name === "key")).toBeUndefined();
    const call = doc.components.schemas.SegmentCall as { required?: string[] };
    expect(call.required ?? []).not.toContain("type");
    expect(doc.paths["/v1/batch"]!.post!.security).toEqual([{ segmentBasic: [] }, {}]);
    expect(doc.paths["/admin/sites"]!.get!.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths["/health"]!.get!.security).toEqual([]);
  });
});
