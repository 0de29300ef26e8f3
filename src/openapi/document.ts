// The OpenAPI 3.1 document, generated from the route table (./routes) with zod's own z.toJSONSchema. Served at
// GET /openapi.json; `npm run openapi` writes it to openapi.json, and test/unit/openapi.test.ts fails when that
// committed copy is stale.
import * as z from "zod";
import { consentSchema } from "../schemas/consent";
import { eventSchema } from "../schemas/events";
import { itemUpsertSchema } from "../schemas/items";
import { siteConfigSchema } from "../schemas/site-config";
import { keyRotateSchema, siteUpsertSchema } from "../schemas/sites";
import * as r from "./responses";
import { NULL_AS_ABSENT, segmentMessageSchema } from "../schemas/segment";
import { DEFAULT_PATH_PARAM, eventBatchBody, ROUTES, segmentBatchBody, segmentCallBody, type Access, type RouteSpec } from "./routes";

/** The API's version in the document (package.json's; test/unit/openapi.test.ts checks they agree). */
export const API_VERSION = "0.1.0";

type JsonSchema = Record<string, unknown>;
type Ref = { $ref: string };
type SecurityRequirement = Record<string, string[]>;

type Parameter = { name: string; in: "path" | "query"; required: boolean; description?: string; schema: JsonSchema };
type MediaType = { schema: JsonSchema | Ref };
type Response = { description: string; headers?: Record<string, unknown>; content?: Record<string, MediaType> };
type Operation = {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: SecurityRequirement[];
  parameters?: Parameter[];
  requestBody?: { required: true; description?: string; content: Record<string, MediaType> };
  responses: Record<string, Response | Ref>;
};

export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
};

/** Schemas that get a name under components.schemas (and a $ref wherever a route uses them whole). */
const COMPONENTS: Record<string, z.ZodType> = {
  Error: r.errorSchema,
  Health: r.healthSchema,
  IngestResult: r.ingestResultSchema,
  SegmentResult: r.segmentResultSchema,
  Event: eventSchema,
  EventBatch: eventBatchBody,
  SegmentBatch: segmentBatchBody,
  SegmentMessage: segmentMessageSchema,
  SegmentCall: segmentCallBody,
  ConsentChoice: consentSchema,
  ConsentAnswer: r.consentAnswerSchema,
  ErasureReceipt: r.erasureReceiptSchema,
  ItemUpsert: itemUpsertSchema,
  Item: r.itemViewSchema,
  SimilarItems: r.similarAnswerSchema,
  NextItems: r.nextAnswerSchema,
  Recommendations: r.recommendationsAnswerSchema,
  Session: r.sessionSnapshotSchema,
  Profile: r.profileSchema,
  PublicProfile: r.publicProfileSchema,
  UserProfile: r.profileAnswerSchema,
  Export: r.exportDocumentSchema,
  SiteUpsert: siteUpsertSchema,
  SiteConfig: siteConfigSchema,
  Site: r.siteViewSchema,
  SiteList: r.siteListSchema,
  KeyRotation: keyRotateSchema,
  KeyRotated: r.keyRotateAnswerSchema,
  ModelVersion: r.modelVersionSchema,
  Models: r.modelsAnswerSchema,
  Rollback: r.rollbackAnswerSchema,
  ModelDecision: r.modelDecisionSchema,
  KeptVersion: r.keptVersionSchema,
  GuardrailDecision: r.guardrailDecisionSchema,
  CanaryEvaluation: r.canaryEvaluationSchema,
  TrainResult: r.trainResultSchema,
  RetrainAll: r.retrainAllSchema,
  Sources: r.sourcesAnswerSchema,
  Segments: r.segmentsAnswerSchema,
};

const TAGS: { name: string; description: string }[] = [
  { name: "ingest", description: "Events from browsers (the snippet) and backends" },
  { name: "segment", description: "The Segment/RudderStack-compatible API: point an existing client's host here" },
  { name: "recommendations", description: "Lists: next items for a session, a slot's list, similar items" },
  { name: "sessions", description: "Live sessions (one Durable Object each)" },
  { name: "catalog", description: "Catalog items" },
  { name: "privacy", description: "Profiles, consent, export and erasure" },
  { name: "admin", description: "Operator routes: sites and keys, config, models, segments, sources" },
  { name: "snippet", description: "The embed snippet" },
  { name: "demo", description: "The demo shop" },
  { name: "dashboard", description: "The operator dashboard (HTML pages and forms; sign in with the admin token)" },
  { name: "operations", description: "Health and this document" },
];

