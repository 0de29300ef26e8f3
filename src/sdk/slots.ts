// Recommendation slots (the snippet's `data-edgerec-slot`): render a list as accessible unstyled markup (or the
// site's <template>), track impressions when the slot is seen and clicks with the recommendation id for attribution.
import type { RecItem, RecList } from "./types";
import type { Tracker } from "./tracker";

function fill(root: ParentNode, item: RecItem): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-edgerec-field]")) {
    const field = el.dataset.edgerecField;
    if (field === "url" && el instanceof HTMLAnchorElement) el.href = item.url ?? "#";
    else if (field === "image" && el instanceof HTMLImageElement) {
      if (item.image) el.src = item.image;
    } else if (field === "reason") el.textContent = item.reason.text;
    else if (field === "title") el.textContent = item.title ?? "";
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Default markup, unstyled (classes only): <ul class="edgerec-list"><li class="edgerec-item"><a class="edgerec-link">
 * <img class="edgerec-image" alt=""><span class="edgerec-title"/><span class="edgerec-reason"/></a></li></ul>.
 * The image is decorative (alt="") because the title in the same link already names it for screen readers.
 */
function defaultItem(item: RecItem): HTMLElement {
  const li = el("li", "edgerec-item");
  const a = el("a", "edgerec-link");
  a.href = item.url ?? "#";
  if (item.image) {
    const img = el("img", "edgerec-image");
    img.src = item.image;
    img.alt = "";
    img.loading = "lazy";
    a.append(img);
  }
  a.append(el("span", "edgerec-title", item.title), el("span", "edgerec-reason", item.reason.text));
  li.append(a);
  return li;
}

export function renderSlot(host: HTMLElement, list: RecList, t: Tracker): void {
  const template = host.querySelector("template");
  const ul = el("ul", "edgerec-list");
  ul.setAttribute("aria-label", host.dataset.label ?? "Recommended for you");
  // Items without a title are not rendered: an id is whatever a client sent, never display text (and a link
  // without text is unusable with a screen reader). recommend() still returns them to sites that render themselves.
  const items = list.items.filter((i) => i.title);
  for (const item of items) {
    let node: HTMLElement;
    if (template) {
      const frag = template.content.cloneNode(true) as DocumentFragment;
      fill(frag, item);
      node = el("li", "edgerec-item");
      node.append(frag);
    } else {
      node = defaultItem(item);
    }
    node.dataset.edgerecItem = item.id;
    ul.append(node);
  }
  for (const old of host.querySelectorAll(".edgerec-list")) old.remove();
  host.append(ul);
  host.dataset.edgerecRecommendation = list.recommendationId;
  const slot = list.slot;
  const recommendationId = list.recommendationId;
  ul.addEventListener("click", (ev) => {
    const li = (ev.target as Element).closest<HTMLElement>("[data-edgerec-item]");
    if (!li) return;
    t.track("click", { itemId: li.dataset.edgerecItem, recommendationId, slot });
    // The click usually starts a navigation: hand it to the browser as a beacon now, before the page unloads.
    t.beacon();
  });
  if (typeof IntersectionObserver === "function") {
    const io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      io.disconnect();
      for (const item of items) t.track("impression", { itemId: item.id, recommendationId, slot });
    }, { threshold: 0.5 });
    io.observe(ul);
  }
}
