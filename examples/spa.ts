// A single-page app with edgerec/sdk and no framework: a page view on every route change, a list of
// recommendations rendered by the app, and clicks on it attributed to the list they came from.
import { createTracker, type RecList } from "edgerec/sdk";

const tracker = createTracker({ endpoint: "https://recs.example.com", key: "pk_live_your_write_key" });

/** Product pages are /p/<item id>; every other route is a plain page view. */
function itemOf(path: string): string | undefined {
  const id = /^\/p\/([^/]+)$/.exec(path)?.[1];
  return id === undefined ? undefined : decodeURIComponent(id);
}

function renderList(host: HTMLElement, list: RecList): void {
  const ul = document.createElement("ul");
  // Items without a title are skipped: an id is whatever a client sent, not display text.
  for (const item of list.items.filter((i) => i.title)) {
    const link = document.createElement("a");
    link.href = `/p/${encodeURIComponent(item.id)}`;
    link.textContent = item.title ?? "";
    const reason = document.createElement("small");
    reason.textContent = item.reason.text;
    link.addEventListener("click", (ev) => {
      ev.preventDefault();
      // The list's id and slot attribute the click (and what follows it) to this recommendation.
      tracker.track("click", { itemId: item.id, recommendationId: list.recommendationId, slot: list.slot });
      navigate(link.pathname);
    });
    const li = document.createElement("li");
    li.append(link, " ", reason);
    ul.append(li);
  }
  host.dataset.recommendationId = list.recommendationId;
  host.replaceChildren(ul);
}

async function show(path: string): Promise<void> {
  const itemId = itemOf(path);
  tracker.page({ itemId });
  const host = document.querySelector<HTMLElement>("#recommendations");
  if (!host) return;
  try {
    // Send the view first, so the list already reflects this page ("next for you" after this item).
    await tracker.flush();
    renderList(host, await tracker.recommend({ slot: itemId ? "product" : "home", k: 4, itemId }));
  } catch {
    host.replaceChildren(); // the Worker is unreachable: the page works without recommendations
  }
}

function navigate(path: string): void {
  history.pushState(null, "", path);
  void show(path);
}

addEventListener("popstate", () => void show(location.pathname));
void show(location.pathname);
