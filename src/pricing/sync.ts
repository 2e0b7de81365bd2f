// omni pricing sync: make model_pricing, model_aliases and cost_estimates follow the merged catalogue (ours
// plus @pydantic/genai-prices), in one transaction and a handful of bulk statements. The decisions are
// made by planSync() (sync-plan.ts); this file reads the database and writes the plan. Inserting price
// rows fires the model_pricing trigger that prices the calls that were waiting for a price.
import { type CommonQueryMethods, type DatabasePool, sql } from 'slonik';
import { z } from 'zod';
import type { AliasRule, EstimateRule } from './catalogue.ts';
import { loadCatalogue } from './catalogue.ts';
import { convertGenaiPrices } from './genai-prices.ts';
import { CANONICAL_INSTANT_FORMAT, displayInstant } from './instant.ts';
import { mergeCatalogues } from './merge.ts';
import { PRICE_FIELDS, type PriceField, type PriceRow } from './price-row.ts';
import {
  type ExistingPrice,
  type PlannedClose,
  type PlannedOpen,
  planSync,
  pricesOf,
  type SyncConflict,
} from './sync-plan.ts';
import { planAliases, planEstimates, type StoredAlias, type StoredEstimate } from './sync-rules.ts';

/** What a sync reconciles against: price rows, alias rules and estimate rules. */
export interface DesiredPrices {
  rows: readonly PriceRow[];
  aliases: readonly AliasRule[];
  estimates: readonly EstimateRule[];
}

export interface SyncOptions {
  /** Compute and report the changes, write nothing. */
  dryRun?: boolean;
  /** Defaults to the repository catalogue merged with genai-prices (loadDesiredPrices()). */
  catalogue?: DesiredPrices;
}

export interface SyncChange {
  action: 'open' | 'close';
  /** null for a row a dry run would open. */
  pricing_id: number | null;
  provider: string;
  model: string;
  service_tier: string;
  min_input_tokens: number;
  effective_from: string;
  /** For a close: the new end. */
  effective_until: string | null;
  /** For a close: the end before the sync (null = was open). Always null for an open. */
  previous_until: string | null;
  /** The row's prices (non-NULL columns), decimal strings. */
  prices: Partial<Record<PriceField, string>>;
  source: string | null;
  reason: string;
}

export interface RuleCounts {
  added: number;
  updated: number;
  unchanged: number;
}

export interface SyncResult {
  dry_run: boolean;
  opened: number;
  closed: number;
  unchanged: number;
  aliases: RuleCounts;
  estimates: RuleCounts;
  changes: SyncChange[];
  conflicts: SyncConflict[];
}

/** Our catalogue merged with genai-prices: what sync makes the database hold. */
export function loadDesiredPrices(): DesiredPrices {
  return mergeCatalogues(loadCatalogue(), convertGenaiPrices());
}

const priceColumns = (alias: string) =>
  sql.join(
    PRICE_FIELDS.map((field) => sql.identifier([alias, field])),
    sql.fragment`, `,
  );
const priceColumnNames = sql.join(
  PRICE_FIELDS.map((field) => sql.identifier([field])),
  sql.fragment`, `,
);
const priceColumnTypes = sql.join(
  PRICE_FIELDS.map((field) => sql.fragment`${sql.identifier([field])} numeric`),
  sql.fragment`, `,
);

const existingSchema = z.object({
  pricing_id: z.number(),
  provider: z.string(),
  model: z.string(),
  service_tier: z.string(),
  min_input_tokens: z.number(),
  effective_from: z.string(),
  effective_until: z.string().nullable(),
  managed: z.boolean(),
  ...(Object.fromEntries(PRICE_FIELDS.map((field) => [field, z.string().nullable()])) as Record<
    PriceField,
    z.ZodNullable<z.ZodString>
  >),
});

async function readExisting(tx: CommonQueryMethods): Promise<ExistingPrice[]> {
  const rows = await tx.any(sql.type(existingSchema)`
    SELECT p.pricing_id, p.provider, p.model, p.service_tier, p.min_input_tokens,
           to_char(lower(p.effective) AT TIME ZONE 'UTC', ${CANONICAL_INSTANT_FORMAT}) AS effective_from,
           to_char(upper(p.effective) AT TIME ZONE 'UTC', ${CANONICAL_INSTANT_FORMAT}) AS effective_until,
           ${priceColumns('p')},
           p.pricing_id IN (SELECT c.pricing_id FROM omni_costs.price_changes c
                             WHERE c.action = 'sync_open' AND c.pricing_id IS NOT NULL) AS managed
      FROM omni_costs.model_pricing p`);
  return rows as unknown as ExistingPrice[];
}

const aliasSchema = z.object({
  provider: z.string(),
  alias: z.string(),
  model: z.string(),
  source: z.string(),
  note: z.string().nullable(),
});
const estimateSchema = z.object({
  operation: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  input_tokens: z.number().nullable(),
  input_audio_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  audio_seconds: z.string().nullable(),
  usd_per_call: z.string().nullable(),
  note: z.string(),
  source: z.string(),
});

