// Shared building blocks for the provider extractors: the error type, zod validators for the raw
// provider numbers, and the three record templates (success, unknown usage, error).
import { z } from 'zod';
import { type CapturedUsage, MAX_COUNT, type UsageRecord, usageRecordSchema } from '../usage.ts';

/** A body that cannot be turned into a usage record. `path` names the offending field ('' = the whole input). */
export class CaptureError extends Error {
  readonly path: string;
  constructor(message: string, path = '') {
    super(message);
    this.name = 'CaptureError';
    this.path = path;
  }
}

export type Obj = Record<string, unknown>;

/** What a provider extractor returns; extract.ts adds provider and api. */
export type Extracted = Omit<CapturedUsage, 'provider' | 'api'>;

export function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A short, safe rendering of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function numberMessage(v: unknown, max: number): string {
  if (v === undefined) return 'is missing';
  if (typeof v !== 'number') return `must be a number, got ${describe(v)}`;
  if (Number.isNaN(v)) return 'must be a number, got NaN';
  if (!Number.isFinite(v)) return `must be finite, got ${v}`;
  if (v < 0) return `cannot be negative (${v})`;
  if (!Number.isInteger(v)) return `must be a whole number (${v})`;
  return `must be <= ${max} (${v})`;
}

/** A token or request count as a provider reports it. */
export const count = z
  .number({ error: (iss) => numberMessage(iss.input, MAX_COUNT) })
  .int()
  .min(0)
  .max(MAX_COUNT);

/** A duration in seconds (may be fractional, e.g. Groq verbose_json `duration`). */
export const seconds = z
  .number({ error: (iss) => numberMessage(iss.input, 1e9) })
  .min(0)
  .max(1e9);

/** An object that keeps unknown keys (providers add fields all the time) but types the ones we read. */
export function obj<S extends z.ZodRawShape>(shape: S) {
  return z.looseObject(shape, {
    error: (iss) =>
      iss.input === undefined ? 'is missing' : `must be an object, got ${describe(iss.input)}`,
  });
}

/** An object of optional counts, e.g. `prompt_tokens_details`. */
export function counts<K extends string>(keys: readonly K[]) {
  const shape = Object.fromEntries(keys.map((k) => [k, count.nullish()]));
  return obj(shape as Record<K, ReturnType<typeof count.nullish>>);
}

function joinPath(base: string, parts: ReadonlyArray<PropertyKey>): string {
  let out = base;
  for (const p of parts) {
    out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** Parses `value` (found at `path` in the input) or throws a CaptureError naming the first bad field. */
export function parseAt<T extends z.ZodType>(schema: T, value: unknown, path: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = joinPath(path, issue.path);
  throw new CaptureError(`${where || 'input'} ${issue.message}`, where);
}

/** Throws when a part is larger than the total it belongs to (an impossible body). */
export function assertSubset(
  partPath: string,
  part: number | null | undefined,
  wholePath: string,
  whole: number,
  errorPath = partPath,
): void {
  if (part != null && part > whole) {
    throw new CaptureError(`${partPath} (${part}) cannot exceed ${wholePath} (${whole})`, errorPath);
  }
}

/** Checks each listed detail against the total it is part of, naming both raw paths. */
export function assertDetails(
  path: string,
  details: Record<string, unknown> | null | undefined,
  detailsKey: string,
  keys: readonly string[],
  wholeKey: string,
  whole: number,
): void {
  for (const k of keys) {
    const v = details?.[k];
    if (typeof v === 'number') assertSubset(`${path}.${detailsKey}.${k}`, v, `${path}.${wholeKey}`, whole);
  }
}

/** The last stream event with a non-null value from `get`, and its path (`[i].rel`). */
export function lastWith(events: readonly unknown[], get: (e: Obj) => unknown, rel: string) {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    const v = isObject(e) ? get(e) : null;
    if (v != null) return { raw: v, path: `[${i}].${rel}` };
  }
  return null;
}

/** The first non-empty string `get` finds in a stream (e.g. the model, echoed on every chunk). */
export function firstString(events: readonly unknown[], get: (e: Obj) => unknown): string | null {
  for (const e of events) {
    const v = isObject(e) ? str(get(e)) : null;
    if (v) return v;
  }
  return null;
}

/** A successful call with every §0 key at 0; extractors overwrite what the body reports. */
export function zeroRecord(): UsageRecord {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    input_audio_tokens: 0,
    output_audio_tokens: 0,
    input_image_tokens: 0,
    audio_seconds: 0,
    requests: 1,
  };
}

/**
 * A billed token call whose body carried no usage (e.g. a stream without include_usage): tokens are
 * unknown (null, never 0) but the call is not duration-billed, so audio_seconds is a real 0.
 */
export function unknownTokensRecord(): UsageRecord {
  return {
    input_tokens: null,
    output_tokens: null,
    cached_input_tokens: null,
    cache_write_tokens: null,
    reasoning_tokens: null,
    input_audio_tokens: null,
    output_audio_tokens: null,
    input_image_tokens: null,
    audio_seconds: 0,
    requests: 1,
  };
}

/** Error bodies are not billed by any of the four providers. */
export function errorRecord(): UsageRecord {
  return { ...zeroRecord(), requests: 0 };
}

/** Final guard: the record must satisfy the shared schema whatever the extractor did. */
export function checkRecord(record: UsageRecord): UsageRecord {
  const r = usageRecordSchema.safeParse(record);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = `usage.${issue.path.map(String).join('.')}`;
  throw new CaptureError(`normalized ${where}: ${issue.message}`, where);
}

export function str(x: unknown): string | null {
  return typeof x === 'string' && x !== '' ? x : null;
}

/** Sum of a list of optional numbers; null when none is present. */
export function sumPresent(values: ReadonlyArray<number | null | undefined>): number | null {
  let total: number | null = null;
  for (const v of values) if (v != null) total = (total ?? 0) + v;
  return total;
}
