import { readFileSync } from 'node:fs';
import test from 'ava';
import { type Catalogue, loadCatalogue } from '../../src/pricing/catalogue.ts';
import { convertGenaiPrices, GP_SOURCE, type GpConversion } from '../../src/pricing/genai-prices.ts';
import { mergeCatalogues } from '../../src/pricing/merge.ts';
import { compareRows, findOverlaps, PRICE_FIELDS, type PriceRow } from '../../src/pricing/price-row.ts';

// The shared provider research lives next to the repository (../shared), like the capture fixtures.
const REGISTRY = new URL('../../../shared/reference/providers/prices/price_registry.json', import.meta.url);

const ours = loadCatalogue();
const theirs = convertGenaiPrices();
const merged = mergeCatalogues(ours, theirs);
const rowsOf = (provider: string, model: string) =>
  merged.rows.filter((row) => row.provider === provider && row.model === model);

function priceRow(provider: PriceRow['provider'], model: string, source: string, input: string): PriceRow {
  const prices = Object.fromEntries(PRICE_FIELDS.map((f) => [f, null])) as Record<
    (typeof PRICE_FIELDS)[number],
    null
  >;
  return {
    provider,
    model,
    service_tier: 'standard',
    min_input_tokens: 0,
    effective_from: '2025-01-01T00:00:00.000Z',
    effective_until: null,
    ...prices,
    input_usd_per_mtok: input,
    source,
    checked_on: null,
    note: null,
  };
}

test('merge prefers our catalogue for every model it prices at all', (t) => {
  const small: Catalogue = { rows: [priceRow('openai', 'x', 'ours', '1')], aliases: [], estimates: [] };
  const gp: GpConversion = {
    rows: [priceRow('openai', 'x', GP_SOURCE, '9'), priceRow('openai', 'y', GP_SOURCE, '2')],
    aliases: [],
    stats: convertGenaiPrices([]).stats,
  };
  const result = mergeCatalogues(small, gp);
  t.deepEqual(
    result.rows.map((r) => [r.model, r.source, r.input_usd_per_mtok]),
    [
      ['x', 'ours', '1'],
      ['y', GP_SOURCE, '2'],
    ],
  );
  t.deepEqual(result.summary.genai_prices_models_replaced, ['openai/x']);
});

test('the real merge keeps our gpt-4o history and drops gp’s undated gpt-4o row', (t) => {
  const rows = rowsOf('openai', 'gpt-4o');
  t.is(rows.length, 2);
  t.true(rows.every((r) => r.source !== GP_SOURCE));
  t.is(rows[0].input_usd_per_mtok, '5.00');
});

test('a gp model that one of our aliases names counts as ours', (t) => {
  t.deepEqual(rowsOf('anthropic', 'claude-sonnet-4-0'), []);
  t.true(merged.summary.genai_prices_models_replaced.includes('anthropic/claude-sonnet-4-0'));
  t.true(rowsOf('anthropic', 'claude-sonnet-4').every((r) => r.source !== GP_SOURCE));
});

test('models only genai-prices knows are kept, including Vertex AI rows', (t) => {
  t.true(rowsOf('openai', 'gpt-4.1').every((r) => r.source === GP_SOURCE));
  t.true(rowsOf('openai', 'gpt-4.1').length > 0);
  t.true(rowsOf('vertex', 'gemini-2.5-flash').length > 0);
});

test('every model in the shared price registry is priced by our catalogue in the merged result', (t) => {
  const registry = JSON.parse(readFileSync(REGISTRY, 'utf8')) as {
    rows: Array<{ provider: string; model: string }>;
  };
  const expected = registry.rows.flatMap(({ provider, model }) => {
    // Names carry notes ("gpt-4o (alias; ...)") and variants ("claude-sonnet-4 / 4-5").
    const [first, ...variants] = model.replace(/\s*\(.*\)\s*$/, '').split(' / ');
    const stem = first.slice(0, first.lastIndexOf('-') + 1);
    const ourProvider = provider === 'google' ? 'gemini' : provider;
    return [first, ...variants.map((v) => stem + v)].map((m) => `${ourProvider}/${m}`);
  });
  t.true(expected.length >= registry.rows.length);
  const fromCatalogue = new Set(
    merged.rows.filter((r) => ours.rows.includes(r)).map((r) => `${r.provider}/${r.model}`),
  );
  t.deepEqual(
    expected.filter((name) => !fromCatalogue.has(name)),
    [],
  );
});

test('merged rows are sorted deterministically and never overlap', (t) => {
  const sorted = [...merged.rows].sort(compareRows);
  t.deepEqual(merged.rows, sorted);
  t.deepEqual(findOverlaps(merged.rows, String), []);
  t.deepEqual(
    mergeCatalogues(ours, convertGenaiPrices()).rows,
    merged.rows,
    'a second run gives the same list',
  );
});

test('no alias rule points at a model without prices', (t) => {
  t.deepEqual(merged.summary.dangling_aliases, []);
});

test('the summary counts rows by origin and by source', (t) => {
  const { summary } = merged;
  t.is(summary.rows.catalogue, ours.rows.length);
  t.is(summary.rows.catalogue + summary.rows.genai_prices, summary.rows.total);
  t.is(summary.rows.total, merged.rows.length);
  t.is(summary.rows.genai_prices + summary.genai_prices_rows_replaced, theirs.rows.length);
  t.is(
    Object.values(summary.by_source).reduce((a, b) => a + b, 0),
    summary.rows.total,
  );
  t.is(merged.estimates, ours.estimates);
});
