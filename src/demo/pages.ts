// The demo shop's HTML: a catalog grid, product pages and the embed snippet with two recommendation slots.
// Server-rendered strings; every catalog value goes through escapeHtml.
import type { ItemRow } from "../storage/schema";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Served as /demo/demo.css: the pages' CSP allows no inline style. */
export const DEMO_CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#222}header{background:#1f4b3f;color:#fff;padding:12px 24px}
header a{color:#fff;text-decoration:none;font-weight:600}main{padding:16px 24px}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px}
.card,.edgerec-item{list-style:none;border:1px solid #ddd;border-radius:8px;padding:8px;background:#fff}.card a,.edgerec-link{color:inherit;text-decoration:none;display:block}
.card img,.edgerec-image{width:100%;border-radius:6px}.edgerec-list{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:10px;padding:0}
.edgerec-title{display:block;font-size:14px;margin-top:4px}.edgerec-reason{display:block;font-size:12px;color:#666;margin-top:2px}section{margin:18px 0}h2{font-size:18px}.product{display:flex;gap:24px;align-items:flex-start}
.product img{width:240px;border-radius:8px}.price{font-size:20px;font-weight:600}`;

/**
 * Served as /demo/demo.js, loaded before the snippet: queues the product page's view (its item id rides on the
 * script tag) and tracks the cart button. A file rather than inline code, so the pages' CSP allows only 'self'.
 */
export const DEMO_JS = `window.edgerec = window.edgerec || [];
(function () {
  var id = document.currentScript && document.currentScript.getAttribute("data-item-id");
  if (id) window.edgerec.push(["track", "view", { itemId: id }]);
  document.addEventListener("click", function (e) {
    var button = e.target instanceof Element ? e.target.closest("#add-to-cart") : null;
    if (button) window.edgerec.push(["track", "add_to_cart", { itemId: button.getAttribute("data-item-id") }]);
  });
})();
`;

function layout(title: string, body: string, sdkTag: string, itemId?: string): string {
  const page = itemId === undefined ? "" : ` data-item-id="${escapeHtml(itemId)}"`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/demo/demo.css"><script src="/demo/demo.js"${page}></script></head><body><header><a href="/demo">edgerec demo shop</a></header><main>${body}</main>${sdkTag}</body></html>`;
}

export function snippetTag(src: string, key: string): string {
  return `<script async src="${escapeHtml(src)}" data-key="${escapeHtml(key)}"></script>`;
}

function card(item: ItemRow): string {
  return `<div class="card"><a href="/demo/p/${encodeURIComponent(item.id)}"><img src="/demo/img/${encodeURIComponent(item.id)}.svg" alt="">
<span class="edgerec-title">${escapeHtml(item.title ?? item.id)}</span></a></div>`;
}

export function homePage(items: ItemRow[], sdkTag: string): string {
  const body = `<section><h2>Recommended for you</h2><div data-edgerec-slot="home" data-k="6" id="slot-home"></div></section>
<section><h2>All products</h2><div class="grid">${items.map(card).join("")}</div></section>`;
  return layout("edgerec demo shop", body, sdkTag);
}

export function productPage(item: ItemRow, sdkTag: string): string {
  const price = typeof item.attributes?.price === "number" ? `$${item.attributes.price.toFixed(2)}` : "";
  const body = `<div class="product"><img src="/demo/img/${encodeURIComponent(item.id)}.svg" alt="">
<div><h1 id="product-title">${escapeHtml(item.title ?? item.id)}</h1><p class="price">${price}</p><p>${escapeHtml(item.categories.join(", "))}</p>
<button id="add-to-cart" data-item-id="${escapeHtml(item.id)}">Add to cart</button></div></div>
<section><h2>Next for you</h2><div data-edgerec-slot="product" data-k="6" data-item-id="${escapeHtml(item.id)}" id="slot-next"></div></section>`;
  // The queued view (demo.js, from the item id on its tag) is sent by the snippet before it fills the slots.
  return layout(item.title ?? item.id, body, sdkTag, item.id);
}

/** A placeholder product picture: a colour from the id's hash and the item's initials. */
export function itemSvg(id: string, title: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = h % 360;
  const initials = title.split(/\s+/).map((w) => w[0] ?? "").join("").slice(0, 3).toUpperCase();
  return `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200" viewBox="0 0 300 200"><rect width="300" height="200" fill="hsl(${hue} 55% 55%)"/>
<text x="150" y="115" font-family="sans-serif" font-size="56" fill="#fff" text-anchor="middle">${escapeHtml(initials)}</text></svg>`;
}
