// Combines our catalogue with the rows converted from genai-prices. Ours is reviewed and dated, gp's is
// broad but mostly undated, so ours wins per MODEL, not per row: mixing the two histories of one model
// would produce ranges that neither source vouches for.
import type { AliasRule, Catalogue, EstimateRule } from './catalogue.ts';
import type { GpConversion } from './genai-prices.ts';
import { normalizeModelId } from './model-id.ts';
import { compareRows, findOverlaps, type PriceRow } from './price-row.ts';

export interface MergeSummary {
  /** Rows in the result by where they come from. */
  rows: { catalogue: number; genai_prices: number; total: number };
  /** Rows in the result by their `source` value. */
  by_source: Record<string, number>;
  /** gp rows left out because our catalogue prices that model. */
  genai_prices_rows_replaced: number;
  /** provider/model of every gp model replaced by ours. */
  genai_prices_models_replaced: string[];
  aliases: { catalogue: number; genai_prices: number; genai_prices_dropped: number };
  /** provider/alias -> model for aliases whose target has no price rows (should be empty). */
  dangling_aliases: string[];
}

export interface MergedCatalogue {
  rows: PriceRow[];
  aliases: AliasRule[];
  estimates: EstimateRule[];
  summary: MergeSummary;
}

const key = (provider: string, model: string) => `${provider}/${normalizeModelId(model)}`;

function compareAliases(a: AliasRule, b: AliasRule): number {
  return a.provider < b.provider
    ? -1
    : a.provider > b.provider
      ? 1
      : a.alias < b.alias
        ? -1
        : a.alias > b.alias
          ? 1
          : 0;
}

/**
 * Our catalogue wins: for a (provider, model) it covers at all, every gp row of that model is dropped.
 * A gp model id that one of OUR alias rules maps (e.g. claude-sonnet-4-0 -> claude-sonnet-4) counts as that
 * model. Other gp rows are kept. The result is sorted and checked for overlapping ranges.
 */
export function mergeCatalogues(ours: Catalogue, theirs: GpConversion): MergedCatalogue {
  const covered = new Set(ours.rows.map((row) => key(row.provider, row.model)));
  const ourAliases = new Map(ours.aliases.map((rule) => [key(rule.provider, rule.alias), rule.model]));
  const viaOurAlias = (provider: string, model: string) => ourAliases.get(key(provider, model)) ?? model;

  const replaced = new Set<string>();
  let replacedRows = 0;
  const gpRows: PriceRow[] = [];
  for (const row of theirs.rows) {
    const model = viaOurAlias(row.provider, row.model);
    if (covered.has(key(row.provider, model))) {
      replacedRows++;
      replaced.add(key(row.provider, row.model));
    } else {
      gpRows.push(model === row.model ? row : { ...row, model });
    }
  }

  const rows = [...ours.rows, ...gpRows].sort(compareRows);
  const overlaps = findOverlaps(rows, (i) => `${rows[i].source} row`);
  if (overlaps.length > 0) {
    throw new Error(
      `merged price rows overlap:\n- ${overlaps.map((overlap) => overlap.message).join('\n- ')}`,
    );
  }

  const priced = new Set(rows.map((row) => key(row.provider, row.model)));
  const aliasNames = new Set(ours.aliases.map((rule) => key(rule.provider, rule.alias)));
  const gpAliases: AliasRule[] = [];
  let droppedAliases = 0;
  for (const rule of theirs.aliases) {
    const model = viaOurAlias(rule.provider, rule.model);
    const name = key(rule.provider, rule.alias);
    // A name with rows of its own is priced directly; one ours already maps is ours to decide.
    if (model === rule.alias || priced.has(name) || aliasNames.has(name)) {
      droppedAliases++;
      continue;
    }
    aliasNames.add(name);
    gpAliases.push(model === rule.model ? rule : { ...rule, model });
  }
  const aliases = [...ours.aliases, ...gpAliases].sort(compareAliases);

  const bySource: Record<string, number> = {};
  for (const row of rows) bySource[row.source] = (bySource[row.source] ?? 0) + 1;

  return {
    rows,
    aliases,
    estimates: ours.estimates,
    summary: {
      rows: { catalogue: ours.rows.length, genai_prices: gpRows.length, total: rows.length },
      by_source: bySource,
      genai_prices_rows_replaced: replacedRows,
      genai_prices_models_replaced: [...replaced].sort(),
      aliases: {
        catalogue: ours.aliases.length,
        genai_prices: gpAliases.length,
        genai_prices_dropped: droppedAliases,
      },
      dangling_aliases: aliases
        .filter((rule) => !priced.has(key(rule.provider, rule.model)))
        .map((rule) => `${rule.provider}/${rule.alias} -> ${rule.model}`),
    },
  };
}
