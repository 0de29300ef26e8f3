// The built Worker in Miniflare over real HTTP on loopback (what the Node clients need), a site with its keys, and a
// proxy in front of it that can lose the Worker's answer: the request is served, the client is told 500.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { gunzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import type { Miniflare } from "miniflare";
import { BENCH_ADMIN_TOKEN, startWorker } from "../../bench/miniflare";

export type Harness = { url: string; mf: Miniflare; stop: () => Promise<void> };

export async function startHarness(script: string): Promise<Harness> {
  const { url, mf } = await startWorker(script);
  return { url, mf, stop: () => mf.dispose() };
}

export type TestSite = { id: string; writeKey: string; serverKey: string; identitySecret: string };

export async function createSite(url: string): Promise<TestSite> {
  const id = `s-${crypto.randomUUID().slice(0, 8)}`;
  const token = () => crypto.randomUUID().replaceAll("-", "");
  const site = { id, writeKey: `pk_test_${token()}`, serverKey: `sk_test_${token()}`, identitySecret: `is_test_${token()}` };
  const res = await fetch(`${url}/admin/sites/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: id, writeKey: site.writeKey, serverKey: site.serverKey, identitySecret: site.identitySecret, allowedOrigins: ["*"] }),
  });
  if (res.status !== 201) throw new Error(`site setup failed: ${res.status} ${await res.text()}`);
  return site;
}

/** What the proxy saw of one request. */
export type Seen = { path: string; headers: IncomingMessage["headers"]; status: number; forwardedStatus: number; messageIds: string[] };

function messageIdsOf(body: Buffer, gzip: boolean): string[] {
  try {
    const parsed = JSON.parse((gzip ? gunzipSync(body) : body).toString("utf8")) as { batch?: { messageId?: string }[] };
    return (parsed.batch ?? []).map((m) => m.messageId ?? "");
  } catch {
    return [];
  }
}

/**
 * A loopback proxy to the Worker. While `failNext` > 0, a request is still forwarded (and stored by the Worker), but
 * the client gets a 500 instead of the answer: the lost-response case a retry must not double.
 */
export class LossyProxy {
  failNext = 0;
  readonly seen: Seen[] = [];
  private server: Server;
  url = "";

  constructor(private readonly target: string) {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "connection" && k !== "content-length") headers.set(k, v);
      const raw = Buffer.concat(chunks);
      const upstream = await fetch(`${this.target}${req.url}`, { method: req.method, headers, body: chunks.length ? raw : undefined });
      const body = Buffer.from(await upstream.arrayBuffer());
      const fail = this.failNext > 0;
      if (fail) this.failNext--;
      this.seen.push({
        path: req.url ?? "",
        headers: req.headers,
        status: fail ? 500 : upstream.status,
        forwardedStatus: upstream.status,
        messageIds: messageIdsOf(raw, req.headers["content-encoding"] === "gzip"),
      });
      if (fail) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "injected", message: "injected by the test proxy" } }));
      } else {
        res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" }).end(body);
      }
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
