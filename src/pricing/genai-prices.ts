// Turns the price data bundled with @pydantic/genai-prices ("gp") into PriceRows, so that models our own
// catalogue does not list still get a price. gp exposes its data only through findProvider(); its numbers
// are JS floats, printed back as the shortest round-trip decimal (0.075 -> '0.075'), which is exactly what
// its YAML source says.
import { readFileSync } from 'node:fs';
import {
  type ConditionalPrice,
  findProvider,
  type Provider as GpProvider,
  type MatchLogic,
  type ModelInfo,
  type ModelPrice,
  type TieredPrices,
} from '@pydantic/genai-prices';
import type { Provider } from '../usage.ts';
import type { AliasRule } from './catalogue.ts';
import { numberToDecimalString, scaleDecimal } from './decimal.ts';
import { PRICE_FIELDS, type PriceField, type PriceRow, pricesSomething } from './price-row.ts';

function installedVersion(): string {
  const entry = import.meta.resolve('@pydantic/genai-prices');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', entry), 'utf8')) as { version: string };
  return pkg.version;
}

export const GP_VERSION = installedVersion();
export const GP_SOURCE = `genai-prices ${GP_VERSION}`;

/**
 * gp provider -> our providers. gp's google entry prices the Developer API and names the Vertex AI page too,
 * so it feeds both; Vertex rows carry a caveat. Its Claude and Model-as-a-Service entries exist only on
 * Vertex AI (see ourProvidersFor).
 */
export const GP_PROVIDER_MAP: Readonly<Record<string, readonly Provider[]>> = {
  openai: ['openai'],
  groq: ['groq'],
  google: ['gemini', 'vertex'],
  anthropic: ['anthropic'],
};

/** Claude (partner model) and "-maas" entries in gp's google data are served by Vertex AI only. */
function ourProvidersFor(gpProvider: string, modelId: string): readonly Provider[] {
  const mapped = GP_PROVIDER_MAP[gpProvider] ?? [];
  if (gpProvider === 'google' && (modelId.startsWith('claude-') || modelId.endsWith('-maas'))) {
    return mapped.filter((provider) => provider === 'vertex');
  }
  return mapped;
}

/** gp's unconstrained price has no start date; a row needs one, so it starts at the epoch. */
export const GP_UNDATED_FROM = '1970-01-01T00:00:00.000Z';

/** gp price key -> our column. Where two keys feed one column, the first listed wins on disagreement. */
const UNIT_TO_FIELD: ReadonlyArray<readonly [string, PriceField]> = [
  ['input_mtok', 'input_usd_per_mtok'],
  ['cache_read_mtok', 'cached_input_usd_per_mtok'],
  ['cache_write_5m_mtok', 'cache_write_5m_usd_per_mtok'],
  // gp's TTL-less write rate is Anthropic's 5-minute write (and OpenAI's single write rate).
  ['cache_write_mtok', 'cache_write_5m_usd_per_mtok'],
  ['cache_write_1h_mtok', 'cache_write_1h_usd_per_mtok'],
  ['output_mtok', 'output_usd_per_mtok'],
  ['output_reasoning_mtok', 'reasoning_usd_per_mtok'],
  ['input_audio_mtok', 'input_audio_usd_per_mtok'],
  ['cache_audio_read_mtok', 'cached_input_audio_usd_per_mtok'],
  ['output_audio_mtok', 'output_audio_usd_per_mtok'],
  ['input_image_mtok', 'input_image_usd_per_mtok'],
  ['audio_hours', 'audio_usd_per_hour'],
  ['input_audio_hours', 'audio_usd_per_hour'],
  ['web_searches_kcount', 'web_search_usd_per_kcall'],
  ['requests_kcount', 'usd_per_request'],
];
const MAPPED_UNITS = new Map(UNIT_TO_FIELD);
/** Units priced per 1,000 in gp but per 1 in our column. */
const PER_THOUSAND_TO_PER_ONE = new Set(['requests_kcount']);

/** gp applies Groq's documented 10-second minimum in code (calcPrice), not in its data. */
const GROQ_MINIMUM_SECONDS_MODELS = new Set(['whisper-large-v3', 'whisper-large-v3-turbo']);

export interface GpConversionStats {
  /** gp models converted, per gp provider. */
  models: Record<string, number>;
  /** gp providers not mapped to ours, with their model counts. */
  skipped_providers: Record<string, number>;
  /** Unmapped gp price keys: how many price entries carried each. */
  skipped_units: Record<string, number>;
  /** Time-of-day price entries (off-peak rates) that a date range cannot express. */
  skipped_time_of_day_entries: number;
  /** Rows dropped because nothing left in them maps to a column the table requires. */
  rows_pricing_nothing: number;
  /** gp match aliases dropped because another model of the provider already claims the name. */
  conflicting_aliases: number;
}

