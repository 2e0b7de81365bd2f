// Loads and checks catalogue.yaml. Every problem is reported at once, each naming the row and the field,
// because a price file is edited by hand and one round trip per typo is slow.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { OPERATIONS, type Operation, PROVIDERS, type Provider } from '../usage.ts';
import { DECIMAL_PATTERN } from './decimal.ts';
import {
  findOverlaps,
  PRICE_FIELDS,
  type PriceField,
  type PriceRow,
  pricesSomething,
  SERVICE_TIERS,
} from './price-row.ts';

export const DEFAULT_CATALOGUE_PATH = fileURLToPath(new URL('./catalogue.yaml', import.meta.url));

export interface AliasRule {
  provider: Provider;
  alias: string;
  model: string;
  /** 'catalogue' for ours; 'genai-prices <version>' for rules taken from gp's match lists. */
  source: string;
  note: string | null;
}

export interface EstimateRule {
  operation: Operation;
  provider: Provider | null;
  model: string | null;
  input_tokens: number | null;
  /** The audio part of input_tokens. */
  input_audio_tokens: number | null;
  output_tokens: number | null;
  audio_seconds: number | null;
  usd_per_call: string | null;
  note: string;
}

export interface Catalogue {
  rows: PriceRow[];
  aliases: AliasRule[];
  estimates: EstimateRule[];
}

export class CatalogueError extends Error {
  readonly issues: readonly string[];
  constructor(where: string, issues: readonly string[]) {
    super(`${where}: ${issues.length} problem(s) in the price catalogue:\n- ${issues.join('\n- ')}`);
    this.name = 'CatalogueError';
    this.issues = issues;
  }
}

const shown = (input: unknown): string =>
  input === undefined ? 'nothing' : `${typeof input} ${JSON.stringify(input)}`;

const required = (what: string) => (iss: { input: unknown }) =>
  iss.input === undefined ? 'is required' : `must be ${what} (got ${shown(iss.input)})`;

const oneOf = (values: readonly string[]) =>
  required(`one of: ${values.join(', ')}`) as (iss: { input: unknown }) => string;

const decimal = z
  .string({ error: required("a QUOTED decimal string such as '0.30', so it never passes through a float") })
  .regex(DECIMAL_PATTERN, {
    error: (iss) => `must be a plain non-negative decimal such as '0.30' (got ${JSON.stringify(iss.input)})`,
  });

