// A consumer of the built package, compiled by scripts/build-sdk-package.mjs in a folder where `edgerec` is the
// packed tarball: the public API resolves through `exports` to the emitted .d.ts, and misuse does not compile.
import { createTracker, type EdgerecTracker, type RecItem, type RecList, type TrackerOptions } from "edgerec/sdk";

const options: TrackerOptions = { endpoint: "https://recs.example.com", key: "pk_live_x", requireConsent: true };
const tracker: EdgerecTracker = createTracker(options);

tracker.consent({ analytics: true, personalization: false });
tracker.page();
tracker.page({ itemId: "sku-1" });
tracker.track("add_to_cart", { itemId: "sku-1", properties: { price: 10, colour: "red", gift: false, note: null } });
tracker.identify("user-42", { userHash: "0f".repeat(32) });

export async function titles(): Promise<string[]> {
  const list: RecList = await tracker.recommend({ slot: "home", k: 4 });
  const first: RecItem | undefined = list.items[0];
  if (first) tracker.track("click", { itemId: first.id, recommendationId: list.recommendationId, slot: list.slot });
  await tracker.flush();
  return list.items.map((i) => `${i.title ?? i.id}: ${i.reason.text}`);
}

// @ts-expect-error not an event type
tracker.track("pageview");
// @ts-expect-error property values are scalars
tracker.track("view", { properties: { nested: { a: 1 } } });
// @ts-expect-error the write key is required
createTracker({ endpoint: "https://recs.example.com" });
// @ts-expect-error recommend() resolves to a list with its recommendationId, not to the items
export const items: Promise<RecItem[]> = tracker.recommend();
