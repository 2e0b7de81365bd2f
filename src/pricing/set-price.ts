// setPrice(): open a price range through omni_costs.set_price(), which closes the range in force at its
// start, refuses overlaps and writes the audit rows. Prices travel as decimal strings.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { InvalidInputError, OmniError } from '../db/errors.ts';
import { mapDatabaseError, pgError } from '../db/map-error.ts';
import { canonicalProvider, PROVIDERS } from '../usage.ts';
import { isDecimalString } from './decimal.ts';
import { PRICE_FIELDS, PRIMARY_PRICE_FIELDS, type PriceField, SERVICE_TIERS } from './price-row.ts';

/** The new range overlaps a price range that cannot be closed at its start. Nothing was written. */
export class PriceOverlapError extends OmniError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'PRICE_OVERLAP', options);
    this.name = 'PriceOverlapError';
  }
}

export interface SetPriceInput {
  provider: string;
  model: string;
  /** ISO 8601 instant, inclusive. */
  from: string;
  /** ISO 8601 instant, exclusive; null or absent = open-ended. */
  until?: string | null;
  service_tier?: string;
  min_input_tokens?: number;
  prices: Partial<Record<PriceField, string>>;
  reason?: string | null;
  source?: string;
  /** YYYY-MM-DD. */
  checked_on?: string | null;
}

export const priceChangeSchema = z.object({
  action: z.enum(['open', 'close']),
  pricing_id: z.number(),
  effective_from: z.date(),
  effective_until: z.date().nullable(),
});
export type PriceChange = z.infer<typeof priceChangeSchema>;

function validate(input: SetPriceInput): SetPriceInput & { provider: string } {
  const provider = canonicalProvider(input.provider);
  if (!provider)
    throw new InvalidInputError(
      'provider',
      `unknown provider "${input.provider}"; allowed: ${PROVIDERS.join(', ')}`,
    );
  const model = input.model.trim();
  if (!model) throw new InvalidInputError('model', 'must not be empty');
  const tier = input.service_tier ?? 'standard';
  if (!(SERVICE_TIERS as readonly string[]).includes(tier)) {
    throw new InvalidInputError(
      'service_tier',
      `must be one of: ${SERVICE_TIERS.join(', ')} (got "${tier}")`,
    );
  }
  for (const [field, value] of Object.entries(input.prices)) {
    if (!(PRICE_FIELDS as readonly string[]).includes(field)) {
      throw new InvalidInputError(field, `is not a price column; allowed: ${PRICE_FIELDS.join(', ')}`);
    }
    if (!isDecimalString(value)) {
      throw new InvalidInputError(
        field,
        `must be a plain non-negative decimal such as 2.50 (got "${value}")`,
      );
    }
  }
  if (!PRIMARY_PRICE_FIELDS.some((field) => input.prices[field] !== undefined)) {
    throw new InvalidInputError(
      'prices',
      `give at least one of ${PRIMARY_PRICE_FIELDS.join(', ')}: a price row must price something`,
    );
  }
  return { ...input, provider, model, service_tier: tier };
}

/** Opens [from, until) for the key; returns the rows closed and opened, in that order. */
export async function setPrice(db: CommonQueryMethods, input: SetPriceInput): Promise<PriceChange[]> {
  const p = validate(input);
  try {
    const rows = await db.any(sql.type(priceChangeSchema)`
      SELECT * FROM omni_costs.set_price(
        ${p.provider}, ${p.model}, ${p.from}::timestamptz, ${sql.jsonb(p.prices as Record<string, string>)},
        ${p.until ?? null}::timestamptz, ${p.service_tier ?? 'standard'}, ${p.min_input_tokens ?? 0}::integer,
        ${p.reason ?? null}, ${p.source ?? 'cli'}, ${p.checked_on ?? null}::date)`);
    return [...rows];
  } catch (error) {
    const pg = pgError(error) as { code?: string; message?: string; hint?: string } | undefined;
    if (pg?.code === '23P01') {
      throw new PriceOverlapError(`${pg.message}${pg.hint ? `. ${pg.hint}` : ''} Nothing was written.`, {
        cause: error,
      });
    }
    if (pg?.code === '22023')
      throw new InvalidInputError('', `${pg.message}; nothing was written`, { cause: error });
    throw mapDatabaseError(error);
  }
}