const SECURITY_SCHEMES: Record<string, Record<string, unknown>> = {
  siteKey: {
    type: "apiKey",
    in: "header",
    name: "X-Edgerec-Key",
    description: "A site key: the public write key (pk_…, browsers; the Origin must be allowed) or the secret server key (sk_…, backends).",
  },
  siteKeyQuery: {
    type: "apiKey",
    in: "query",
    name: "key",
    description: "The public write key in the URL (beacons, CORS preflights). A server key here is refused (401 server_key_in_url).",
  },
  serverKeyBearer: { type: "http", scheme: "bearer", description: "The secret server key as `Authorization: Bearer sk_…` (never in a URL)." },
  adminToken: { type: "http", scheme: "bearer", description: "The operator's ADMIN_TOKEN as `Authorization: Bearer <token>`." },
  dashboardSession: {
    type: "apiKey",
    in: "cookie",
    name: "edgerec_admin",
    description: "The operator dashboard's session: set by POST /admin/ui/sign-in, HttpOnly, SameSite=Strict, an HMAC-signed expiry (never the token).",
  },
  segmentBasic: {
    type: "http",
    scheme: "basic",
    description: "Segment's scheme: `Authorization: Basic base64(key:)`, a site key as the user name and an empty password. The write key (pk_…) is a browser source, the server key (sk_…) a trusted backend one.",
  },
};

/**
 * Security requirements per access level (alternatives; names within one entry apply together). The Segment routes'
 * empty alternative is the `writeKey` in the body, which OpenAPI cannot name as a scheme.
 */
const SECURITY: Record<Access, SecurityRequirement[]> = {
  none: [],
  key: [{ siteKey: [] }, { siteKeyQuery: [] }, { serverKeyBearer: [] }],
  server: [{ siteKey: [] }, { serverKeyBearer: [] }, { siteKey: [], adminToken: [] }, { siteKeyQuery: [], adminToken: [] }],
  admin: [{ adminToken: [] }],
  segment: [{ segmentBasic: [] }, {}],
  dashboard: [{ dashboardSession: [] }],
};

/** Error statuses every route of an access level can answer (authentication, Origin check, rate limits). */
const ACCESS_ERRORS: Record<Access, readonly number[]> = {
  none: [],
  key: [401, 403, 429],
  server: [401, 403, 429],
  admin: [401],
  segment: [401, 403, 429],
  dashboard: [],
};

const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: "BadRequest", description: "Invalid request: `issues` names every field at fault (invalid_request, malformed_json, …)" },
  401: { name: "Unauthorized", description: "Missing, unknown or insufficient credentials (missing_key, invalid_key, invalid_credentials, unauthorized, …)" },
  403: { name: "Forbidden", description: "Refused for this caller (origin_not_allowed, consent_receipt_required, consent_locked)" },
  404: { name: "NotFound", description: "No such resource (item_not_found, session_not_found, profile_not_found, …)" },
  409: { name: "Conflict", description: "Conflicts with the current state (retrain_running, no_previous_version, write_key_taken, …)" },
  413: { name: "PayloadTooLarge", description: "Over a size or count limit (payload_too_large, too_many_events, too_many_messages)" },
  415: { name: "UnsupportedMediaType", description: "Unsupported content type or content encoding" },
  429: { name: "TooManyRequests", description: "Rate limited (rate_limited); wait Retry-After seconds" },
  500: { name: "InternalError", description: "Unexpected failure (internal_error); details are only in the Worker's logs" },
};

/** zod's output minus the per-schema `$schema` (the document's dialect is OpenAPI 3.1's, JSON Schema 2020-12). */
function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/**
 * Request contracts are documented as clients send them (before defaults and transforms), hence io "input". zod
 * writes a z.preprocess as its target schema; the Segment fields that read `null` as absent get `null` added.
 */
const TO_JSON: z.core.ToJSONSchemaParams = {
  io: "input",
  override: ({ zodSchema, jsonSchema }) => {
    if (!NULL_AS_ABSENT.has(zodSchema)) return;
    const inner = { ...jsonSchema };
    for (const key of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[key];
    jsonSchema.anyOf = [inner, { type: "null" }];
  },
};

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return strip(z.toJSONSchema(schema, TO_JSON) as JsonSchema);
}

