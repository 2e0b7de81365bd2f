// batchEstimate(): a pre-run estimate of a batch. From our own history when the instance has run this
// operation before (median cost per item at today's prices, p10–p90 as the range); otherwise from list
// prices and stated assumptions. All money arithmetic is done by PostgreSQL.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { InvalidInputError } from '../db/errors.ts';
import {
  DEFAULT_MODELS,
  type ItemUsage,
  operationFor,
  providerOfModel,
  TYPICAL_ITEM_USAGE,
} from './estimate-assumptions.ts';
import { estimateHistory, HISTORY_DAYS, HISTORY_ITEMS, type History } from './estimate-history.ts';
import { estimateRule, type ListPrice, listPriceOfItem } from './estimate-list-price.ts';

export interface EstimateInput {
  instanceId: string;
  jobType: string;
  items: number;
  operation?: string;
  provider?: string;
  model?: string;
  /** Total minutes of audio in the batch, as a decimal string. */
  audioMinutes?: string;
}

export interface Range {
  low: string | null;
  mid: string | null;
  high: string | null;
}

export interface BatchEstimate {
  instance_id: string;
  job_type: string;
  operation: string;
  items: number;
  provider: string;
  model: string;
  basis: 'history' | 'list_price';
  per_item_usd: Range;
  total_usd: Range;
  history: (History & { window_days: number; max_items: number }) | null;
  price: ListPrice['price'];
  assumptions: string[];
  warnings: string[];
}

const rangeSchema = z.object({
  low: z.string().nullable(),
  mid: z.string().nullable(),
  high: z.string().nullable(),
});

async function times(db: CommonQueryMethods, r: Range, items: number): Promise<Range> {
  return db.one(sql.type(rangeSchema)`
    SELECT trim_scale(${r.low}::numeric * ${items}::int) AS low, trim_scale(${r.mid}::numeric * ${items}::int) AS mid,
           trim_scale(${r.high}::numeric * ${items}::int) AS high`);
}

async function perItemAudioSeconds(db: CommonQueryMethods, minutes: string, items: number): Promise<string> {
  return db.oneFirst(sql.type(z.object({ s: z.string() }))`
    SELECT trim_scale(round(${minutes}::numeric * 60 / ${items}::int, 3)) AS s`);
}

export async function batchEstimate(db: CommonQueryMethods, input: EstimateInput): Promise<BatchEstimate> {
  if (!Number.isInteger(input.items) || input.items < 1) {
    throw new InvalidInputError('--items', 'must be a whole number >= 1');
  }
  if (input.audioMinutes !== undefined && !/^\d+(\.\d+)?$/.test(input.audioMinutes)) {
    throw new InvalidInputError(
      '--audio-minutes',
      `must be a number of minutes >= 0 (got "${input.audioMinutes}")`,
    );
  }
  const operation = operationFor(input.jobType, input.operation);
  const assumptions: string[] = [];
  const warnings: string[] = [];

  const history = await estimateHistory(db, {
    instanceId: input.instanceId,
    operation,
    provider: input.provider ?? null,
    model: input.model ?? null,
  });
  const useHistory = history.items > 0 && history.median_usd !== null && input.audioMinutes === undefined;

  let provider = input.provider ?? (input.model ? providerOfModel(input.model) : null) ?? history.provider;
  let model = input.model ?? history.model;
  if (!model) {
    ({ provider, model } = DEFAULT_MODELS[operation]);
    assumptions.push(`model: ${provider}/${model} (no --model given and no history for ${operation})`);
  }
  if (!provider)
    throw new InvalidInputError(
      '--provider',
      `cannot tell the provider of model "${model}"; give --provider`,
    );

  if (useHistory) {
    if (history.unpriced_items > 0) {
      warnings.push(`${history.unpriced_items} past items have no price today and are left out of the range`);
    }
    const perItem = { low: history.low_usd, mid: history.median_usd, high: history.high_usd };
    return {
      instance_id: input.instanceId,
      job_type: input.jobType,
      operation,
      items: input.items,
      provider,
      model,
      basis: 'history',
      per_item_usd: perItem,
      total_usd: await times(db, perItem, input.items),
      history: { ...history, window_days: HISTORY_DAYS, max_items: HISTORY_ITEMS },
      price: null,
      assumptions,
      warnings,
    };
  }

  // List price: the registry's fallback rule for the usage if it has one, else typical usage; --audio-minutes
  // replaces the audio length.
  let usage: ItemUsage = { ...TYPICAL_ITEM_USAGE[operation] };
  const rule = await estimateRule(db, operation, provider, model);
  if (rule && (rule.input_tokens !== null || rule.output_tokens !== null || rule.audio_seconds !== null)) {
    usage = {
      ...usage,
      input_tokens: rule.input_tokens ?? usage.input_tokens,
      output_tokens: rule.output_tokens ?? usage.output_tokens,
      audio_seconds: rule.audio_seconds ?? usage.audio_seconds,
      why: `registry estimate rule ${rule.estimate_id}: ${rule.note}`,
    };
  }
  if (input.audioMinutes !== undefined) {
    usage.audio_seconds = await perItemAudioSeconds(db, input.audioMinutes, input.items);
    usage.why =
      `${input.audioMinutes} audio minutes over ${input.items} items (${usage.audio_seconds} s each); where billed by ` +
      `token, ${usage.input_tokens} tokens in and ${usage.output_tokens} out`;
  }
  assumptions.push(
    history.items > 0 && input.audioMinutes !== undefined
      ? 'basis: list price with your --audio-minutes (history ignored: it does not know this batch’s audio length)'
      : `basis: list price (no history of ${operation} on this instance in the last ${HISTORY_DAYS} days)`,
    `usage per item: ${usage.why}`,
  );
  const priced = await listPriceOfItem(db, { operation, provider, model, usage });
  if (priced.cost_status === 'unpriced') {
    warnings.push(
      `no price for ${provider}/${model}: the estimate is unknown. Add one with omni pricing sync or omni pricing set`,
    );
  } else if (priced.cost_status === 'estimated' && priced.cost_note) {
    warnings.push(`the price itself is an estimate: ${priced.cost_note}`);
  }
  const perItem = { low: priced.per_item_usd, mid: priced.per_item_usd, high: priced.per_item_usd };
  return {
    instance_id: input.instanceId,
    job_type: input.jobType,
    operation,
    items: input.items,
    provider,
    model,
    basis: 'list_price',
    per_item_usd: perItem,
    total_usd: await times(db, perItem, input.items),
    history: null,
    price: priced.price,
    assumptions,
    warnings,
  };
}
