// The dashboard's page frame: head (its own stylesheet only), the navigation, the site picker (a GET form, so it
// works without script) and the sign-out button.
import type { Child } from "hono/jsx";

export const DASHBOARD_BASE = "/admin/ui";

export type Page = "overview" | "slots" | "experiments" | "models" | "segments" | "sites";

const NAV: { page: Page; label: string; href: string }[] = [
  { page: "overview", label: "Overview", href: "/admin" },
  { page: "slots", label: "Slots", href: `${DASHBOARD_BASE}/slots` },
  { page: "experiments", label: "Experiments", href: `${DASHBOARD_BASE}/experiments` },
  { page: "models", label: "Models", href: `${DASHBOARD_BASE}/models` },
  { page: "segments", label: "Segments", href: `${DASHBOARD_BASE}/segments` },
  { page: "sites", label: "Sites & keys", href: `${DASHBOARD_BASE}/sites` },
];

/** A dashboard URL for one site (the site travels in the query string, so pages are bookmarkable). */
export function pageHref(href: string, site: string | null, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ ...(site ? { site } : {}), ...extra }).toString();
  return q ? `${href}?${q}` : href;
}

export function Document(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · edgerec`}</title>
        <link rel="stylesheet" href={`${DASHBOARD_BASE}/dashboard.css`} />
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function Layout(props: { title: string; page: Page; sites: string[]; site: string | null; notice?: string | null; error?: string | null; children: Child }) {
  const current = NAV.find((n) => n.page === props.page)!;
  return (
    <Document title={props.title}>
      <header>
        <a class="brand" href="/admin">
          edgerec
        </a>
        <nav>
          {NAV.map((n) => (
            <a href={pageHref(n.href, props.site)} class={n.page === props.page ? "active" : ""}>
              {n.label}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        {props.page !== "sites" && props.sites.length > 0 ? (
          <form method="get" action={current.href} class="site-picker">
            <label>
              Site{" "}
              <select name="site">
                {props.sites.map((s) => (
                  <option value={s} selected={s === props.site}>
                    {s}
                  </option>
                ))}
              </select>
            </label>{" "}
            <button type="submit" class="secondary">
              Show
            </button>
          </form>
        ) : null}
        <form method="post" action={`${DASHBOARD_BASE}/sign-out`}>
          <button type="submit" class="secondary" id="sign-out">
            Sign out
          </button>
        </form>
      </header>
      <main>
        <h1>{props.title}</h1>
        {props.notice ? <p class="notice">{props.notice}</p> : null}
        {props.error ? <p class="error">{props.error}</p> : null}
        {props.children}
      </main>
    </Document>
  );
}

export function SignInPage(props: { error?: string }) {
  return (
    <Document title="Sign in">
      <form class="signin" method="post" action={`${DASHBOARD_BASE}/sign-in`}>
        <h1>edgerec operator dashboard</h1>
        <p class="hint">Sign in with the Worker's admin token (ADMIN_TOKEN). It is sent once and never stored in the browser; a signed session cookie is.</p>
        {props.error ? <p class="error">{props.error}</p> : null}
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
    </Document>
  );
}

export function MessagePage(props: { title: string; message: string; back?: string }) {
  return (
    <Document title={props.title}>
      <main>
        <h1>{props.title}</h1>
        <p class="error">{props.message}</p>
        <p>
          <a href={props.back ?? "/admin"}>Back to the dashboard</a>
        </p>
      </main>
    </Document>
  );
}