// Lower case, no blanks: ids are matched case-insensitively, so a mixed-case id would never be found.
const modelId = z.string({ error: required('a model id string') }).regex(/^[a-z0-9][a-z0-9._:/@-]*$/, {
  error: (iss) =>
    `must be a lower-case model id without blanks (letters, digits, . _ : / @ -) (got ${JSON.stringify(iss.input)})`,
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** 'YYYY-MM-DD' (00:00 UTC) or a date-time WITH an offset -> ISO UTC; null when invalid. */
export function toIsoInstant(value: string): string | null {
  if (DATE.test(value)) {
    const date = new Date(`${value}T00:00:00.000Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) ? date.toISOString() : null;
  }
  if (!DATE_TIME.test(value)) return null;
  const date = new Date(value);
  const calendarDay = value.slice(0, 10);
  // Reject impossible days such as 2025-02-30 that Date would silently roll over.
  const check = new Date(`${calendarDay}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || !check.toISOString().startsWith(calendarDay)
    ? null
    : date.toISOString();
}

const instant = z
  .string({ error: required("a quoted date 'YYYY-MM-DD' or a date-time with an offset") })
  .transform((value, ctx) => {
    const iso = toIsoInstant(value);
    if (iso === null) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a date 'YYYY-MM-DD' (00:00 UTC) or a date-time with Z or an offset (got ${JSON.stringify(value)})`,
      });
      return z.NEVER;
    }
    return iso;
  });

const day = z
  .string({ error: required("a quoted date 'YYYY-MM-DD'") })
  .refine((value) => DATE.test(value) && toIsoInstant(value) !== null, {
    error: (iss) => `must be a date 'YYYY-MM-DD' (got ${JSON.stringify(iss.input)})`,
  });

const text = z.string({ error: required('a string') }).min(1, { error: 'must not be empty' });
const count = z
  .number({ error: required('a whole number') })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must be >= 0' });

const priceShape = Object.fromEntries(PRICE_FIELDS.map((field) => [field, decimal.optional()])) as {
  [K in PriceField]: z.ZodOptional<typeof decimal>;
};

const rowSchema = z
  .strictObject({
    provider: z.enum(PROVIDERS, { error: oneOf(PROVIDERS) }),
    model: modelId,
    service_tier: z.enum(SERVICE_TIERS, { error: oneOf(SERVICE_TIERS) }).default('standard'),
    min_input_tokens: count.default(0),
    from: instant,
    until: instant.optional(),
    ...priceShape,
    source: text,
    checked_on: day,
    note: text.optional(),
  })
  .superRefine((row, ctx) => {
    if (row.until !== undefined && row.until <= row.from) {
      ctx.addIssue({
        code: 'custom',
        path: ['until'],
        message: `must be after from (${row.from}), got ${row.until}`,
      });
    }
  })
  .transform((row): PriceRow => {
    const prices = Object.fromEntries(PRICE_FIELDS.map((field) => [field, row[field] ?? null])) as Record<
      PriceField,
      string | null
    >;
    return {
      provider: row.provider,
      model: row.model,
      service_tier: row.service_tier,
      min_input_tokens: row.min_input_tokens,
      effective_from: row.from,
      effective_until: row.until ?? null,
      ...prices,
      source: row.source,
      checked_on: row.checked_on,
      note: row.note ?? null,
    };
  });

const aliasSchema = z
  .strictObject({
    provider: z.enum(PROVIDERS, { error: oneOf(PROVIDERS) }),
    alias: modelId,
    model: modelId,
    note: text.optional(),
  })
  .transform(
    (rule): AliasRule => ({ ...rule, source: 'catalogue', note: rule.note ?? null }) satisfies AliasRule,
  );

const estimateSchema = z
  .strictObject({
    operation: z.enum(OPERATIONS, { error: oneOf(OPERATIONS) }),
    provider: z.enum(PROVIDERS, { error: oneOf(PROVIDERS) }).optional(),
    model: modelId.optional(),
    input_tokens: count.optional(),
    input_audio_tokens: count.optional(),
    output_tokens: count.optional(),
    audio_seconds: z
      .number({ error: required('a number of seconds') })
      .finite()
      .min(0, { error: 'must be >= 0' })
      .optional(),
    usd_per_call: decimal.optional(),
    note: text,
  })
  .superRefine((rule, ctx) => {
    if (rule.model !== undefined && rule.provider === undefined) {
      ctx.addIssue({ code: 'custom', path: ['provider'], message: 'is required when model is given' });
    }
    const estimates = [rule.input_tokens, rule.output_tokens, rule.audio_seconds, rule.usd_per_call];
    if (estimates.every((value) => value === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'must give at least one of input_tokens, output_tokens, audio_seconds, usd_per_call',
      });
    }
    if ((rule.input_audio_tokens ?? 0) > (rule.input_tokens ?? 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['input_audio_tokens'],
        message: 'is part of input_tokens and cannot exceed it',
      });
    }
  })
  .transform(
    (rule): EstimateRule => ({
      operation: rule.operation,
      provider: rule.provider ?? null,
      model: rule.model ?? null,
      input_tokens: rule.input_tokens ?? null,
      input_audio_tokens: rule.input_audio_tokens ?? null,
      output_tokens: rule.output_tokens ?? null,
      audio_seconds: rule.audio_seconds ?? null,
      usd_per_call: rule.usd_per_call ?? null,
      note: rule.note,
    }),
  );

const fileSchema = z.strictObject(
  {
    prices: z.array(rowSchema, { error: required('a list of price rows') }),
    aliases: z.array(aliasSchema, { error: required('a list of alias rules') }).default([]),
    estimates: z.array(estimateSchema, { error: required('a list of estimate rules') }).default([]),
  },
  { error: required('a mapping with the keys prices, aliases and estimates') },
);

/** 'prices[3] (openai/gpt-4o from 2024-10-02)': the index plus what a reader needs to find the row. */
function describeEntry(raw: unknown, section: string, index: number): string {
  const entry = (
    Array.isArray((raw as Record<string, unknown>)?.[section])
      ? ((raw as Record<string, unknown[]>)[section][index] ?? {})
      : {}
  ) as Record<string, unknown>;
  const parts = [entry.provider, entry.alias ?? entry.model ?? entry.operation].filter(
    (part) => typeof part === 'string',
  );
  const from = typeof entry.from === 'string' ? ` from ${entry.from}` : '';
  return parts.length > 0 ? `${section}[${index}] (${parts.join('/')}${from})` : `${section}[${index}]`;
}

function formatIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const [section, index, ...rest] = issue.path;
  const where =
    typeof section === 'string' && typeof index === 'number'
      ? describeEntry(raw, section, index)
      : issue.path.length > 0
        ? String(section)
        : 'catalogue';
  const field = rest.length > 0 ? ` ${rest.join('.')}` : '';
  if (issue.code === 'unrecognized_keys') {
    const hint = section === 'prices' ? ' (misspelt column name?)' : '';
    return `${where}: unknown field(s) ${issue.keys.join(', ')}${hint}`;
  }
  return `${where}${field}: ${issue.message}`;
}

/** Checks that need several entries at once: overlaps, alias consistency, duplicate estimates. */
function crossCheck(catalogue: Catalogue): string[] {
  const issues: string[] = [];
  const rowLabel = (i: number) => {
    const row = catalogue.rows[i];
    return `prices[${i}] (${row.provider}/${row.model} from ${row.effective_from.slice(0, 10)})`;
  };
  for (const overlap of findOverlaps(catalogue.rows, rowLabel)) issues.push(overlap.message);

  const priced = new Set(catalogue.rows.map((row) => `${row.provider}/${row.model}`));
  const baseTiers = new Set(
    catalogue.rows
      .filter((row) => row.min_input_tokens === 0)
      .map((row) => `${row.provider}/${row.model}/${row.service_tier}`),
  );
  catalogue.rows.forEach((row, i) => {
    if (!pricesSomething(row)) {
      issues.push(
        `${rowLabel(i)}: prices nothing; give at least one of input_usd_per_mtok, output_usd_per_mtok, input_audio_usd_per_mtok, audio_usd_per_hour, usd_per_image, usd_per_request`,
      );
    }
    if (row.min_input_tokens > 0 && !baseTiers.has(`${row.provider}/${row.model}/${row.service_tier}`)) {
      issues.push(
        `${rowLabel(i)}: a prompt-size tier row needs a base row (min_input_tokens 0) of the same model`,
      );
    }
  });

  const aliasNames = new Map<string, number>();
  catalogue.aliases.forEach((rule, i) => {
    const label = `aliases[${i}] (${rule.provider}/${rule.alias})`;
    const key = `${rule.provider}/${rule.alias}`;
    if (rule.alias === rule.model) issues.push(`${label}: points to itself`);
    if (priced.has(key))
      issues.push(`${label}: ${key} has price rows of its own, so the alias would never apply`);
    const earlier = aliasNames.get(key);
    if (earlier !== undefined) issues.push(`${label}: duplicates aliases[${earlier}]`);
    aliasNames.set(key, i);
  });
  catalogue.aliases.forEach((rule, i) => {
    if (aliasNames.has(`${rule.provider}/${rule.model}`)) {
      issues.push(
        `aliases[${i}] (${rule.provider}/${rule.alias}): target ${rule.model} is itself an alias; point to the final model`,
      );
    }
  });

  const estimateKeys = new Map<string, number>();
  catalogue.estimates.forEach((rule, i) => {
    const key = `${rule.operation}/${rule.provider ?? '*'}/${rule.model ?? '*'}`;
    const earlier = estimateKeys.get(key);
    if (earlier !== undefined) issues.push(`estimates[${i}] (${key}): duplicates estimates[${earlier}]`);
    estimateKeys.set(key, i);
  });
  return issues;
}

/** Validates an already parsed document (e.g. from a test). Throws CatalogueError listing every problem. */
export function parseCatalogue(document: unknown, where = 'catalogue'): Catalogue {
  const result = fileSchema.safeParse(document);
  if (!result.success) {
    throw new CatalogueError(
      where,
      result.error.issues.map((issue) => formatIssue(document, issue)),
    );
  }
  const catalogue: Catalogue = {
    rows: result.data.prices,
    aliases: result.data.aliases,
    estimates: result.data.estimates,
  };
  const issues = crossCheck(catalogue);
  if (issues.length > 0) throw new CatalogueError(where, issues);
  return catalogue;
}

/** Parses YAML text; the text is YAML 1.2, so unquoted dates stay strings and unquoted prices become numbers (rejected). */
export function parseCatalogueYaml(text: string, where = 'catalogue'): Catalogue {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw new CatalogueError(where, [`not valid YAML: ${(error as Error).message}`]);
  }
  return parseCatalogue(document, where);
}

/** Reads and validates the catalogue file (synchronously: it is small and read once per sync). */
export function loadCatalogue(path: string = DEFAULT_CATALOGUE_PATH): Catalogue {
  return parseCatalogueYaml(readFileSync(path, 'utf8'), path);
}
