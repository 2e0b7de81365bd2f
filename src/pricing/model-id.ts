// How a model name seen in a response finds its price rows. Order:
//   1. the name itself, if it has price rows (a dated snapshot can be priced on its own, e.g. gpt-4o-2024-05-13);
//   2. an explicit alias rule (provider, alias) -> model;
//   3. the mechanical rule below, then steps 1-2 again on the result.
// Only step 3 is "derivable"; everything else must be written down as an alias.

/** Dated snapshot suffixes: -2024-08-06 (OpenAI), -20251001 (Anthropic), @20250514 (Claude on Vertex AI). */
const SNAPSHOT_SUFFIX = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8})$/;

/** The undated id a snapshot name derives from, or null when the name carries no date suffix. */
export function undatedModelId(model: string): string | null {
  const id = normalizeModelId(model);
  const base = id.replace(SNAPSHOT_SUFFIX, '');
  return base !== id && base.length > 0 ? base : null;
}

/** Model ids are compared case-insensitively and without surrounding blanks (as genai-prices does). */
export function normalizeModelId(model: string): string {
  return model.trim().toLowerCase();
}