export interface GpConversion {
  rows: PriceRow[];
  aliases: AliasRule[];
  stats: GpConversionStats;
}

/** The bundled data of the providers we map, as gp itself serves it. */
export function bundledGpProviders(): GpProvider[] {
  return Object.keys(GP_PROVIDER_MAP).map((id) => {
    const provider = findProvider({ providerId: id });
    if (provider?.id !== id) throw new Error(`genai-prices ${GP_VERSION} has no provider '${id}'`);
    return provider;
  });
}

type Value = number | TieredPrices | undefined;

function isTiered(value: Value): value is TieredPrices {
  return typeof value === 'object' && value !== null && 'base' in value && Array.isArray(value.tiers);
}

/** The price a (possibly tiered) value has for requests whose input exceeds `threshold` (gp: strictly greater). */
function priceAbove(value: number | TieredPrices, threshold: number | null): number {
  if (!isTiered(value)) return value;
  let price = value.base;
  if (threshold === null) return price;
  for (const tier of [...value.tiers].sort((a, b) => a.start - b.start)) {
    if (tier.start <= threshold) price = tier.price;
  }
  return price;
}

/** The entry gp would use at `at`: scanning from the end, the first unconstrained or started entry wins. */
function activeEntry(entries: readonly ConditionalPrice[], at: string): ConditionalPrice {
  for (let i = entries.length - 1; i >= 0; i--) {
    const constraint = entries[i].constraint;
    if (constraint === undefined) return entries[i];
    if (constraint.type === 'start_date' && at >= startOf(constraint.start_date)) return entries[i];
  }
  return entries[0];
}

function startOf(date: string): string {
  return new Date(`${date}T00:00:00.000Z`).toISOString();
}

interface Period {
  from: string;
  until: string | null;
  prices: ModelPrice;
}

/** Date ranges over which one gp price entry is in force, adjacent equal entries joined. */
function periods(model: ModelInfo, stats: GpConversionStats): Period[] {
  const all: ConditionalPrice[] = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
  const entries = all.filter((entry) => {
    if (entry.constraint?.type === 'time_of_date') {
      stats.skipped_time_of_day_entries++;
      return false;
    }
    return true;
  });
  if (entries.length === 0) return [];
  const dated = entries.flatMap((entry) =>
    entry.constraint?.type === 'start_date' ? [startOf(entry.constraint.start_date)] : [],
  );
  const starts = [...new Set([GP_UNDATED_FROM, ...dated])].sort();
  const changes = starts
    .map((start) => ({ from: start, entry: activeEntry(entries, start) }))
    .filter((change, i, all) => i === 0 || all[i - 1].entry !== change.entry);
  return changes.map((change, i) => ({
    from: change.from,
    until: changes[i + 1]?.from ?? null,
    prices: change.entry.prices,
  }));
}

function emptyPrices(): Record<PriceField, string | null> {
  return Object.fromEntries(PRICE_FIELDS.map((field) => [field, null])) as Record<PriceField, string | null>;
}

/** One row's prices for requests above `threshold` (null = base tier), plus the gp keys that had no column. */
function mapPrices(prices: ModelPrice, threshold: number | null) {
  const mapped = emptyPrices();
  const skipped: string[] = [];
  // gp lists free models (Gemma on the Gemini API, OpenAI moderation) with no price keys; calcPrice bills
  // them $0, and an explicit zero keeps them "priced" rather than "unpriced" here too.
  if (Object.values(prices).every((value) => value === undefined)) {
    return { mapped: { ...mapped, input_usd_per_mtok: '0', output_usd_per_mtok: '0' }, skipped, free: true };
  }
  for (const [unit, field] of UNIT_TO_FIELD) {
    const value = prices[unit];
    if (value === undefined) continue;
    let text = gpDecimal(priceAbove(value, threshold), unit);
    if (PER_THOUSAND_TO_PER_ONE.has(unit)) text = scaleDecimal(text, -3);
    if (mapped[field] === null) mapped[field] = text;
    else if (mapped[field] !== text) skipped.push(`${unit}=${text}`);
  }
  for (const [unit, value] of Object.entries(prices)) {
    if (value === undefined || MAPPED_UNITS.has(unit)) continue;
    skipped.push(`${unit}=${gpDecimal(priceAbove(value, threshold), unit)}`);
  }
  return { mapped, skipped, free: false };
}

/**
 * A gp number as a decimal string. gp's YAML holds short decimals, so a long digit string can only be float
 * noise from arithmetic upstream (0.30000000000000004); refuse it rather than store a wrong price.
 */
function gpDecimal(value: number, unit: string): string {
  const text = numberToDecimalString(value);
  const significant = text.replace('.', '').replace(/^0+/, '');
  if (significant.length > 12) throw new Error(`genai-prices ${unit} = ${text} looks like float noise`);
  return text;
}

