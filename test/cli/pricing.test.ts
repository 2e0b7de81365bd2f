// The pricing commands and omni costs explain, run as the real binary against a fresh database: tables
// for people, --json with snake_case keys and money as decimal strings, non-zero exits with clear messages.
import { spawn } from 'node:child_process';
import test from 'ava';
import { sql } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { loadDesiredPrices } from '../../src/pricing/sync.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { createBatchRow, instance } from '../helpers/fixtures.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('cli_pricing');
});
test.after.always(async () => {
  await d?.drop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function omni(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['cli/bin/run.js', ...args], {
      env: { ...process.env, DATABASE_URL: d.url },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function omniJson(...args: string[]): Promise<Record<string, unknown>> {
  const run = await omni(...args, '--json');
  if (run.code !== 0)
    throw new Error(`omni ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
  const parsed = JSON.parse(run.stdout) as Record<string, unknown>;
  const bad = keysNotSnakeCase(parsed);
  if (bad.length > 0) throw new Error(`keys not in snake_case: ${bad.join(', ')}`);
  return parsed;
}

function keysNotSnakeCase(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysNotSnakeCase);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(/^[a-z][a-z0-9_]*$/.test(key) ? [] : [key]),
    ...keysNotSnakeCase(child),
  ]);
}

test.serial('omni pricing sync: dry run, real run, and a second run that changes nothing', async (t) => {
  const total = loadDesiredPrices().rows.length;
  const dry = await omniJson('pricing', 'sync', '--dry-run');
  t.like(dry, { dry_run: true, opened: total, closed: 0 });
  t.is(await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_pricing`), 0);

  const first = await omni('pricing', 'sync');
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^action\s+pricing_id\s+provider\s+model/m);
  t.regex(first.stdout, new RegExp(`${total} price ranges were opened, 0 closed, 0 unchanged`));

  const second = await omni('pricing', 'sync');
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, new RegExp(`^0 price ranges were opened, 0 closed, ${total} unchanged`, 'm'));
  t.like(await omniJson('pricing', 'sync'), { opened: 0, closed: 0, unchanged: total, changes: [] });
});

test.serial('omni pricing list: the prices in force at a time, money as decimal strings', async (t) => {
  const table = await omni(
    'pricing',
    'list',
    '--provider',
    'openai',
    '--model',
    'gpt-4o',
    '--at',
    '2024-09-01',
  );
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^pricing_id\s+provider\s+model\s+tier\s+min_input\s+from\s+until\s+prices$/m);
  t.regex(table.stdout, /openai\s+gpt-4o\s+standard\s+0\s+2024-05-13\s+2024-10-02\s+in 5\.00 · out 15\.00/);

  const json = await omniJson('pricing', 'list', '--provider', 'openai', '--model', 'gpt-4o');
  const [row] = json.prices as Record<string, unknown>[];
  t.like(row, {
    provider: 'openai',
    model: 'gpt-4o',
    effective_from: '2024-10-02T00:00:00.000Z',
    effective_until: null,
    input_usd_per_mtok: '2.50',
    cached_input_usd_per_mtok: '1.25',
    output_usd_per_mtok: '10.00',
    in_force: true,
  });
  const bad = await omni('pricing', 'list', '--at', 'yesterday');
  t.not(bad.code, 0);
  t.regex(bad.stderr, /--at: must be a date YYYY-MM-DD/);
});

