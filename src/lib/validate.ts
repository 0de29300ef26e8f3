// The one validation wrapper: parse with zod, or throw a 400 that names every field at fault.
import type * as z from "zod";
import { ApiError, formatPath } from "./errors";

export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((i) =>
    // An unknown key is reported under its own name, so "?limt=5" answers with path "limt".
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: "is not a known parameter" }))
      : [{ path: formatPath(i.path), message: i.message }],
  );
}

/** Validates `input` (an already-parsed body or query object) or throws ApiError 400 `invalid_request`. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = issuesOf(result.error);
    throw new ApiError(400, "invalid_request", `invalid ${what}: ${issues[0]?.path} ${issues[0]?.message}`, issues);
  }
  return result.data;
}

/** Parses JSON text, turning a syntax error into a 400 instead of a 500. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_json", "body is not valid JSON");
  }
}
