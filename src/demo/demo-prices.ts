// loadDemoListPrices(): the list prices of the few models the demo replays, for a model the price sync
// left without a price (the demo runs `omni pricing sync` first, so normally this inserts nothing). Values,
// start dates and sources are those of the price catalogue (src/pricing/catalogue.yaml). A model that
// already has any price row is left alone, so this never overrides a price the sync or an operator put in.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';

interface DemoPrice {
  provider: string;
  model: string;
  from: string;
  source: string;
  input_usd_per_mtok?: string;
  input_audio_usd_per_mtok?: string;
  cached_input_usd_per_mtok?: string;
  cached_input_audio_usd_per_mtok?: string;
  output_usd_per_mtok?: string;
  audio_usd_per_hour?: string;
  audio_min_seconds?: string;
}

export const DEMO_LIST_PRICES: readonly DemoPrice[] = [
  {
    provider: 'groq',
    model: 'whisper-large-v3',
    from: '2024-01-01',
    audio_usd_per_hour: '0.111',
    audio_min_seconds: '10',
    source: 'https://console.groq.com/docs/speech-text',
  },
  {
    provider: 'gemini',
    model: 'gemini-2.0-flash',
    from: '2025-02-05',
    input_usd_per_mtok: '0.10',
    input_audio_usd_per_mtok: '0.70',
    cached_input_usd_per_mtok: '0.025',
    cached_input_audio_usd_per_mtok: '0.175',
    output_usd_per_mtok: '0.40',
    source: 'https://ai.google.dev/gemini-api/docs/pricing',
  },
  {
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    from: '2025-11-07',
    input_usd_per_mtok: '0.30',
    input_audio_usd_per_mtok: '1.00',
    cached_input_usd_per_mtok: '0.03',
    cached_input_audio_usd_per_mtok: '0.10',
    output_usd_per_mtok: '2.50',
    source: 'https://ai.google.dev/gemini-api/docs/pricing',
  },
  {
    provider: 'openai',
    model: 'gpt-4o-mini',
    from: '2024-10-01',
    input_usd_per_mtok: '0.15',
    cached_input_usd_per_mtok: '0.075',
    output_usd_per_mtok: '0.60',
    source: 'https://developers.openai.com/api/docs/pricing',
  },
];

/** Inserts the demo models' list prices where a model has none; returns the models it priced. */
export async function loadDemoListPrices(db: CommonQueryMethods): Promise<string[]> {
  const priced: string[] = [];
  for (const p of DEMO_LIST_PRICES) {
    const inserted = await db.maybeOneFirst(sql.type(z.object({ pricing_id: z.number() }))`
      INSERT INTO omni_costs.model_pricing (provider, model, effective, input_usd_per_mtok, input_audio_usd_per_mtok,
        cached_input_usd_per_mtok, cached_input_audio_usd_per_mtok, output_usd_per_mtok, audio_usd_per_hour,
        audio_min_seconds, source, note)
      SELECT ${p.provider}, ${p.model}, tstzrange(${p.from}::date::timestamp AT TIME ZONE 'UTC', NULL),
             ${p.input_usd_per_mtok ?? null}::numeric, ${p.input_audio_usd_per_mtok ?? null}::numeric,
             ${p.cached_input_usd_per_mtok ?? null}::numeric, ${p.cached_input_audio_usd_per_mtok ?? null}::numeric,
             ${p.output_usd_per_mtok ?? null}::numeric, ${p.audio_usd_per_hour ?? null}::numeric,
             coalesce(${p.audio_min_seconds ?? null}::numeric, 0), ${p.source},
             'list price inserted by omni demo (the registry had no price for this model)'
       WHERE NOT EXISTS (SELECT FROM omni_costs.model_pricing x WHERE x.provider = ${p.provider} AND x.model = ${p.model})
      RETURNING pricing_id`);
    if (inserted !== null) priced.push(`${p.provider}/${p.model}`);
  }
  return priced;
}
