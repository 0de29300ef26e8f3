// The visitor's segment and behavioural scores as the profile (GET /v1/users/:id) and the data export show them:
// the served model's assignment (the same assignSegment src/serving/recommend.ts uses) and behaviour-score.ts.
import { servable } from "../models/manifest";
import type { PersonalData } from "../models/train-personal";
import { behaviourScores, type BehaviourScores } from "../recommend/behaviour-score";
import { assignSegment, NEW_VISITOR_SEGMENT, segmentDescription, type SegmentModel } from "../recommend/segments";
import type { SiteConfig } from "../schemas/site-config";
import { readManifest, readPersonalData } from "../storage/model-store";
import { profileSummaries, type ProfileSummary } from "../storage/personal-repo";

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
 * The segment id a served list targets by (slot overrides, one-segment experiments), from a visitor context read
 * with readVisitorContext: the model's assignment, NEW_VISITOR_SEGMENT for a visitor without a profile yet, null
 * when the model has no segments.
 */
export function targetingSegment(summary: ProfileSummary | null, model: SegmentModel | null, now: number): number | null {
  if (!model) return null;
  return summary ? assignSegment(summary, model, now) : model.schema === 2 ? NEW_VISITOR_SEGMENT : null;
}
