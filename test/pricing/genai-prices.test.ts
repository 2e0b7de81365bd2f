import type { Provider as GpProvider } from '@pydantic/genai-prices';
import test from 'ava';
import { DECIMAL_PATTERN } from '../../src/pricing/decimal.ts';
import {
  convertGenaiPrices,
  GP_SOURCE,
  GP_UNDATED_FROM,
  GP_VERSION,
} from '../../src/pricing/genai-prices.ts';
import { findOverlaps, PRICE_FIELDS, type PriceRow } from '../../src/pricing/price-row.ts';

const bundled = convertGenaiPrices();
const rowsOf = (provider: string, model: string, rows: readonly PriceRow[] = bundled.rows) =>
  rows.filter((row) => row.provider === provider && row.model === model);

test('the source names the installed genai-prices version', (t) => {
  t.is(GP_VERSION, '0.1.8');
  t.is(GP_SOURCE, 'genai-prices 0.1.8');
  t.true(bundled.rows.every((row) => row.source === GP_SOURCE));
});

test('gpt-4o-mini converts to exact decimal strings', (t) => {
  const [row, ...rest] = rowsOf('openai', 'gpt-4o-mini');
  t.deepEqual(rest, []);
  t.is(row.input_usd_per_mtok, '0.15');
  t.is(row.cached_input_usd_per_mtok, '0.075');
  t.is(row.output_usd_per_mtok, '0.6');
  t.is(row.web_search_usd_per_kcall, '10');
  t.is(row.effective_from, GP_UNDATED_FROM);
  t.is(row.effective_until, null);
  t.regex(row.note ?? '', /storage_searches_kcount=2.5/, 'the unmapped unit is named on the row');
});

test('the Gemini 2.5 Pro long-context tier becomes a row from 200001 input tokens, for the Gemini API and Vertex AI', (t) => {
  for (const provider of ['gemini', 'vertex']) {
    const rows = rowsOf(provider, 'gemini-2.5-pro');
    t.deepEqual(
      rows.map((r) => [
        r.min_input_tokens,
        r.input_usd_per_mtok,
        r.cached_input_usd_per_mtok,
        r.output_usd_per_mtok,
      ]),
      [
        [0, '1.25', '0.125', '10'],
        [200001, '2.5', '0.25', '15'],
      ],
      provider,
    );
  }
  t.regex(rowsOf('vertex', 'gemini-2.5-pro')[0].note ?? '', /Vertex AI rate card may differ/);
});

test('a start-date price change splits a model into consecutive ranges', (t) => {
  const rows = rowsOf('anthropic', 'claude-sonnet-4-6');
  t.deepEqual(
    rows.map((r) => [r.min_input_tokens, r.effective_from, r.effective_until, r.input_usd_per_mtok]),
    [
      [0, GP_UNDATED_FROM, '2026-03-13T00:00:00.000Z', '3'],
      [200001, GP_UNDATED_FROM, '2026-03-13T00:00:00.000Z', '6'],
      [0, '2026-03-13T00:00:00.000Z', null, '3'],
    ],
  );
  t.is(rows[1].cache_write_1h_usd_per_mtok, '12');
  t.is(rows[1].output_usd_per_mtok, '22.5');
});

test('Groq Whisper gets its hourly rate and the 10-second minimum gp applies in code', (t) => {
  const [turbo] = rowsOf('groq', 'whisper-large-v3-turbo');
  t.is(turbo.audio_usd_per_hour, '0.04');
  t.is(turbo.audio_min_seconds, '10');
  const [whisper1] = rowsOf('openai', 'whisper-1');
  t.is(whisper1.audio_usd_per_hour, '0.36');
  t.is(whisper1.audio_min_seconds, null);
});

test('Claude entries of the google data are converted for Vertex AI only', (t) => {
  t.true(rowsOf('vertex', 'claude-sonnet-4-5').length > 0);
  t.deepEqual(rowsOf('gemini', 'claude-sonnet-4-5'), []);
});

test('Anthropic -latest entries are stored under the undated id with an alias for the -latest name', (t) => {
  t.true(rowsOf('anthropic', 'claude-3-7-sonnet').length > 0);
  t.deepEqual(rowsOf('anthropic', 'claude-3-7-sonnet-latest'), []);
  t.true(
    bundled.aliases.some(
      (a) =>
        a.provider === 'anthropic' &&
        a.alias === 'claude-3-7-sonnet-latest' &&
        a.model === 'claude-3-7-sonnet',
    ),
  );
});

