// omni costs message <id>: every call behind one message, with its cost and the message total.
import test from 'ava';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { jsonShape, runCli, runCliJson } from '../helpers/omni-cli.ts';

let tdb: TestDatabase;
const inst = instance();

test.before(async () => {
  tdb = await freshDatabase('cli_message');
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-4o-mini',
    from: '2024-01-01',
    prices: { input_usd_per_mtok: '0.15', output_usd_per_mtok: '0.60' },
  });
  await recordUsage(tdb.db, [
    {
      provider: 'openai',
      model: 'gpt-4o-mini',
      instance_id: inst,
      message_id: 'msg-1',
      operation: 'image_description',
      input_tokens: 25525,
      output_tokens: 142,
      occurred_at: '2026-12-01T10:00:00Z',
    },
    {
      provider: 'openai',
      model: 'gpt-4o-mini',
      instance_id: inst,
      message_id: 'msg-1',
      operation: 'chat',
      input_tokens: 400,
      output_tokens: 50,
      occurred_at: '2026-12-01T10:00:02Z',
    },
    {
      provider: 'groq',
      model: 'whisper-unpriced',
      instance_id: inst,
      message_id: 'msg-1',
      operation: 'transcription',
      input_tokens: null,
      output_tokens: null,
      audio_seconds: 12,
      occurred_at: '2026-12-01T10:00:01Z',
    },
  ]);
});
test.after.always(async () => tdb?.drop());

test.serial('lists the calls of a message with their costs and the total', async (t) => {
  const res = await runCli(tdb.url, ['costs', 'message', 'msg-1']);
  t.is(res.code, 0, res.stderr);
  t.regex(res.stdout, /^Message msg-1: 3 calls/m);
  t.regex(res.stdout, /gpt-4o-mini\s+image_description\s+25525\s+142\s+—\s+\$0\.003914\s+priced/);
  t.regex(res.stdout, /whisper-unpriced\s+transcription\s+—\s+—\s+12\s+unknown\s+unpriced/);
  t.regex(res.stdout, /^Total: \$0\.004004/m);
  t.regex(res.stdout, /^Warning: 1 unpriced call/m);
  const json = await runCliJson<{ total_cost_usd: string; calls: { cost_usd: string | null }[] }>(tdb.url, [
    'costs',
    'message',
    'msg-1',
  ]);
  t.is(json.total_cost_usd, '0.00400395');
  t.deepEqual(
    json.calls.map((c) => c.cost_usd),
    ['0.00391395', null, '0.00009'],
  );
  t.snapshot(jsonShape(json), 'omni costs message --json');
});

test.serial('an unknown message says how calls get a message id', async (t) => {
  const res = await runCli(tdb.url, ['costs', 'message', 'nope']);
  t.is(res.code, 1);
  t.regex(res.stderr, /no calls recorded for message "nope"\. Record calls with their message id/);
});
