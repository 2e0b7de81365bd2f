// Which alias and estimate rules a sync must insert or update (upserts keyed as the tables' unique
// constraints). Rules the catalogue no longer lists are kept: usage rows may have been priced with them.
import type { AliasRule, EstimateRule } from './catalogue.ts';
import { numberToDecimalString } from './decimal.ts';
import { sameDecimal } from './instant.ts';

export interface StoredAlias {
  provider: string;
  alias: string;
  model: string;
  source: string;
  note: string | null;
}

/** A row of cost_estimates; numbers as the table holds them (decimals as strings). */
export interface StoredEstimate {
  operation: string;
  provider: string | null;
  model: string | null;
  input_tokens: number | null;
  input_audio_tokens: number | null;
  output_tokens: number | null;
  audio_seconds: string | null;
  usd_per_call: string | null;
  note: string;
  source: string;
}

export interface RuleChanges<T> {
  added: T[];
  updated: T[];
  unchanged: number;
}

export function planAliases(
  desired: readonly AliasRule[],
  stored: readonly StoredAlias[],
): RuleChanges<StoredAlias> {
  const byKey = new Map(stored.map((rule) => [`${rule.provider}\u0000${rule.alias}`, rule]));
  const changes: RuleChanges<StoredAlias> = { added: [], updated: [], unchanged: 0 };
  for (const rule of desired) {
    const wanted: StoredAlias = {
      provider: rule.provider,
      alias: rule.alias,
      model: rule.model,
      source: rule.source,
      note: rule.note,
    };
    const found = byKey.get(`${rule.provider}\u0000${rule.alias}`);
    if (!found) changes.added.push(wanted);
    else if (found.model !== wanted.model || found.source !== wanted.source || found.note !== wanted.note)
      changes.updated.push(wanted);
    else changes.unchanged++;
  }
  return changes;
}

export function toStoredEstimate(rule: EstimateRule): StoredEstimate {
  return {
    operation: rule.operation,
    provider: rule.provider,
    model: rule.model,
    input_tokens: rule.input_tokens,
    input_audio_tokens: rule.input_audio_tokens,
    output_tokens: rule.output_tokens,
    audio_seconds: rule.audio_seconds === null ? null : numberToDecimalString(rule.audio_seconds),
    usd_per_call: rule.usd_per_call,
    note: rule.note,
    source: 'catalogue',
  };
}

const estimateKey = (rule: { operation: string; provider: string | null; model: string | null }) =>
  `${rule.operation}\u0000${rule.provider ?? ''}\u0000${rule.model ?? ''}`;

export function planEstimates(
  desired: readonly EstimateRule[],
  stored: readonly StoredEstimate[],
): RuleChanges<StoredEstimate> {
  const byKey = new Map(stored.map((rule) => [estimateKey(rule), rule]));
  const changes: RuleChanges<StoredEstimate> = { added: [], updated: [], unchanged: 0 };
  for (const rule of desired) {
    const wanted = toStoredEstimate(rule);
    const found = byKey.get(estimateKey(wanted));
    if (!found) changes.added.push(wanted);
    else if (
      found.input_tokens !== wanted.input_tokens ||
      found.input_audio_tokens !== wanted.input_audio_tokens ||
      found.output_tokens !== wanted.output_tokens ||
      !sameDecimal(found.audio_seconds, wanted.audio_seconds) ||
      !sameDecimal(found.usd_per_call, wanted.usd_per_call) ||
      found.note !== wanted.note ||
      found.source !== wanted.source
    )
      changes.updated.push(wanted);
    else changes.unchanged++;
  }
  return changes;
}