function rangeJson(from: string, until: string | null) {
  return {
    effective_from: displayInstant(from),
    effective_until: until === null ? null : displayInstant(until),
  };
}

async function writeCloses(tx: CommonQueryMethods, closes: readonly PlannedClose[]): Promise<void> {
  if (closes.length === 0) return;
  const input = closes.map((close) => ({
    pricing_id: close.pricing_id,
    effective_until: close.new_until,
    reason: close.reason,
    detail: {
      service_tier: close.service_tier,
      min_input_tokens: close.min_input_tokens,
      old: rangeJson(close.effective_from, close.old_until),
      new: rangeJson(close.effective_from, close.new_until),
    },
  }));
  await tx.query(sql.unsafe`
    WITH c AS (
      SELECT * FROM jsonb_to_recordset(${sql.jsonb(input)})
          AS c(pricing_id bigint, effective_until timestamptz, reason text, detail jsonb)
    ), closed AS (
      UPDATE omni_costs.model_pricing p SET effective = tstzrange(lower(p.effective), c.effective_until, '[)')
        FROM c WHERE p.pricing_id = c.pricing_id
      RETURNING p.pricing_id, p.provider, p.model
    )
    INSERT INTO omni_costs.price_changes (action, pricing_id, provider, model, reason, detail)
    SELECT 'sync_close', closed.pricing_id, closed.provider, closed.model, c.reason, c.detail
      FROM closed JOIN c USING (pricing_id)`);
}

/** Inserts the rows to open; returns their pricing_ids in plan order. */
async function writeOpens(tx: CommonQueryMethods, opens: readonly PlannedOpen[]): Promise<number[]> {
  if (opens.length === 0) return [];
  const input = opens.map((open, ord) => {
    const prices = Object.fromEntries(PRICE_FIELDS.map((field) => [field, open.row[field]]));
    return {
      ord,
      provider: open.row.provider,
      model: open.row.model,
      service_tier: open.row.service_tier,
      min_input_tokens: open.row.min_input_tokens,
      effective_from: open.effective_from,
      effective_until: open.effective_until,
      ...prices,
      audio_min_seconds: open.row.audio_min_seconds ?? '0',
      source: open.row.source,
      checked_on: open.row.checked_on,
      note: open.row.note,
      reason: open.reason,
      detail: {
        service_tier: open.row.service_tier,
        min_input_tokens: open.row.min_input_tokens,
        old: open.replaces && {
          pricing_id: open.replaces.pricing_id,
          ...rangeJson(open.replaces.effective_from, open.replaces.new_until),
          prices: open.replaces.prices,
        },
        new: {
          ...rangeJson(open.effective_from, open.effective_until),
          prices: pricesOf(open.row),
          source: open.row.source,
          checked_on: open.row.checked_on,
        },
      },
    };
  });
  const rows = await tx.any(sql.type(z.object({ ord: z.number(), pricing_id: z.number() }))`
    WITH o AS (
      SELECT * FROM jsonb_to_recordset(${sql.jsonb(input)})
          AS o(ord integer, provider text, model text, service_tier text, min_input_tokens integer,
               effective_from timestamptz, effective_until timestamptz, ${priceColumnTypes},
               source text, checked_on date, note text, reason text, detail jsonb)
    ), inserted AS (
      INSERT INTO omni_costs.model_pricing (provider, model, service_tier, min_input_tokens, effective,
        ${priceColumnNames}, source, checked_on, note)
      SELECT o.provider, o.model, o.service_tier, o.min_input_tokens, tstzrange(o.effective_from, o.effective_until, '[)'),
             ${priceColumns('o')}, o.source, o.checked_on, o.note
        FROM o ORDER BY o.ord
      RETURNING pricing_id, provider, model, service_tier, min_input_tokens, lower(effective) AS effective_from
    ), audit AS (
      INSERT INTO omni_costs.price_changes (action, pricing_id, provider, model, reason, detail)
      SELECT 'sync_open', i.pricing_id, i.provider, i.model, o.reason, o.detail
        FROM inserted i JOIN o USING (provider, model, service_tier, min_input_tokens, effective_from)
    )
    SELECT o.ord, i.pricing_id
      FROM inserted i JOIN o USING (provider, model, service_tier, min_input_tokens, effective_from)`);
  const ids: number[] = [];
  for (const row of rows) ids[row.ord] = row.pricing_id;
  return ids;
}

async function writeAliases(tx: CommonQueryMethods, rules: readonly StoredAlias[]): Promise<void> {
  if (rules.length === 0) return;
  await tx.query(sql.unsafe`
    INSERT INTO omni_costs.model_aliases AS a (provider, alias, model, source, note)
    SELECT x.provider, x.alias, x.model, x.source, x.note
      FROM jsonb_to_recordset(${sql.jsonb(rules as never)}) AS x(provider text, alias text, model text, source text, note text)
    ON CONFLICT (provider, alias) DO UPDATE SET model = excluded.model, source = excluded.source, note = excluded.note`);
}

