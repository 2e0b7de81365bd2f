import test from 'ava';
import {
  CatalogueError,
  loadCatalogue,
  parseCatalogue,
  parseCatalogueYaml,
  toIsoInstant,
} from '../../src/pricing/catalogue.ts';
import { DECIMAL_PATTERN } from '../../src/pricing/decimal.ts';
import { PRICE_FIELDS } from '../../src/pricing/price-row.ts';

/** A valid price row; tests override one thing at a time. */
const row = (over: Record<string, unknown> = {}) => ({
  provider: 'openai',
  model: 'gpt-4o',
  from: '2024-05-13',
  input_usd_per_mtok: '5.00',
  output_usd_per_mtok: '15.00',
  source: 'https://developers.openai.com/api/docs/pricing',
  checked_on: '2026-12-03',
  ...over,
});

function problems(t: import('ava').ExecutionContext, document: unknown): readonly string[] {
  const error = t.throws(() => parseCatalogue(document), { instanceOf: CatalogueError });
  return (error as CatalogueError).issues;
}

test('the shipped catalogue file validates and every price is a decimal string', (t) => {
  const catalogue = loadCatalogue();
  t.true(catalogue.rows.length > 30);
  t.true(catalogue.aliases.length > 0);
  t.true(catalogue.estimates.length > 0);
  for (const row of catalogue.rows) {
    t.truthy(row.source, `${row.provider}/${row.model} has a source`);
    t.regex(row.checked_on ?? '', /^\d{4}-\d{2}-\d{2}$/);
    for (const field of PRICE_FIELDS) {
      const value = row[field];
      if (value !== null) t.regex(value, DECIMAL_PATTERN, `${row.model} ${field}`);
    }
  }
});

test('gpt-4o costs $5/$15 before 2024-10-02 and $2.50/$1.25/$10 from then on', (t) => {
  const rows = loadCatalogue().rows.filter((r) => r.provider === 'openai' && r.model === 'gpt-4o');
  t.deepEqual(
    rows.map((r) => [
      r.effective_from,
      r.effective_until,
      r.input_usd_per_mtok,
      r.cached_input_usd_per_mtok,
      r.output_usd_per_mtok,
    ]),
    [
      ['2024-05-13T00:00:00.000Z', '2024-10-02T00:00:00.000Z', '5.00', null, '15.00'],
      ['2024-10-02T00:00:00.000Z', null, '2.50', '1.25', '10.00'],
    ],
  );
});

test('Gemini 2.5 Pro has a >200k tier row in both cache-price periods', (t) => {
  const tiers = loadCatalogue().rows.filter(
    (r) => r.model === 'gemini-2.5-pro' && r.min_input_tokens === 200001,
  );
  t.deepEqual(
    tiers.map((r) => [
      r.effective_until === null,
      r.input_usd_per_mtok,
      r.cached_input_usd_per_mtok,
      r.output_usd_per_mtok,
    ]),
    [
      [false, '2.50', '0.625', '15.00'],
      [true, '2.50', '0.25', '15.00'],
    ],
  );
});

test('Groq Whisper rows bill per audio hour with a 10-second minimum', (t) => {
  const rows = loadCatalogue().rows.filter((r) => r.provider === 'groq' && r.model.startsWith('whisper'));
  t.deepEqual(
    rows.map((r) => [r.model, r.audio_usd_per_hour, r.audio_min_seconds]),
    [
      ['whisper-large-v3', '0.111', '10'],
      ['whisper-large-v3-turbo', '0.04', '10'],
    ],
  );
});

test('overlapping rows of one key are rejected with a message naming both rows', (t) => {
  const issues = problems(t, {
    prices: [row({ until: '2024-10-02' }), row({ from: '2024-09-01', input_usd_per_mtok: '2.50' })],
  });
  t.is(issues.length, 1);
  t.regex(issues[0], /prices\[0\].*prices\[1\].*overlap for openai\/gpt-4o/);
});

test('an open-ended row overlaps any later row of the same key', (t) => {
  const issues = problems(t, { prices: [row(), row({ from: '2025-01-01' })] });
  t.regex(issues[0], /prices\[0\] \(openai\/gpt-4o from 2024-05-13\) \[2024-05-13T00:00:00.000Z, ∞\)/);
  t.regex(issues[0], /prices\[1\] \(openai\/gpt-4o from 2025-01-01\)/);
});

test('rows that only touch at a boundary, or differ in tier, do not overlap', (t) => {
  const catalogue = parseCatalogue({
    prices: [
      row({ until: '2024-10-02' }),
      row({ from: '2024-10-02' }),
      row({ min_input_tokens: 200001, until: '2024-10-02' }),
      row({ service_tier: 'batch', input_usd_per_mtok: '2.50' }),
    ],
  });
  t.is(catalogue.rows.length, 4);
});

