// GET /docs: a plain HTML API reference generated from the OpenAPI document. No script, no third-party asset: the
// stylesheet is /docs/docs.css, so the page runs under the strict HTML CSP of src/lib/security-headers.ts.
import type { OpenApiDocument } from "./document";

type Schema = Record<string, unknown>;

const METHODS = ["get", "post", "put", "delete"] as const;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Inline code spans of the document's Markdown-ish descriptions (`x`), the only markup they use. */
function prose(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function refName(ref: string): string {
  return ref.replace("#/components/schemas/", "");
}

/** A JSON Schema as indented JSON, each $ref a link to that schema's section. */
function schemaBlock(schema: unknown): string {
  const text = esc(JSON.stringify(schema, null, 2));
  return `<pre>${text.replace(/&quot;#\/components\/schemas\/([A-Za-z0-9_]+)&quot;/g, '"<a href="#schema-$1">#/components/schemas/$1</a>"')}</pre>`;
}

/** One line for a schema: a link for a $ref, else its type and the bounds that matter to a caller. */
function schemaSummary(schema: Schema): string {
  if (typeof schema.$ref === "string") return `<a href="#schema-${esc(refName(schema.$ref))}">${esc(refName(schema.$ref))}</a>`;
  const parts: string[] = [];
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : typeof schema.type === "string" ? schema.type : "any";
  parts.push(esc(type));
  if (Array.isArray(schema.enum)) parts.push(`one of ${schema.enum.map((v) => `<code>${esc(String(v))}</code>`).join(", ")}`);
  for (const k of ["minimum", "maximum", "minLength", "maxLength", "pattern", "format", "default"]) {
    if (schema[k] !== undefined) parts.push(`${k} <code>${esc(JSON.stringify(schema[k]))}</code>`);
  }
  return parts.join(", ");
}

function security(reqs: Record<string, string[]>[]): string {
  if (reqs.length === 0) return "none";
  return reqs
    .map((req) => {
      const names = Object.keys(req);
      return names.length === 0 ? "<code>writeKey</code> in the body" : names.map((n) => `<a href="#security-${esc(n)}">${esc(n)}</a>`).join(" + ");
    })
    .join(" or ");
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const out: string[] = [];
  out.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(doc.info.title)} API reference</title><link rel="stylesheet" href="/docs/docs.css"></head><body>`,
    `<header><h1>${esc(doc.info.title)} API <small>${esc(doc.info.version)}</small></h1><p>${prose(doc.info.description)}</p>`,
    `<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p></header><nav><ul>`,
  );
  for (const tag of doc.tags) out.push(`<li><a href="#tag-${esc(tag.name)}">${esc(tag.name)}</a></li>`);
  out.push(`<li><a href="#security">authentication</a></li><li><a href="#schemas">schemas</a></li></ul></nav><main>`);

  for (const tag of doc.tags) {
    out.push(`<section id="tag-${esc(tag.name)}"><h2>${esc(tag.name)}</h2><p>${prose(tag.description)}</p>`);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op || !op.tags.includes(tag.name)) continue;
        out.push(`<article id="${esc(op.operationId)}"><h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>`);
        out.push(`<p>${prose(op.summary)}</p>`);
        if (op.description) out.push(`<p>${prose(op.description)}</p>`);
        out.push(`<p class="auth">Auth: ${security(op.security)}</p>`);
        if (op.parameters && op.parameters.length > 0) {
          out.push(`<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th>meaning</th></tr></thead><tbody>`);
          for (const p of op.parameters) {
            out.push(
              `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td>${p.required ? "yes" : "no"}</td><td>${schemaSummary(p.schema)}</td><td>${prose(p.description ?? "")}</td></tr>`,
            );
          }
          out.push(`</tbody></table>`);
        }
        if (op.requestBody) {
          const types = Object.keys(op.requestBody.content);
          const first = op.requestBody.content[types[0]!]!;
          out.push(`<p>Body (${types.map((t) => `<code>${esc(t)}</code>`).join(", ")}): ${schemaSummary(first.schema as Schema)}`);
          if (op.requestBody.description) out.push(`; ${prose(op.requestBody.description)}`);
          out.push(`</p>`);
        }
        out.push(`<table><thead><tr><th>status</th><th>answer</th></tr></thead><tbody>`);
        for (const [status, res] of Object.entries(op.responses)) {
          if ("$ref" in res) {
            const name = res.$ref.replace("#/components/responses/", "");
            const known = doc.components.responses[name];
            out.push(`<tr><td>${esc(status)}</td><td><a href="#schema-Error">Error</a>: ${prose(known?.description ?? name)}</td></tr>`);
          } else {
            const media = Object.entries(res.content ?? {})[0];
            const shape = media ? (media[0] === "application/json" ? schemaSummary(media[1].schema as Schema) : `<code>${esc(media[0])}</code>`) : "";
            out.push(`<tr><td>${esc(status)}</td><td>${prose(res.description)}${shape ? `: ${shape}` : ""}</td></tr>`);
          }
        }
        out.push(`</tbody></table></article>`);
      }
    }
    out.push(`</section>`);
  }

  out.push(`<section id="security"><h2>authentication</h2><dl>`);
  for (const [name, scheme] of Object.entries(doc.components.securitySchemes)) {
    const how = scheme.type === "apiKey" ? `${String(scheme.in)} <code>${esc(String(scheme.name))}</code>` : `HTTP ${esc(String(scheme.scheme))}`;
    out.push(`<dt id="security-${esc(name)}"><code>${esc(name)}</code>: ${how}</dt><dd>${prose(String(scheme.description ?? ""))}</dd>`);
  }
  out.push(`</dl></section><section id="schemas"><h2>schemas</h2>`);
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    out.push(`<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary>${schemaBlock(schema)}</details>`);
  }
  out.push(`</section></main></body></html>`);
  return out.join("\n");
}

export const DOCS_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:1rem 1.5rem;color:#1d1d1f}
h1 small{font-size:.5em;color:#666}nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0}
article{border-top:1px solid #ddd;padding:.5rem 0}h3{font-size:1.05rem;margin:.5rem 0}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{background:#f6f6f6;padding:.75rem;overflow:auto;max-height:32rem}
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{border:1px solid #e3e3e3;padding:.25rem .5rem;text-align:left;vertical-align:top}
.method{display:inline-block;min-width:4.2em;padding:0 .3em;border-radius:3px;color:#fff;font-size:.8em;text-align:center}
.get{background:#2f6f3e}.post{background:#1f5fa8}.put{background:#8a5a00}.delete{background:#a32020}.auth{color:#444}
details{margin:.25rem 0}summary{cursor:pointer}
`;