/** Distinct tier starts across all keys of one price entry. */
function tierStarts(prices: ModelPrice): number[] {
  const starts = new Set<number>();
  for (const value of Object.values(prices)) {
    if (isTiered(value)) for (const tier of value.tiers) starts.add(tier.start);
  }
  return [...starts].sort((a, b) => a - b);
}

/** Exact names a gp match rule lists (through `or`; an `and` narrows, so its names are not aliases). */
function exactNames(match: MatchLogic): string[] {
  if ('equals' in match) return [match.equals.trim().toLowerCase()];
  if ('or' in match) return match.or.flatMap(exactNames);
  return [];
}

/**
 * gp names some Anthropic entries by their moving pointer (claude-3-7-sonnet-latest). Anthropic documents
 * `-latest` as an alias of a dated snapshot, so the row is stored under the undated id, where the snapshot's
 * date-stripped name lands, and the `-latest` spelling becomes an alias.
 */
function ourModelId(gpProvider: string, model: ModelInfo, gpIds: ReadonlySet<string>): string {
  const id = model.id.trim().toLowerCase();
  if (gpProvider !== 'anthropic' || !id.endsWith('-latest')) return id;
  const undated = id.slice(0, -'-latest'.length);
  return gpIds.has(undated) ? id : undated;
}

function modelNote(
  provider: Provider,
  model: ModelInfo,
  from: string,
  mapping: { skipped: readonly string[]; free: boolean },
): string | null {
  const { skipped, free } = mapping;
  const parts: string[] = [];
  if (from === GP_UNDATED_FROM) parts.push('start unknown (gp gives none)');
  if (free) parts.push('free: gp lists no price');
  if (model.deprecated) parts.push('deprecated in gp');
  if (provider === 'vertex') parts.push("gp's google prices; the Vertex AI rate card may differ");
  if (skipped.length > 0) parts.push(`gp prices without a column: ${skipped.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

function count(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

/** Converts gp provider data (default: the bundled data) into price rows and alias rules. */
export function convertGenaiPrices(providers: readonly GpProvider[] = bundledGpProviders()): GpConversion {
  const stats: GpConversionStats = {
    models: {},
    skipped_providers: {},
    skipped_units: {},
    skipped_time_of_day_entries: 0,
    rows_pricing_nothing: 0,
    conflicting_aliases: 0,
  };
  const rows: PriceRow[] = [];
  const aliases: AliasRule[] = [];

  for (const gpProvider of providers) {
    if (!GP_PROVIDER_MAP[gpProvider.id]) {
      count(stats.skipped_providers, gpProvider.id, gpProvider.models.length);
      continue;
    }
    const gpIds = new Set(gpProvider.models.map((model) => model.id.trim().toLowerCase()));
    const claimed = new Set(gpIds);
    for (const model of gpProvider.models) {
      count(stats.models, gpProvider.id);
      const id = ourModelId(gpProvider.id, model, gpIds);
      const ours = ourProvidersFor(gpProvider.id, id);
      const checked = (model as { prices_checked?: unknown }).prices_checked;
      const checkedOn = typeof checked === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(checked) ? checked : null;

      for (const period of periods(model, stats)) {
        for (const threshold of [null, ...tierStarts(period.prices)]) {
          const mapping = mapPrices(period.prices, threshold);
          const { mapped } = mapping;
          if (threshold === null) {
            for (const unit of mapping.skipped) count(stats.skipped_units, unit.slice(0, unit.indexOf('=')));
          }
          if (GROQ_MINIMUM_SECONDS_MODELS.has(id) && gpProvider.id === 'groq')
            mapped.audio_min_seconds = '10';
          for (const provider of ours) {
            const row: PriceRow = {
              provider,
              model: id,
              service_tier: 'standard',
              min_input_tokens: threshold === null ? 0 : threshold + 1,
              effective_from: period.from,
              effective_until: period.until,
              ...mapped,
              source: GP_SOURCE,
              checked_on: checkedOn,
              note: modelNote(provider, model, period.from, mapping),
            };
            if (pricesSomething(row)) rows.push(row);
            else stats.rows_pricing_nothing++;
          }
        }
      }

      const names = new Set(exactNames(model.match));
      if (id !== model.id.trim().toLowerCase()) names.add(model.id.trim().toLowerCase());
      names.delete(id);
      for (const name of names) {
        if (claimed.has(name) && name !== model.id.trim().toLowerCase()) {
          stats.conflicting_aliases++;
          continue;
        }
        claimed.add(name);
        for (const provider of ours) {
          aliases.push({ provider, alias: name, model: id, source: GP_SOURCE, note: null });
        }
      }
    }
  }
  return { rows, aliases, stats };
}
