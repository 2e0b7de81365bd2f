import test from 'ava';
import { sql } from 'slonik';
import { runCli } from '../helpers/cli.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('cli_usage');
  await addPrice(d.db, {
    provider: 'groq',
    model: 'whisper-large-v3-turbo',
    from: '2024-01-01T00:00:00Z',
    prices: { audio_usd_per_hour: '0.04', audio_min_seconds: '10' },
  });
});
test.after.always(async () => {
  await d?.drop();
});

test.serial('omni batch create and omni usage record store a priced call in the batch', async (t) => {
  const inst = instance();
  const env = { DATABASE_URL: d.url };
  const created = await runCli(
    ['batch', 'create', '--instance', inst, '--type', 'media_transcription', '--items', '2'],
    env,
  );
  t.is(created.code, 0, created.stderr);
  const batch = created.stdout.trim();
  t.regex(batch, /^[0-9a-f-]{36}$/);

  const json = await runCli(
    [
      'usage',
      'record',
      '--provider',
      'groq',
      '--model',
      'whisper-large-v3-turbo',
      '--instance',
      inst,
      '--batch',
      batch,
      '--operation',
      'transcription',
      '--audio-seconds',
      '90',
      '--idempotency-key',
      'cli-1',
      '--occurred-at',
      '2026-11-30T10:00:00Z',
      '--json',
    ],
    env,
  );
  t.is(json.code, 0, json.stderr);
  const row = JSON.parse(json.stdout);
  t.is(row.processing_cost_usd, '0.001');
  t.is(row.cost_status, 'priced');
  t.is(row.batch_job_id, batch);
  t.deepEqual(Object.keys(row).sort(), [
    'batch_job_id',
    'cost_note',
    'cost_status',
    'idempotency_key',
    'instance_id',
    'message_id',
    'model',
    'occurred_at',
    'operation',
    'pricing_id',
    'pricing_match',
    'processing_cost_usd',
    'provider',
    'recorded_at',
    'replayed',
    'usage_id',
  ]);

  const table = await runCli(
    [
      'usage',
      'record',
      '--provider',
      'groq',
      '--model',
      'whisper-large-v3-turbo',
      '--instance',
      inst,
      '--operation',
      'transcription',
      '--audio-seconds',
      '3',
    ],
    env,
  );
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /processing_cost_usd/);
  t.regex(table.stdout, /0\.000111111111\s+priced/);
});

test.serial('bad flags exit non-zero with the field named, and write nothing', async (t) => {
  const before = await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_usage`);
  const cases: Array<[string[], RegExp]> = [
    [['--input-tokens', '-3'], /--input-tokens/],
    [['--input-tokens', '99999999999'], /--input-tokens/],
    [['--audio-seconds', 'NaN'], /--audio-seconds/],
    [['--occurred-at', '2026-11-30 10:00:00'], /occurred_at.*zone/],
    [['--operation', 'juggling'], /operation.*transcription/],
  ];
  for (const [extra, message] of cases) {
    const r = await runCli(
      [
        'usage',
        'record',
        '--provider',
        'groq',
        '--model',
        'whisper-large-v3-turbo',
        '--instance',
        instance(),
        ...extra,
      ],
      {
        DATABASE_URL: d.url,
      },
    );
    t.not(r.code, 0, extra.join(' '));
    t.regex(r.stderr + r.stdout, message);
  }
  const unknown = await runCli(
    ['usage', 'record', '--provider', 'mistral', '--model', 'x', '--instance', instance()],
    { DATABASE_URL: d.url },
  );
  t.not(unknown.code, 0);
  t.regex(unknown.stderr, /unknown provider "mistral"; allowed: openai, groq, gemini, vertex, anthropic/);
  t.is(await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_usage`), before);
});