/** `/v1/items/:id` → `/v1/items/{id}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function operationId(route: RouteSpec): string {
  const words = route.path
    .split("/")
    .filter(Boolean)
    .map((part) => (part.startsWith(":") ? `by_${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** Builds the document; pure and deterministic (the committed openapi.json must equal it byte for byte). */
export function buildOpenApiDocument(): OpenApiDocument {
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  for (const [id, schema] of Object.entries(COMPONENTS)) {
    registry.add(schema, { id });
    names.set(schema, id);
  }
  const generated = z.toJSONSchema(registry, { ...TO_JSON, uri: (id) => `#/components/schemas/${id}` });
  const schemas: Record<string, JsonSchema> = {};
  for (const id of Object.keys(COMPONENTS)) {
    // zod writes the uri as `$id`; the components' names are their ids already.
    const { $id: _id, ...rest } = strip(generated.schemas[id] as JsonSchema);
    schemas[id] = rest;
  }
  const schemaOf = (schema: z.ZodType): JsonSchema | Ref => {
    const name = names.get(schema);
    return name ? { $ref: `#/components/schemas/${name}` } : jsonSchemaOf(schema);
  };

  const responses: Record<string, Response> = {};
  for (const { name, description } of Object.values(ERROR_RESPONSES)) {
    responses[name] = { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  }
  responses.TooManyRequests!.headers = { "Retry-After": { description: "seconds to wait", schema: { type: "integer" } } };

  const paths: OpenApiDocument["paths"] = {};
  for (const route of ROUTES) {
    const parameters: Parameter[] = [];
    for (const [, name] of route.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
      parameters.push({ name: name!, in: "path", required: true, schema: jsonSchemaOf(route.pathParams?.[name!] ?? DEFAULT_PATH_PARAM) });
    }
    if (route.query) {
      const query = jsonSchemaOf(route.query);
      const required = new Set((query.required as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries((query.properties ?? {}) as Record<string, JsonSchema>)) {
        // `key` is the siteKeyQuery security scheme.
        if (name === "key") continue;
        const description = route.queryDocs?.[name];
        parameters.push({ name, in: "query", required: required.has(name), ...(description ? { description } : {}), schema });
      }
    }

    const op: Operation = {
      operationId: operationId(route),
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security: SECURITY[route.access],
      ...(parameters.length > 0 ? { parameters } : {}),
      responses: {},
    };

    if (route.body) {
      const body = schemaOf(route.body.schema);
      op.requestBody = {
        required: true,
        ...(route.body.description ? { description: route.body.description } : {}),
        content: Object.fromEntries(route.body.contentTypes.map((t) => [t, { schema: body }])),
      };
    }

    for (const [status, answer] of Object.entries(route.answers)) {
      const content = answer.schema
        ? { "application/json": { schema: schemaOf(answer.schema) } }
        : { [answer.contentType ?? "application/octet-stream"]: { schema: { type: "string" } } };
      op.responses[status] = { description: answer.description, content };
    }
    const errorStatuses = [...new Set([...route.errors, ...ACCESS_ERRORS[route.access], 500])].sort((a, b) => a - b);
    for (const status of errorStatuses) {
      const known = ERROR_RESPONSES[status];
      if (!known) throw new Error(`no error response for status ${status} (${route.method} ${route.path})`);
      op.responses[String(status)] = { $ref: `#/components/responses/${known.name}` };
    }

    const path = openApiPath(route.path);
    const item = (paths[path] ??= {});
    if (item[route.method]) throw new Error(`duplicate route ${route.method} ${route.path}`);
    item[route.method] = op;
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "edgerec",
      version: API_VERSION,
      description:
        "Edge-first personalization on Cloudflare Workers: event ingest (native and Segment-compatible), live sessions, recommendations, catalog, privacy and admin. Every error is `{error:{code,message,issues?}}`.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    tags: TAGS,
    paths,
    components: { schemas, responses, securitySchemes: SECURITY_SCHEMES },
  };
}

let cachedText: string | undefined;

/** The document as served: built once per isolate (the route table is static). */
export function openApiText(): string {
  cachedText ??= JSON.stringify(buildOpenApiDocument());
  return cachedText;
}
