// Sites and keys: every site with its origins and its credentials' hints (never a key or a hash), and rotation
// forms; a rotated key is shown once, on the answer page, as the JSON API shows it once in its answer.
import type { SiteRow } from "../../storage/schema";
import type { KeyListing } from "../../storage/site-keys-repo";
import { DASHBOARD_BASE } from "../layout";
import { when } from "./format";

const KINDS = [
  { kind: "write", label: "public write key" },
  { kind: "server", label: "secret server key" },
  { kind: "identity", label: "identity secret" },
] as const;

export function SitesBody(props: { sites: { site: SiteRow; keys: KeyListing[] }[]; rotated?: { site: string; kind: string; key: string } | null }) {
  return (
    <div>
      {props.rotated ? (
        <div class="secret" id="rotated">
          New {props.rotated.kind} credential of <code>{props.rotated.site}</code> (shown once, copy it now): <code class="mono">{props.rotated.key}</code>
        </div>
      ) : null}
      {props.sites.length === 0 ? <p class="hint">No sites yet: create one with PUT /admin/sites/:id (see the README).</p> : null}
      {props.sites.map(({ site, keys }) => (
        <section data-site={site.id}>
          <h2>
            <code>{site.id}</code> · {site.name}
          </h2>
          <p>
            Allowed origins: {site.allowedOrigins.length > 0 ? site.allowedOrigins.map((o) => <code>{o} </code>) : <span class="muted">none</span>} · identity
            verification: {site.identityVerification} · created {when(site.createdAt.getTime())}
          </p>
          <table class="keys">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Key (prefix)</th>
                <th>Id</th>
                <th>Created</th>
                <th>Expires</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr data-kind={k.kind}>
                  <td>{k.kind}</td>
                  <td>
                    <code>{k.hint}</code>
                  </td>
                  <td>
                    <code>{k.id}</code>
                  </td>
                  <td>{when(k.createdAt)}</td>
                  <td>{k.expiresAt === null ? "never" : when(k.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions rotate">
            {KINDS.map((k) => (
              <form method="post" action={`${DASHBOARD_BASE}/sites/${encodeURIComponent(site.id)}/keys/rotate`}>
                <input type="hidden" name="kind" value={k.kind} />
                <label>
                  old one valid for{" "}
                  <select name="overlapSeconds">
                    <option value="86400">1 day</option>
                    <option value="3600">1 hour</option>
                    <option value="0">0 (revoke now)</option>
                  </select>
                </label>{" "}
                <button type="submit" class="secondary">
                  Rotate {k.label}
                </button>
              </form>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
