// omni usage record with the response body (--file or stdin) instead of usage flags.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sql } from 'slonik';
import { fixtureResponse } from '../capture/fixtures.ts';
import { runCli } from '../helpers/cli.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';

let d: TestDatabase;
let dir = '';
test.before(async () => {
  d = await freshDatabase('cli_record_body');
  dir = await mkdtemp(join(tmpdir(), 'omni-record-body-'));
  await addPrice(d.db, {
    provider: 'groq',
    model: 'whisper-large-v3',
    from: '2024-01-01T00:00:00Z',
    prices: { audio_usd_per_hour: '0.111', audio_min_seconds: '10' },
  });
  await addPrice(d.db, {
    provider: 'gemini',
    model: 'gemini-2.0-flash',
    from: '2024-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '0.10', output_usd_per_mtok: '0.40' },
  });
});
test.after.always(async () => {
  await d?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const record = (args: string[], input?: string) =>
  runCli(
    ['usage', 'record', '--instance', instance(), ...args, '--json'],
    {
      DATABASE_URL: d.url,
    },
    input,
  );

test('a Gemini body from --file is recorded with the provider and model it names', async (t) => {
  const file = join(dir, 'gemini.json');
  await writeFile(
    file,
    JSON.stringify(fixtureResponse('gemini/generate_content_2_0_flash_image_input.json')),
  );
  const r = await record([
    '--file',
    file,
    '--operation',
    'image_description',
    '--idempotency-key',
    'body-gemini',
  ]);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), {
    provider: 'gemini',
    model: 'gemini-2.0-flash',
    operation: 'image_description',
    processing_cost_usd: '0.0003403',
    cost_status: 'priced',
  });
  const stored = await d.db.one(sql.unsafe`
    SELECT input_tokens, input_image_tokens, raw_usage IS NOT NULL AS has_raw FROM omni_costs.model_usage
     WHERE idempotency_key = 'body-gemini'`);
  t.deepEqual(stored, { input_tokens: 3367, input_image_tokens: 3354, has_raw: true });
});

test('a Groq transcription piped on stdin takes its model from --model and its operation from the API', async (t) => {
  const body = JSON.stringify(fixtureResponse('groq/transcription_whisper_large_v3_verbose_json.json'));
  const r = await record(['--provider', 'groq', '--model', 'whisper-large-v3'], body);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), {
    provider: 'groq',
    model: 'whisper-large-v3',
    operation: 'transcription',
    processing_cost_usd: '0.000668775',
    cost_status: 'priced',
  });
});

test('without a body, the usage flags are recorded as before (stdin piped but empty)', async (t) => {
  const [flags, bare] = await Promise.all([
    record([
      '--provider',
      'groq',
      '--model',
      'whisper-large-v3',
      '--audio-seconds',
      '90',
      '--operation',
      'transcription',
    ]),
    record(['--provider', 'groq', '--model', 'whisper-large-v3']),
  ]);
  t.is(flags.code, 0, flags.stderr);
  t.like(JSON.parse(flags.stdout), { processing_cost_usd: '0.002775', cost_status: 'priced' });
  t.is(bare.code, 0, bare.stderr);
  t.like(JSON.parse(bare.stdout), { provider: 'groq', operation: 'other' });
});

test.serial('a body and usage flags together, or neither a body nor a provider, are refused', async (t) => {
  const before = await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_usage`);
  const file = join(dir, 'gemini-2.json');
  await writeFile(
    file,
    JSON.stringify(fixtureResponse('gemini/generate_content_2_0_flash_image_input.json')),
  );
  const both = await record(['--file', file, '--input-tokens', '5']);
  t.is(both.code, 2);
  t.regex(both.stdout + both.stderr, /either as flags or as a response body/);

  const neither = await record(['--model', 'gpt-4o-mini', '--input-tokens', '5']);
  t.is(neither.code, 2);
  t.regex(neither.stdout + neither.stderr, /--provider: is required/);

  const noModel = await record(
    ['--provider', 'groq'],
    JSON.stringify({ text: 'hi', x_groq: { id: 'req_1' } }),
  );
  t.is(noModel.code, 2);
  t.regex(noModel.stdout + noModel.stderr, /--model: is required: the body does not name the model/);
  t.is(await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_usage`), before);
});
