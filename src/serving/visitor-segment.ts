// The visitor's segment and behavioural scores as the profile (GET /v1/users/:id) and the data export show them:
// the served model's assignment (the same assignSegment src/serving/recommend.ts uses) and behaviour-score.ts.
import { servable, type Manifest } from "../models/manifest";
import type { PersonalData } from "../models/train-personal";
import { behaviourScores, type BehaviourScores } from "../recommend/behaviour-score";
import { assignSegment, NEW_VISITOR_SEGMENT, segmentDescription } from "../recommend/segments";
import type { SiteConfig } from "../schemas/site-config";
import { readManifest, readPersonalData } from "../storage/model-store";
import { profileSummaries, visitorReads } from "../storage/personal-repo";

export type VisitorSegment = {
  /** Null without a served model with segments. */
  segment: { id: number; description: string; newVisitor: boolean; modelVersion: string } | null;
  behaviour: BehaviourScores | null;
};

export async function visitorSegment(env: Env, siteId: string, profileId: string, now: number, config?: SiteConfig): Promise<VisitorSegment> {
  const manifest = await readManifest(env.MODELS, siteId);
  const [data, summaries] = await Promise.all([
    servable(manifest) ? readPersonalData<PersonalData>(env.MODELS, siteId, manifest.current.version) : Promise.resolve(null),
    profileSummaries(env.DB, siteId, [profileId]),
  ]);
  const summary = summaries[0];
  if (!summary) return { segment: null, behaviour: null };
  const model = data?.segments ?? null;
  const id = model ? assignSegment(summary, model, now) : null;
  return {
    segment:
      model && id !== null && manifest
        ? { id, description: segmentDescription(model, id), newVisitor: id === NEW_VISITOR_SEGMENT, modelVersion: manifest.current.version }
        : null,
    behaviour: behaviourScores(summary, now, model?.settings.scoreWeights ?? config?.segments?.scoreWeights),
  };
}

/**
 * The segment id a served list targets by (slot overrides, one-segment experiments): the served model's
 * assignment, NEW_VISITOR_SEGMENT for a visitor without a profile yet, null when the model has no segments.
 */
export async function visitorSegmentId(env: Env, siteId: string, manifest: Manifest, v: { anonymousId?: string; userId?: string }, now: number): Promise<number | null> {
  // One D1 round trip (identity lookup and summary; no history) beside the personal data's KV read.
  const [data, read] = await Promise.all([readPersonalData<PersonalData>(env.MODELS, siteId, manifest.current.version), visitorReads(env.DB, siteId, v, 0, true)]);
  const model = data?.segments;
  if (!model) return null;
  return read.summary ? assignSegment(read.summary, model, now) : model.schema === 2 ? NEW_VISITOR_SEGMENT : null;
}
