// Flags and formatting shared by the omni pricing commands: one flag per price column (kebab-case of the
// column name), times, providers, and a compact text form of a row's prices for tables.
import { Flags } from '@oclif/core';
import { InvalidInputError } from '../src/db/errors.ts';
import { isDecimalString } from '../src/pricing/decimal.ts';
import { parseTimeFlag } from '../src/pricing/instant.ts';
import { PRICE_FIELDS, type PriceField } from '../src/pricing/price-row.ts';
import { canonicalProvider, PROVIDERS } from '../src/usage.ts';

const UNITS: Record<PriceField, string> = {
  input_usd_per_mtok: 'USD per 1M uncached input tokens',
  cached_input_usd_per_mtok: 'USD per 1M input tokens read from cache',
  cache_write_5m_usd_per_mtok: 'USD per 1M tokens written to a 5-minute cache',
  cache_write_1h_usd_per_mtok: 'USD per 1M tokens written to a 1-hour cache',
  output_usd_per_mtok: 'USD per 1M output tokens',
  reasoning_usd_per_mtok: 'USD per 1M reasoning tokens (when not the output rate)',
  input_audio_usd_per_mtok: 'USD per 1M input audio tokens',
  cached_input_audio_usd_per_mtok: 'USD per 1M cached input audio tokens',
  output_audio_usd_per_mtok: 'USD per 1M output audio tokens',
  input_image_usd_per_mtok: 'USD per 1M input image tokens',
  audio_usd_per_hour: 'USD per hour of audio (duration-billed models)',
  audio_min_seconds: 'minimum billable seconds per request',
  audio_increment_seconds: 'billable seconds are rounded up to a multiple of this',
  usd_per_image: 'USD per generated image',
  usd_per_request: 'USD per request',
  web_search_usd_per_kcall: 'USD per 1,000 web search or grounding calls',
};

/** --input-usd-per-mtok etc.: decimal strings, never numbers. */
export const priceFlags = Object.fromEntries(
  PRICE_FIELDS.map((field) => {
    const flag = field.replaceAll('_', '-');
    return [
      flag,
      Flags.string({
        summary: `${UNITS[field]} (a decimal such as 2.50).`,
        helpGroup: 'PRICE',
        parse: async (input: string) => {
          if (!isDecimalString(input)) {
            throw new InvalidInputError(
              `--${flag}`,
              `must be a plain non-negative decimal such as 2.50 (got "${input}")`,
            );
          }
          return input;
        },
      }),
    ];
  }),
) as Record<string, ReturnType<typeof Flags.string>>;

/** The price columns given as flags. */
export function pricesFromFlags(flags: Record<string, unknown>): Partial<Record<PriceField, string>> {
  const prices: Partial<Record<PriceField, string>> = {};
  for (const field of PRICE_FIELDS) {
    const value = flags[field.replaceAll('_', '-')];
    if (typeof value === 'string') prices[field] = value;
  }
  return prices;
}

export const providerFlag = (options: { required?: boolean } = {}) =>
  Flags.string({
    summary: `Provider: ${PROVIDERS.join(', ')}.`,
    required: options.required,
    parse: async (input: string) => {
      const provider = canonicalProvider(input);
      if (!provider)
        throw new InvalidInputError(
          '--provider',
          `unknown provider "${input}"; allowed: ${PROVIDERS.join(', ')}`,
        );
      return provider;
    },
  });

export const timeFlag = (name: string, summary: string, options: { required?: boolean } = {}) =>
  Flags.string({
    summary: `${summary} A date YYYY-MM-DD (00:00 UTC), an ISO 8601 time with a zone, or now.`,
    required: options.required,
    parse: async (input: string) => parseTimeFlag(`--${name}`, input),
  });

const SHORT: Record<PriceField, string> = {
  input_usd_per_mtok: 'in',
  cached_input_usd_per_mtok: 'cache read',
  cache_write_5m_usd_per_mtok: 'cache write 5m',
  cache_write_1h_usd_per_mtok: 'cache write 1h',
  output_usd_per_mtok: 'out',
  reasoning_usd_per_mtok: 'reasoning',
  input_audio_usd_per_mtok: 'audio in',
  cached_input_audio_usd_per_mtok: 'cached audio in',
  output_audio_usd_per_mtok: 'audio out',
  input_image_usd_per_mtok: 'image in',
  audio_usd_per_hour: 'per audio hour',
  audio_min_seconds: 'min s',
  audio_increment_seconds: 'step s',
  usd_per_image: 'per image',
  usd_per_request: 'per request',
  web_search_usd_per_kcall: 'per 1k searches',
};

/** 'in 2.50 · cache read 1.25 · out 10.00' (token prices per 1M tokens, USD). */
export function compactPrices(row: Partial<Record<PriceField, string | null>>): string {
  return PRICE_FIELDS.filter(
    (field) => row[field] != null && !(field === 'audio_min_seconds' && Number(row[field]) === 0),
  )
    .map((field) => `${SHORT[field]} ${row[field]}`)
    .join(' · ');
}

/** A time for a table cell: ISO without zero milliseconds; '—' for none. */
export function shortTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const iso = value instanceof Date ? value.toISOString() : value;
  return iso
    .replace(/\+00(:?00)?$/, 'Z')
    .replace('.000Z', 'Z')
    .replace('T00:00:00Z', '');
}