test.serial('omni pricing set, history, reprice and costs explain', async (t) => {
  const inst = instance();
  const batch = await createBatchRow(d.db, inst);
  const call = {
    provider: 'openai',
    model: 'gpt-4.1-mini-2025-04-14',
    instance_id: inst,
    input_tokens: 1_000_000,
    output_tokens: 100_000,
  };
  const [early, late] = await recordUsage(d.db, [
    { ...call, occurred_at: '2026-02-01T10:00:00Z', batch_job_id: batch },
    { ...call, occurred_at: '2026-03-02T10:00:00Z', batch_job_id: batch },
  ]);
  // gpt-4.1-mini at 0.40 / 1.60: 1M x 0.40 + 0.1M x 1.60 = 0.56.
  t.deepEqual([early.processing_cost_usd, late.processing_cost_usd], ['0.56', '0.56']);

  const overlap = await omni(
    'pricing',
    'set',
    '--provider',
    'openai',
    '--model',
    'gpt-4.1-mini',
    '--from',
    '2020-01-01',
    '--input-usd-per-mtok',
    '1',
    '--output-usd-per-mtok',
    '2',
  );
  t.is(overlap.code, 1);
  t.regex(overlap.stderr, /overlaps pricing_id \d+ \["2025-04-14 00:00:00\+00",\)/);

  const set = await omni(
    'pricing',
    'set',
    '--provider',
    'openai',
    '--model',
    'gpt-4.1-mini',
    '--from',
    '2026-03-01',
    '--input-usd-per-mtok',
    '0.50',
    '--cached-input-usd-per-mtok',
    '0.125',
    '--output-usd-per-mtok',
    '2',
    '--reason',
    'price change on March 1',
  );
  t.is(set.code, 0, set.stderr);
  t.regex(set.stdout, /^close\s+\d+\s+2025-04-14\s+2026-03-01$/m);
  t.regex(set.stdout, /^open\s+\d+\s+2026-03-01\s+—$/m);

  const history = await omni('pricing', 'history', 'gpt-4.1-mini');
  t.is(history.code, 0, history.stderr);
  t.regex(history.stdout, /2026-03-01\s+—\s+in 0\.50 · cache read 0\.125 · out 2\s+cli/);
  t.regex(history.stdout, /close\s+\d+\s+price change on March 1/);
  const historyJson = await omniJson('pricing', 'history', 'gpt-4.1-mini', '--provider', 'openai');
  t.is((historyJson.prices as unknown[]).length, 2);
  t.deepEqual(
    (historyJson.changes as { action: string }[]).map((c) => c.action),
    ['sync_open', 'close', 'open'],
  );

  const dry = await omni(
    'pricing',
    'reprice',
    '--model',
    'gpt-4.1-mini',
    '--since',
    '2026-01-01',
    '--dry-run',
  );
  t.is(dry.code, 0, dry.stderr);
  // At the new price: 1M x 0.50 + 0.1M x 2 = 0.7, so the March call moves by 0.14.
  t.regex(dry.stdout, /^2026-03-02\s+1\s+0\.56\s+0\.7\s+0\.14$/m);
  t.regex(dry.stdout, new RegExp(`^${batch}\\s+1\\s+0\\.56\\s+0\\.7\\s+0\\.14$`, 'm'));
  t.regex(dry.stdout, /Dry run: would change 1 calls, total 0\.56 -> 0\.7 USD \(delta 0\.14\)/);

  const noReason = await omni('pricing', 'reprice', '--model', 'gpt-4.1-mini');
  t.not(noReason.code, 0);
  t.regex(noReason.stderr, /reason/);
  const real = await omniJson(
    'pricing',
    'reprice',
    '--model',
    'gpt-4.1-mini',
    '--since',
    '2026-01-01',
    '--reason',
    'March price',
  );
  t.like(real, {
    dry_run: false,
    rows_changed: 1,
    old_total_usd: '0.56',
    new_total_usd: '0.7',
    delta_usd: '0.14',
  });
  t.deepEqual(real.batches, [
    { batch_job_id: batch, rows_changed: 1, old_total_usd: '0.56', new_total_usd: '0.7', delta_usd: '0.14' },
  ]);
  t.is(typeof real.run_id, 'number');

  const explain = await omni('costs', 'explain', String(late.usage_id));
  t.is(explain.code, 0, explain.stderr);
  t.regex(explain.stdout, /Rule: alias: an explicit alias rule/);
  t.regex(explain.stdout, /^input\s+1000000\s+token\s+0\.0000005\s+0\.5$/m);
  t.regex(explain.stdout, /^output\s+100000\s+token\s+0\.000002\s+0\.2$/m);
  t.regex(explain.stdout, /Total: 0\.7 USD \(stored: 0\.7\)/);
  const explained = await omniJson('costs', 'explain', String(early.usage_id));
  t.like(explained, { total_usd: '0.56', stored_cost_usd: '0.56', equals_stored: true });
  t.like(explained.rule, { pricing_match: 'alias', priced_as: 'gpt-4.1-mini' });
  t.like(explained.price, { model: 'gpt-4.1-mini', input_usd_per_mtok: '0.40', output_usd_per_mtok: '1.60' });

  const missing = await omni('costs', 'explain', '987654');
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no usage row with usage_id 987654/);
});

test.serial('omni pricing gaps and omni pricing estimates', async (t) => {
  await recordUsage(d.db, [
    {
      provider: 'gemini',
      model: 'gemini-9-ultra',
      instance_id: instance(),
      occurred_at: '2026-05-01T00:00:00Z',
      input_tokens: 10,
      output_tokens: 1,
    },
  ]);
  const gaps = await omni('pricing', 'gaps');
  t.is(gaps.code, 0, gaps.stderr);
  t.regex(gaps.stdout, /Models used without a price:/);
  t.regex(gaps.stdout, /gemini\s+gemini-9-ultra\s+1\s+2026-05-01/);
  const gapsJson = await omniJson('pricing', 'gaps');
  t.true(
    (gapsJson.gaps as { kind: string; model: string }[]).some(
      (g) => g.kind === 'unpriced_model' && g.model === 'gemini-9-ultra',
    ),
  );

  const estimates = await omni('pricing', 'estimates');
  t.is(estimates.code, 0, estimates.stderr);
  t.regex(estimates.stdout, /^estimate_id\s+operation\s+provider\s+model/m);
  t.regex(estimates.stdout, /transcription\s+\*\s+\*\s+1000\s+200\s+60\s+0\.006/);
  const json = await omniJson('pricing', 'estimates');
  t.like(
    (json.estimates as Record<string, unknown>[]).find((e) => e.operation === 'transcription'),
    {
      audio_seconds: '60',
      usd_per_call: '0.006',
    },
  );
});
