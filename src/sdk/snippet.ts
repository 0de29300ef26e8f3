// The embed snippet's entry (/sdk.js): reads its <script> tag, replays the pre-load command queue, tracks the page
// view and fills recommendation slots. Bundled by scripts/build-sdk.mjs; the npm package's entry is index.ts.
import type { ConsentCommand, EventType, RecList, RecommendOptions, TrackInput } from "./api";
import { fetchRecommendations, trackAndRecommend } from "./recommend";
import { renderSlot } from "./slots";
import { startTracker } from "./start";

type Command = [string, ...unknown[]];
/**
 * window.edgerec once loaded. `recommend` resolves to the whole list, not only its items: a site that renders
 * itself needs `recommendationId` and `slot` to attribute clicks (push(["track","click",{itemId,recommendationId,slot}])).
 */
type Api = {
  push: (cmd: Command) => void;
  recommend: (o: RecommendOptions) => Promise<RecList>;
  trackAndRecommend: (type: EventType, input: TrackInput, o: RecommendOptions) => Promise<RecList>;
  flush: () => Promise<void>;
};
type Win = Window & { edgerec?: Command[] | Api };

const w = window as Win;
const script = (document.currentScript ?? document.querySelector("script[data-key][src*='sdk']")) as HTMLScriptElement | null;

if (script?.dataset.key && !(w.edgerec && "recommend" in w.edgerec)) {
  const endpoint = new URL(script.src).origin;
  const t = startTracker(endpoint, script.dataset.key, script.hasAttribute("data-require-consent"));

  const run = (cmd: Command): void => {
    const [name, a, b] = cmd;
    if (name === "track") t.track(a as EventType, b as TrackInput);
    else if (name === "page") t.track("view", a as TrackInput);
    else if (name === "identify") t.identify(String(a), (b as { userHash?: string } | undefined)?.userHash);
    else if (name === "consent") t.consent(a as ConsentCommand);
  };

  const pending = Array.isArray(w.edgerec) ? w.edgerec : [];
  const api: Api = {
    push: run,
    recommend: (o) => fetchRecommendations(endpoint, t, o),
    trackAndRecommend: (type, input, o) => trackAndRecommend(endpoint, t, type, input, o),
    flush: () => t.flush(),
  };
  w.edgerec = api;
  // Consent first, so queued tracking before it is judged by the visitor's choice.
  for (const cmd of pending) if (cmd[0] === "consent") run(cmd);
  // An automatic page view, unless the page queued its own view (a product page with its item id).
  if (!pending.some((c) => c[0] === "page" || (c[0] === "track" && c[1] === "view")) && script.dataset.autoPage !== "false") t.track("view");
  for (const cmd of pending) if (cmd[0] !== "consent") run(cmd);

  const fillSlots = async (): Promise<void> => {
    // The page view goes first so the "next for you" list already reflects this page.
    await t.flush();
    for (const el of document.querySelectorAll<HTMLElement>("[data-edgerec-slot]")) {
      fetchRecommendations(endpoint, t, { slot: el.dataset.edgerecSlot, k: Number(el.dataset.k ?? 6), itemId: el.dataset.itemId })
        .then((list) => renderSlot(el, list, t))
        .catch(() => {});
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void fillSlots());
  else void fillSlots();
}