async function writeEstimates(tx: CommonQueryMethods, rules: readonly StoredEstimate[]): Promise<void> {
  if (rules.length === 0) return;
  await tx.query(sql.unsafe`
    INSERT INTO omni_costs.cost_estimates AS e (operation, provider, model, input_tokens, input_audio_tokens, output_tokens,
      audio_seconds, usd_per_call, note, source)
    SELECT x.operation, x.provider, x.model, x.input_tokens, x.input_audio_tokens, x.output_tokens, x.audio_seconds,
           x.usd_per_call, x.note, x.source
      FROM jsonb_to_recordset(${sql.jsonb(rules as never)})
        AS x(operation text, provider text, model text, input_tokens integer, input_audio_tokens integer, output_tokens integer,
             audio_seconds numeric, usd_per_call numeric, note text, source text)
    ON CONFLICT ON CONSTRAINT estimate_rule_is_unique DO UPDATE
       SET input_tokens = excluded.input_tokens, input_audio_tokens = excluded.input_audio_tokens,
           output_tokens = excluded.output_tokens,
           audio_seconds = excluded.audio_seconds, usd_per_call = excluded.usd_per_call,
           note = excluded.note, source = excluded.source`);
}

function describeChanges(
  closes: readonly PlannedClose[],
  opens: readonly PlannedOpen[],
  ids: number[],
): SyncChange[] {
  const changes: SyncChange[] = [
    ...closes.map(
      (close): SyncChange => ({
        action: 'close',
        pricing_id: close.pricing_id,
        provider: close.provider,
        model: close.model,
        service_tier: close.service_tier,
        min_input_tokens: close.min_input_tokens,
        ...rangeJson(close.effective_from, close.new_until),
        previous_until: close.old_until === null ? null : displayInstant(close.old_until),
        prices: close.prices,
        source: null,
        reason: close.reason,
      }),
    ),
    ...opens.map(
      (open, i): SyncChange => ({
        action: 'open',
        pricing_id: ids[i] ?? null,
        provider: open.row.provider,
        model: open.row.model,
        service_tier: open.row.service_tier,
        min_input_tokens: open.row.min_input_tokens,
        ...rangeJson(open.effective_from, open.effective_until),
        previous_until: null,
        prices: pricesOf(open.row),
        source: open.row.source,
        reason: open.reason,
      }),
    ),
  ];
  const order = (c: SyncChange) =>
    [
      c.provider,
      c.model,
      c.service_tier,
      String(c.min_input_tokens).padStart(10, '0'),
      c.effective_from,
      c.action,
    ].join('\u0000');
  return changes.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/**
 * Reconciles the price registry with the catalogue in one transaction. Identical rows are left alone, so a
 * second run changes nothing; a changed price closes the old range at the change and opens a new one; no
 * price is edited and no row deleted. Every open and close is written to price_changes (sync_open,
 * sync_close). Alias and estimate rules are upserted.
 */
export async function syncPrices(db: DatabasePool, options: SyncOptions = {}): Promise<SyncResult> {
  const desired = options.catalogue ?? loadDesiredPrices();
  const dryRun = options.dryRun ?? false;
  return db.transaction(async (tx) => {
    // Serialises syncs and price changes, and lets nothing change between reading and writing.
    await tx.query(sql.unsafe`LOCK TABLE omni_costs.model_pricing IN SHARE ROW EXCLUSIVE MODE`);
    const now = await tx.oneFirst(
      sql.type(
        z.object({ now: z.string() }),
      )`SELECT to_char(now() AT TIME ZONE 'UTC', ${CANONICAL_INSTANT_FORMAT}) AS now`,
    );
    const plan = planSync(desired.rows, await readExisting(tx), now);
    const aliases = planAliases(
      desired.aliases,
      await tx.any(
        sql.type(aliasSchema)`SELECT provider, alias, model, source, note FROM omni_costs.model_aliases`,
      ),
    );
    const estimates = planEstimates(
      desired.estimates,
      await tx.any(sql.type(estimateSchema)`
        SELECT operation, provider, model, input_tokens, input_audio_tokens, output_tokens, audio_seconds, usd_per_call,
               note, source
          FROM omni_costs.cost_estimates`),
    );

    let ids: number[] = [];
    if (!dryRun) {
      await writeCloses(tx, plan.closes);
      ids = await writeOpens(tx, plan.opens);
      await writeAliases(tx, [...aliases.added, ...aliases.updated]);
      await writeEstimates(tx, [...estimates.added, ...estimates.updated]);
    }
    return {
      dry_run: dryRun,
      opened: plan.opens.length,
      closed: plan.closes.length,
      unchanged: plan.unchanged,
      aliases: { added: aliases.added.length, updated: aliases.updated.length, unchanged: aliases.unchanged },
      estimates: {
        added: estimates.added.length,
        updated: estimates.updated.length,
        unchanged: estimates.unchanged,
      },
      changes: describeChanges(plan.closes, plan.opens, ids),
      conflicts: plan.conflicts.map((conflict) => ({
        ...conflict,
        ...rangeJson(conflict.effective_from, conflict.effective_until),
      })),
    };
  });
}
