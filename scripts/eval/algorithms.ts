// The rows of the session protocol: the POP, first-order Markov and SR reference baselines and the session model.
import { SessionModelTrainer } from "../../src/recommend/trainer";
import { modelLookup } from "../../src/recommend/model-lookup";
import { scoreSession, type ScoreOptions } from "../../src/recommend/score-session";
import type { BuildConfig } from "../../src/recommend/build-model";
import type { CountConfig } from "../../src/recommend/session-stats";
import type { NeighbourList, SessionModel } from "../../src/recommend/types";
import type { Session } from "./sessions";

/** A trained model as the protocol sees it: a ranked list for a session path. */
export interface Recommender {
  recommend(path: readonly string[], k: number): readonly string[];
  /**
   * A list that leaves the path's items out itself, as a "next" slot asks for it (the served blend: the request
   * without includeViewed: the path's items blended and dropped after the blend). Protocol 1b uses it when present,
   * else it drops them from `recommend`'s list.
   */
  recommendUnseen?(path: readonly string[], k: number): readonly string[];
  /** Online mode: count a revealed step (item after prefix, at time ts) into the model. */
  learn?(prefix: readonly string[], item: string, ts: number): void;
  /** Facts for the report (artifact size, …). */
  notes?: Record<string, number | string>;
}

export type Algorithm = { name: string; train(sessions: readonly Session[]): Recommender };

/** Global popularity (events per item in train). */
export const POP: Algorithm = {
  name: "POP",
  train(sessions) {
    const ranked = popularity(sessions);
    return { recommend: (_path, k) => ranked.slice(0, k) };
  },
};

/**
 * First-order Markov chain: successors of the last item by transition count, back-filled by popularity. Ties keep
 * the order in which transitions were first seen (a stable sort over insertion order), which reproduces the
 * reference implementation's numbers in EVAL.md exactly.
 */
export const MARKOV: Algorithm = {
  name: "Markov",
  train(sessions) {
    const next = new Map<string, Map<string, number>>();
    for (const s of sessions) {
      for (let t = 1; t < s.items.length; t++) {
        let row = next.get(s.items[t - 1]);
        if (!row) next.set(s.items[t - 1], (row = new Map()));
        row.set(s.items[t], (row.get(s.items[t]) ?? 0) + 1);
      }
    }
    const pop = popularity(sessions);
    return {
      recommend(path, k) {
        const row = next.get(path[path.length - 1]);
        const out = row ? [...row].sort((a, b) => b[1] - a[1]).slice(0, k).map(([id]) => id) : [];
        for (const id of pop) {
          if (out.length >= k) break;
          if (!out.includes(id)) out.push(id);
        }
        return out;
      },
    };
  },
};

/**
 * Sequential rules (EVAL.md's SR: b after a within 10 steps adds 1/distance; rank the last item's rules). Not a
 * separate implementation: it is the production statistics and scorer with the path cut to the last item and the
 * co-occurrence lists switched off, so only the last item's (row-normalised, same order) after-list ranks.
 */
export const SR: Algorithm = sessionModel({ name: "SR", count: { afterSteps: 10 }, score: { maxPath: 1, withWeight: 0 } });

/** How often the online row rebuilds its lists from the counts (the production cron is hourly). */
export const ONLINE_REBUILD_SECONDS = 3600;

export type Served = { lookup: (itemId: string) => NeighbourList | undefined; notes?: Record<string, number | string> };

export type ModelVariant = {
  name: string;
  count?: Partial<CountConfig>;
  build?: Partial<BuildConfig>;
  score?: Partial<ScoreOptions>;
  /** Wraps the built model into the lookup the scorer uses (the artifact round trip plugs in here). */
  serve?: (model: SessionModel) => Served;
};

/** The session model, trained with the production trainer and scored with the production scorer. */
export function sessionModel(v: ModelVariant): Algorithm {
  return {
    name: v.name,
    train(sessions) {
      const trainer = new SessionModelTrainer({ count: v.count, build: v.build });
      for (const s of sessions) trainer.pushSession(s.items);
      const serve = v.serve ?? ((m: SessionModel): Served => ({ lookup: modelLookup(m) }));
      let model = trainer.build();
      let served = serve(model);
      let nextBuild = -Infinity;
      return {
        notes: served.notes,
        recommend(path, k) {
          return scoreSession(path, served.lookup, { ...v.score, k, popular: model.popular }).map((r) => r.itemId);
        },
        learn(prefix, item, ts) {
          trainer.pushStep(prefix, item);
          // Production rebuilds the lists on the hourly cron, not per event; do the same on the data's clock.
          if (ts >= nextBuild) {
            if (Number.isFinite(nextBuild)) {
              model = trainer.build();
              served = serve(model);
            }
            nextBuild = ts + ONLINE_REBUILD_SECONDS;
          }
        },
      };
    },
  };
}

function popularity(sessions: readonly Session[]): string[] {
  const c = new Map<string, number>();
  for (const s of sessions) for (const it of s.items) c.set(it, (c.get(it) ?? 0) + 1);
  // Stable sort: equal counts keep first-seen order, like the reference implementation.
  return [...c].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}
