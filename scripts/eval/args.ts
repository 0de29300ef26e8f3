// Command-line options of `npm run eval`, parsed with node:util so every flag is declared in one place.
import { parseArgs } from "node:util";

export type EvalArgs = {
  protocol: "sessions" | "users" | "segments";
  /** Protocol 2: item file with categories (MovieLens movies.csv). */
  items?: string;
  /** Tune the blend weights on a validation split carved from the training data first (both protocols). */
  tune: boolean;
  /** Protocol 2: report the validation folds (VALIDATION_FOLDS, averaged) instead of the test targets. */
  validation: boolean;
  /** Blend weights over the defaults, as JSON (`{"itemCf":0}`), for the served blend and the blend rows. */
  weights?: Record<string, number>;
  train?: string;
  test?: string;
  input?: string;
  testDays: number;
  format: "table" | "jd";
  columns: { session?: string; item?: string; time?: string };
  json: boolean;
  online: boolean;
  variants: boolean;
  /** Add the graph source's rows (random-walk embeddings alone, and blended with the weight tuned on train's last day). */
  graph: boolean;
};

export const USAGE = `usage: npm run eval -- (--train FILE --test FILE | --input FILE --test-days D) [options]
       npm run eval -- --protocol users --input RATINGS [--items ITEMS] [--tune] [--json]
       npm run eval -- --protocol users --format jd --input JD_FILE [--tune] [--json]
       npm run eval -- --protocol users ... --validation [--weights '{"itemCf":0}']
       npm run eval -- --protocol segments [--input RATINGS --items ITEMS]   (planted demo personas, then MovieLens;
                            defaults to /work/shared/data/movielens-latest-small)
  --session-col/--item-col/--time-col NAME   column names (default: SessionId/ItemId/Time or session_id/item_id/ts)
  --format jd          read a JD micro-behaviors file (one session per line) instead of a table; with
                       --protocol users each line is one visitor's history and its leaf categories the items'
                       categories
  --json               one JSON object per row instead of the tables (session rows carry "protocol": "standard"
                       or "new-items"; both protocols of EVAL.md are reported on every run)
  --online             add rows that also learn from test events once revealed
  --variants           add model variants (raw lists without quantisation, no path, …)
  --graph              add the graph source (random-walk item embeddings) alone and blended into the session model,
                       its weight tuned on train's last day first
  --validation         protocol 2: the rows on the validation folds (each user's 2nd-, 3rd-, 4th-to-last item,
                       trained without it), averaged; never reads the test targets
  --weights JSON       blend weights over the defaults, e.g. '{"itemCf":0}' (protocol 2)
  --tune               tune the blend first on validation data carved from train (users: content/segment/trending
                       and sequence weights on earlier items; sessions: the session weight on train's last day), then evaluate`;

export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      protocol: { type: "string", default: "sessions" },
      train: { type: "string" },
      test: { type: "string" },
      input: { type: "string" },
      "test-days": { type: "string", default: "1" },
      format: { type: "string", default: "table" },
      "session-col": { type: "string" },
      "item-col": { type: "string" },
      "time-col": { type: "string" },
      json: { type: "boolean", default: false },
      online: { type: "boolean", default: false },
      variants: { type: "boolean", default: false },
      graph: { type: "boolean", default: false },
      items: { type: "string" },
      tune: { type: "boolean", default: false },
      validation: { type: "boolean", default: false },
      weights: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const format = values.format;
  if (format !== "table" && format !== "jd") throw new Error(`unknown --format ${format}`);
  if (values.protocol === "users") {
    if (values.input === undefined) throw new Error("--protocol users needs --input FILE\n" + USAGE);
    return {
      protocol: "users",
      input: values.input,
      items: values.items,
      tune: values.tune,
      validation: values.validation,
      weights: values.weights === undefined ? undefined : parseWeights(values.weights),
      testDays: 1,
      format,
      columns: {},
      json: values.json,
      online: false,
      variants: false,
      graph: false,
    };
  }
  if (values.protocol === "segments") {
    return { protocol: "segments", input: values.input, items: values.items, tune: false, validation: false, testDays: 1, format, columns: {}, json: values.json, online: false, variants: false, graph: false };
  }
  if (values.protocol !== "sessions") throw new Error(`unknown --protocol ${values.protocol} (supported: sessions, users, segments)`);
  const explicit = values.train !== undefined || values.test !== undefined;
  if (explicit && (values.train === undefined || values.test === undefined)) throw new Error("--train and --test go together\n" + USAGE);
  if (explicit === (values.input !== undefined)) throw new Error("give either --train/--test or --input\n" + USAGE);
  const testDays = Number(values["test-days"]);
  if (!(testDays > 0)) throw new Error("--test-days must be a positive number");
  return {
    protocol: "sessions",
    tune: values.tune,
    validation: false,
    train: values.train,
    test: values.test,
    input: values.input,
    testDays,
    format,
    columns: { session: values["session-col"], item: values["item-col"], time: values["time-col"] },
    json: values.json,
    online: values.online,
    variants: values.variants,
    graph: values.graph,
  };
}

/** `--weights`: a JSON object of source name → non-negative number. */
function parseWeights(text: string): Record<string, number> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`--weights must be JSON, e.g. '{"itemCf":0}'`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === "number" && x >= 0)) {
    throw new Error(`--weights must map source names to non-negative numbers, e.g. '{"itemCf":0}'`);
  }
  return v as Record<string, number>;
}