test('a malformed price string is reported with its row and field', (t) => {
  const issues = problems(t, { prices: [row(), row({ model: 'gpt-4o-mini', output_usd_per_mtok: '0,60' })] });
  t.is(issues.length, 1);
  t.regex(issues[0], /^prices\[1\] \(openai\/gpt-4o-mini from 2024-05-13\) output_usd_per_mtok: /);
  t.regex(issues[0], /"0,60"/);
});

test('an unquoted price is rejected because it would pass through a float', (t) => {
  const yaml = `prices:
  - provider: gemini
    model: gemini-2.5-flash
    from: '2025-06-17'
    input_usd_per_mtok: 0.30
    source: https://ai.google.dev/gemini-api/docs/pricing
    checked_on: '2026-12-03'
`;
  const error = t.throws(() => parseCatalogueYaml(yaml), { instanceOf: CatalogueError });
  t.regex(
    error.message,
    /prices\[0\] \(gemini\/gemini-2.5-flash from 2025-06-17\) input_usd_per_mtok: must be a QUOTED decimal string/,
  );
  t.regex(error.message, /got number 0.3/);
});

test('an unknown provider or tier is rejected with the allowed values', (t) => {
  const issues = problems(t, { prices: [row({ provider: 'google', service_tier: 'cheap' })] });
  t.true(
    issues.some((i) =>
      i.includes('provider: must be one of: openai, groq, gemini, vertex, anthropic (got string "google")'),
    ),
  );
  t.true(issues.some((i) => i.includes('service_tier: must be one of: standard, batch, flex, priority')));
});

test('a misspelt column is reported as an unknown field', (t) => {
  const issues = problems(t, { prices: [row({ input_usd_per_mtoken: '1' })] });
  t.deepEqual(issues, [
    'prices[0] (openai/gpt-4o from 2024-05-13): unknown field(s) input_usd_per_mtoken (misspelt column name?)',
  ]);
});

test('a range must end after it starts', (t) => {
  const issues = problems(t, { prices: [row({ until: '2024-05-13' })] });
  t.regex(issues[0], /until: must be after from/);
});

test('a missing required field is named', (t) => {
  const { source: _source, ...withoutSource } = row();
  const issues = problems(t, { prices: [withoutSource] });
  t.deepEqual(issues, ['prices[0] (openai/gpt-4o from 2024-05-13) source: is required']);
});

test('a row that prices nothing the table requires is rejected', (t) => {
  const issues = problems(t, {
    prices: [
      row({ input_usd_per_mtok: undefined, output_usd_per_mtok: undefined, web_search_usd_per_kcall: '10' }),
    ],
  });
  t.regex(issues[0], /prices nothing/);
});

test('a long-context tier row without a base row is rejected', (t) => {
  const issues = problems(t, { prices: [row({ min_input_tokens: 200001 })] });
  t.regex(issues[0], /needs a base row/);
});

test('an alias must not shadow a priced model, chain, or repeat', (t) => {
  const issues = problems(t, {
    prices: [row(), row({ model: 'gpt-4o-mini' })],
    aliases: [
      { provider: 'openai', alias: 'gpt-4o', model: 'gpt-4o-mini' },
      { provider: 'openai', alias: 'a', model: 'b' },
      { provider: 'openai', alias: 'b', model: 'gpt-4o' },
      { provider: 'openai', alias: 'b', model: 'gpt-4o' },
    ],
  });
  t.true(
    issues.some((i) => i.startsWith('aliases[0] (openai/gpt-4o): openai/gpt-4o has price rows of its own')),
  );
  t.true(issues.some((i) => i.startsWith('aliases[1] (openai/a): target b is itself an alias')));
  t.true(issues.some((i) => i.startsWith('aliases[3] (openai/b): duplicates aliases[2]')));
});

test('an estimate rule needs something to estimate with, and a provider when it names a model', (t) => {
  const issues = problems(t, {
    prices: [row()],
    estimates: [
      { operation: 'chat', note: 'nothing' },
      { operation: 'chat', model: 'gpt-4o', input_tokens: 10, note: 'no provider' },
      { operation: 'dance', input_tokens: 1, note: 'unknown operation' },
    ],
  });
  t.true(issues.some((i) => i.startsWith('estimates[0] (chat): must give at least one of')));
  t.true(issues.some((i) => i.startsWith('estimates[1] (gpt-4o) provider: is required when model is given')));
  t.true(issues.some((i) => i.startsWith('estimates[2] (dance) operation: must be one of: transcription,')));
});

test('dates are read as 00:00 UTC and date-times need an explicit offset', (t) => {
  t.is(toIsoInstant('2025-11-07'), '2025-11-07T00:00:00.000Z');
  t.is(toIsoInstant('2025-11-07T09:30:00+02:00'), '2025-11-07T07:30:00.000Z');
  t.is(toIsoInstant('2025-11-07T09:30:00'), null);
  t.is(toIsoInstant('2025-02-30'), null);
  t.is(toIsoInstant('2025-02-30T00:00:00Z'), null);
});