test('exact names in gp match rules become alias rules', (t) => {
  const has = (provider: string, alias: string, model: string) =>
    bundled.aliases.some((a) => a.provider === provider && a.alias === alias && a.model === model);
  t.true(has('openai', 'gpt-4o-transcribe-diarize', 'gpt-4o-transcribe'));
  t.true(has('openai', 'gpt-4o-2024-11-20', 'gpt-4o'));
  t.true(has('gemini', 'gemini-2.5-flash-preview-09-2025', 'gemini-2.5-flash'));
  t.true(has('vertex', 'gemini-2.5-flash-preview-09-2025', 'gemini-2.5-flash'));
  t.true(bundled.aliases.every((a) => a.source === GP_SOURCE && a.alias !== a.model));
});

test('every converted price is a plain decimal string and no two ranges of one key overlap', (t) => {
  for (const row of bundled.rows) {
    for (const field of PRICE_FIELDS) {
      const value = row[field];
      if (value !== null) t.regex(value, DECIMAL_PATTERN, `${row.provider}/${row.model} ${field}`);
    }
  }
  t.deepEqual(
    findOverlaps(bundled.rows, (i) => String(i)).map((o) => o.message),
    [],
  );
});

test('units without a column, unmapped providers and time-of-day prices are skipped and counted', (t) => {
  const synthetic = [
    {
      id: 'openai',
      name: 'OpenAI',
      api_pattern: 'x',
      models: [
        {
          id: 'tool-model',
          match: { equals: 'tool-model' },
          prices: { input_mtok: 1e-7, output_image_mtok: 30, requests_kcount: 12 },
        },
        {
          id: 'night-owl',
          match: { equals: 'night-owl' },
          prices: [
            { prices: { input_mtok: 1, output_mtok: 2 } },
            {
              constraint: { type: 'time_of_date', start_time: '16:30:00Z', end_time: '00:30:00Z' },
              prices: { input_mtok: 0.5 },
            },
            {
              constraint: { type: 'start_date', start_date: '2026-01-01' },
              prices: { input_mtok: 0.8, output_mtok: 1.6 },
            },
          ],
        },
        { id: 'free-model', match: { equals: 'free-model' }, prices: {} },
      ],
    },
    {
      id: 'mistral',
      name: 'Mistral',
      api_pattern: 'y',
      models: [{ id: 'm', match: { equals: 'm' }, prices: {} }],
    },
  ] as unknown as GpProvider[];
  const result = convertGenaiPrices(synthetic);

  const [tool] = rowsOf('openai', 'tool-model', result.rows);
  t.is(tool.input_usd_per_mtok, '0.0000001');
  t.is(tool.usd_per_request, '0.012', '$12 per 1,000 requests is $0.012 per request');
  t.regex(tool.note ?? '', /output_image_mtok=30/);
  t.deepEqual(result.stats.skipped_units, { output_image_mtok: 1 });

  t.deepEqual(
    rowsOf('openai', 'night-owl', result.rows).map((r) => [
      r.effective_from,
      r.effective_until,
      r.input_usd_per_mtok,
    ]),
    [
      [GP_UNDATED_FROM, '2026-01-01T00:00:00.000Z', '1'],
      ['2026-01-01T00:00:00.000Z', null, '0.8'],
    ],
  );
  t.is(result.stats.skipped_time_of_day_entries, 1);

  const [free] = rowsOf('openai', 'free-model', result.rows);
  t.is(free.input_usd_per_mtok, '0');
  t.is(free.output_usd_per_mtok, '0');

  t.deepEqual(result.stats.skipped_providers, { mistral: 1 });
  t.deepEqual(result.stats.models, { openai: 3 });
});

test('a gp number carrying float noise is refused rather than stored', (t) => {
  const noisy = [
    {
      id: 'groq',
      name: 'Groq',
      api_pattern: 'x',
      models: [{ id: 'noisy', match: { equals: 'noisy' }, prices: { input_mtok: 0.1 + 0.2 } }],
    },
  ] as unknown as GpProvider[];
  t.throws(() => convertGenaiPrices(noisy), {
    message: /input_mtok = 0.30000000000000004 looks like float noise/,
  });
});
