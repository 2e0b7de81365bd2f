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

export interface ModelIndex {
  /** provider -> model ids that have price rows. */
  priced: ReadonlyMap<string, ReadonlySet<string>>;
  /** provider -> alias -> model. */
  aliases: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export function buildModelIndex(
  rows: ReadonlyArray<{ provider: string; model: string }>,
  aliases: ReadonlyArray<{ provider: string; alias: string; model: string }>,
): ModelIndex {
  const priced = new Map<string, Set<string>>();
  for (const row of rows) {
    const set = priced.get(row.provider) ?? new Set<string>();
    set.add(normalizeModelId(row.model));
    priced.set(row.provider, set);
  }
  const byProvider = new Map<string, Map<string, string>>();
  for (const rule of aliases) {
    const map = byProvider.get(rule.provider) ?? new Map<string, string>();
    map.set(normalizeModelId(rule.alias), normalizeModelId(rule.model));
    byProvider.set(rule.provider, map);
  }
  return { priced, aliases: byProvider };
}

/** The priced model id a response's model name bills as, or null when none applies. */
export function resolveModel(index: ModelIndex, provider: string, model: string): string | null {
  const priced = index.priced.get(provider);
  const aliases = index.aliases.get(provider);
  const direct = (id: string): string | null => {
    if (priced?.has(id)) return id;
    const target = aliases?.get(id);
    return target !== undefined && priced?.has(target) ? target : null;
  };
  const id = normalizeModelId(model);
  const undated = undatedModelId(id);
  return direct(id) ?? (undated === null ? null : direct(undated));
}
