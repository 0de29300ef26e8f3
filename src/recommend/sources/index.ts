// The registry of candidate sources: the pipeline runs them in this order, the retrain trains their families, the
// site config accepts their names as blend weights. Adding a source is one file in this folder plus one line here
// (docs/sources.md).
import { contentSource } from "./content";
import { graphSource } from "./graph";
import { itemCfSource } from "./item-cf";
import { segmentSource } from "./segment";
import { sequenceSource } from "./sequence";
import { sessionSource } from "./session";
import { trendingSource } from "./trending";
import type { CandidateSource, FamilySpec } from "./types";

// Order: the personal artifact stores families in this order, and the first of equally strong sources gives the reason.
const REGISTRY = [sessionSource, itemCfSource, contentSource, graphSource, segmentSource, trendingSource, sequenceSource] as const;

export type SourceName = (typeof REGISTRY)[number]["name"];

export const SOURCES: readonly CandidateSource<SourceName>[] = REGISTRY;

/** The sources' names, in registry order (a tuple for zod's enum). */
export const SOURCE_NAMES = SOURCES.map((s) => s.name) as unknown as readonly [SourceName, ...SourceName[]];

export const SOURCE_BY_NAME = Object.fromEntries(SOURCES.map((s) => [s.name, s])) as Readonly<Record<SourceName, CandidateSource<SourceName>>>;

/** Every source's default blend weight. */
export const SOURCE_WEIGHTS: Readonly<Record<SourceName, number>> = Object.fromEntries(SOURCES.map((s) => [s.name, s.defaultWeight])) as Record<SourceName, number>;

type PersonalSpec = Extract<FamilySpec, { artifact: "personal" }>;

/** The personal artifact's families in stored order (registry order), each with its trainer. */
export const PERSONAL_FAMILY_SPECS: readonly PersonalSpec[] = SOURCES.flatMap((s): PersonalSpec[] =>
  s.families.filter((f): f is PersonalSpec => f.artifact === "personal"),
);

export type { CandidateSource } from "./types";
