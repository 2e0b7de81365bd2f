// omni batch estimate through the real binary: list price with stated assumptions when there is no
// history, our own history (median and p10–p90 per item at today's prices) when there is.
import test from 'ava';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { jsonShape, runCli, runCliJson } from '../helpers/omni-cli.ts';

let tdb: TestDatabase;
const inst = instance();

interface Estimate {
  basis: string;
  operation: string;
  provider: string;
  model: string;
  per_item_usd: { low: string | null; mid: string | null; high: string | null };
  total_usd: { low: string | null; mid: string | null; high: string | null };
  assumptions: string[];
  warnings: string[];
  history: { items: number } | null;
}

test.before(async () => {
  tdb = await freshDatabase('cli_estimate');
  await addPrice(tdb.db, {
    provider: 'groq',
    model: 'whisper-large-v3',
    from: '2024-01-01',
    prices: { audio_usd_per_hour: '0.36', audio_min_seconds: '10' },
  });
  await addPrice(tdb.db, {
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    from: '2024-01-01',
    prices: { input_usd_per_mtok: '0.30', output_usd_per_mtok: '2.50' },
  });
});
test.after.always(async () => tdb?.drop());

const estimate = (...args: string[]) =>
  runCliJson<Estimate>(tdb.url, ['batch', 'estimate', '--instance', inst, ...args]);

test.serial('without history it prices list-price assumptions and states them', async (t) => {
  const e = await estimate('--type', 'media_transcription', '--items', '100');
  t.is(e.basis, 'list_price');
  t.is(e.operation, 'transcription');
  t.is(`${e.provider}/${e.model}`, 'groq/whisper-large-v3');
  // 60 s at 0.36 USD per hour = 0.006 per item.
  t.is(e.per_item_usd.mid, '0.006');
  t.is(e.total_usd.mid, '0.6');
  t.true(e.assumptions.some((a) => a.startsWith('model: groq/whisper-large-v3')));
  t.true(e.assumptions.some((a) => a.includes('60 s voice note')));
  t.snapshot(jsonShape(e), 'omni batch estimate --json (list price)');

  const minutes = await estimate('--type', 'media_transcription', '--items', '100', '--audio-minutes', '50');
  // 30 s per item at 0.0001 USD per second.
  t.is(minutes.per_item_usd.mid, '0.003');
  t.is(minutes.total_usd.mid, '0.3');

  const text = await runCli(tdb.url, [
    'batch',
    'estimate',
    '--instance',
    inst,
    '--type',
    'image_description',
    '--items',
    '10',
  ]);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^Total: \$0\.007650 {2}\(list price; no range without history\)/m);
  t.regex(text.stdout, /^Price used: gemini-2\.5-flash: input \$0\.30\/Mtok, output \$2\.50\/Mtok/m);
  t.regex(text.stdout, /^Assumed usage per item: one image of about 1,290 tokens/m);
});

test.serial('with history it uses the median item, with p10–p90 as the range', async (t) => {
  const seconds = [5, 12, 20, 30, 40, 60, 90, 120, 180, 600];
  await recordUsage(
    tdb.db,
    seconds.map((s, i) => ({
      provider: 'groq',
      model: 'whisper-large-v3',
      instance_id: inst,
      operation: 'transcription',
      message_id: `voice-${i}`,
      input_tokens: null,
      output_tokens: null,
      audio_seconds: s,
    })),
  );
  const e = await estimate('--type', 'media_transcription', '--items', '200');
  t.is(e.basis, 'history');
  t.is(e.history?.items, 10);
  // Per item at 0.0001 USD/s: p10 = the 10 s minimum (5 s note), median = 40 s, p90 = 180 s.
  t.deepEqual(e.per_item_usd, { low: '0.001', mid: '0.004', high: '0.018' });
  t.deepEqual(e.total_usd, { low: '0.2', mid: '0.8', high: '3.6' });
  t.snapshot(jsonShape(e), 'omni batch estimate --json (history)');
  const text = await runCli(tdb.url, [
    'batch',
    'estimate',
    '--instance',
    inst,
    '--type',
    'media_transcription',
    '--items',
    '200',
  ]);
  t.regex(text.stdout, /^Total: \$0\.800000 {2}\(range \$0\.200000 – \$3\.600000, p10–p90\)/m);
  t.regex(text.stdout, /^From history: 10 items/m);
});

test.serial('bad input names the flag', async (t) => {
  const res = await runCli(tdb.url, [
    'batch',
    'estimate',
    '--instance',
    inst,
    '--type',
    'mystery',
    '--items',
    '3',
  ]);
  t.is(res.code, 2);
  t.regex(res.stderr, /--operation: cannot tell what job type "mystery" does/);
  const minutes = await runCli(tdb.url, [
    'batch',
    'estimate',
    '--instance',
    inst,
    '--type',
    'media_transcription',
    '--items',
    '3',
    '--audio-minutes',
    '1e3',
  ]);
  t.is(minutes.code, 2);
  t.regex(minutes.stderr, /--audio-minutes: must be a number of minutes/);
});
