import test from 'ava';
import { extractUsage } from '../../src/capture/extract.ts';
import { CORE_USAGE_KEYS, canonicalProvider, EXTRA_USAGE_KEYS, usageRecordSchema } from '../../src/usage.ts';
import { type Fixture, loadFixtures } from './fixtures.ts';

const fixtures = loadFixtures();

function core(usage: Record<string, unknown>) {
  return Object.fromEntries(CORE_USAGE_KEYS.map((k) => [k, usage[k]]));
}

/** The expected_extra keys that name a field of the usage record (others are pricing notes). */
function mappedExtras(f: Fixture): [string, unknown][] {
  return Object.entries(f.expected_extra ?? {}).filter(([k]) =>
    (EXTRA_USAGE_KEYS as readonly string[]).includes(k),
  );
}

test('the shared fixtures directory is found and holds fixtures for all four providers', (t) => {
  const providers = new Set(fixtures.map((f) => f.name.split('/')[0]));
  t.deepEqual([...providers].sort(), ['anthropic', 'gemini', 'groq', 'openai']);
});

for (const f of fixtures) {
  test(`${f.name} yields its expected usage when provider, api and model are given`, (t) => {
    const c = extractUsage(f.response, { provider: f.provider, api: f.api, model: f.model });
    t.deepEqual(core(c.usage), core(f.expected as Record<string, unknown>));
    for (const [k, v] of mappedExtras(f)) t.is((c.usage as Record<string, unknown>)[k], v, k);
    t.is<string | undefined, string | undefined>(c.provider, canonicalProvider(f.provider));
    t.is(c.model, f.model);
    t.true(usageRecordSchema.safeParse(c.usage).success);
    if (f.expected_extra?.service_tier !== undefined)
      t.is(c.service_tier, f.expected_extra.service_tier as string);
    if (f.expected_extra?.traffic_type === 'ON_DEMAND') t.is(c.service_tier, 'standard');
    if (f.expected_extra?.usage_present === false) t.is(c.raw_usage, null);
  });

  test(`${f.name} yields the same usage when the provider and api are detected from the shape`, (t) => {
    const c = extractUsage(f.response);
    t.deepEqual(core(c.usage), core(f.expected as Record<string, unknown>));
    for (const [k, v] of mappedExtras(f)) t.is((c.usage as Record<string, unknown>)[k], v, k);
    const given = canonicalProvider(f.provider);
    // OpenAI and Groq error envelopes are identical; either answer bills the same (nothing).
    if (f.expected_extra?.is_error && given === 'groq') t.is(c.provider, 'openai');
    else t.is<string | undefined, string | undefined>(c.provider, given);
  });
}
