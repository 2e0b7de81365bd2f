// omni batch status through the real binary: id prefixes, cost so far, cost per item, the projected total
// (in SQL numeric), the estimate beside the actual, and --watch.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { sql } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { jsonShape, runCli, runCliJson } from '../helpers/omni-cli.ts';

let tdb: TestDatabase;
const inst = instance();
const BATCH = 'abcd1234-0000-4000-8000-000000000001';
const TWIN = 'abcd5678-0000-4000-8000-000000000002';
const OTHER = 'fe001234-0000-4000-8000-000000000003';

interface Status {
  id: string;
  status: string;
  total_cost_usd: string;
  cost_per_item_usd: string | null;
  projected_total_usd: string | null;
  estimated_cost_usd: string | null;
  actual_vs_estimate_pct: string | null;
  progress_permille: number | null;
}

test.before(async () => {
  tdb = await freshDatabase('cli_batch');
  // A flat 0.1 USD per request keeps the arithmetic visible: 3 calls = 0.3.
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'flat-model',
    from: '2024-01-01',
    prices: { usd_per_request: '0.1' },
  });
  for (const [id, items] of [
    [BATCH, 9],
    [TWIN, 5],
    [OTHER, 4],
  ] as const) {
    await tdb.db.query(sql.unsafe`
      INSERT INTO omni_costs.batch_jobs (id, instance_id, job_type, status, total_items, processed_items, started_at)
      VALUES (${id}, ${inst}, 'media_processing', 'running', ${items}, 0, now())`);
  }
  await recordUsage(
    tdb.db,
    [1, 2, 3].map((i) => ({
      provider: 'openai',
      model: 'flat-model',
      instance_id: inst,
      batch_job_id: BATCH,
      message_id: `m${i}`,
      input_tokens: 10,
      output_tokens: 1,
    })),
  );
  await tdb.db.query(
    sql.unsafe`UPDATE omni_costs.batch_jobs SET processed_items = 2, failed_items = 1 WHERE id = ${BATCH}`,
  );
});
test.after.always(async () => tdb?.drop());

test.serial('a unique prefix finds the batch; cost per item and projected total are exact', async (t) => {
  const s = await runCliJson<Status>(tdb.url, ['batch', 'status', 'ABCD1']);
  t.is(s.id, BATCH);
  t.is(s.total_cost_usd, '0.3');
  t.is(s.cost_per_item_usd, '0.15');
  // 0.3 / 2 * 9 = 1.35, computed as numeric (a float would give 1.3499999999999999).
  t.is(s.projected_total_usd, '1.35');
  t.is(s.progress_permille, 222);
  t.snapshot(jsonShape(s), 'omni batch status --json');

  const text = await runCli(tdb.url, ['batch', 'status', 'fe00']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^Batch\s+fe001234-0000-4000-8000-000000000003 {2}media_processing/m);
  t.regex(text.stdout, /^Per item\s+— \(nothing processed yet\)/m);
  const main = await runCli(tdb.url, ['batch', 'status', BATCH]);
  t.regex(main.stdout, /^Progress\s+\[█{7}░{23}\] 2 of 9 \(22\.2%\), 1 failed/m);
  t.regex(main.stdout, /^Cost so far\s+\$0\.300000 over 3 calls/m);
  t.regex(main.stdout, /^Projected\s+\$1\.350000 at 9 items/m);
  t.regex(main.stdout, /^Estimate\s+none stored/m);
});

test.serial('an ambiguous prefix is refused, listing the matches', async (t) => {
  const res = await runCli(tdb.url, ['batch', 'status', 'abcd']);
  t.is(res.code, 1);
  t.regex(res.stderr, /batch id prefix "abcd" matches 2 batches/);
  t.regex(res.stderr, new RegExp(BATCH));
  t.regex(res.stderr, new RegExp(TWIN));
  const none = await runCli(tdb.url, ['batch', 'status', '99999']);
  t.is(none.code, 1);
  t.regex(none.stderr, /no batch job with an id starting "99999"\. Create one with: omni batch create/);
  const bad = await runCli(tdb.url, ['batch', 'status', "x'; drop"]);
  t.is(bad.code, 2);
});

test.serial('the estimate stored by batch estimate --batch shows beside the actual', async (t) => {
  const est = await runCliJson<{ total_usd: { mid: string }; stored_on_batch: string }>(tdb.url, [
    'batch',
    'estimate',
    '--instance',
    inst,
    '--type',
    'chat',
    '--items',
    '9',
    '--model',
    'flat-model',
    '--provider',
    'openai',
    '--batch',
    'abcd1234-0000-4000-8000-000000000001',
  ]);
  t.is(est.stored_on_batch, BATCH);
  t.is(est.total_usd.mid, '0.9', 'history: 0.1 per item at today’s price, 9 items');
  const s = await runCliJson<Status>(tdb.url, ['batch', 'status', BATCH]);
  t.is(s.estimated_cost_usd, '0.9');
  t.is(s.actual_vs_estimate_pct, '-66.7');
  const text = await runCli(tdb.url, ['batch', 'status', BATCH]);
  t.regex(text.stdout, /^Estimate\s+\$0\.900000 pre-run; actual \$0\.300000 is -66\.7% \(-\$0\.600000\)/m);
});

test.serial('--watch redraws until the batch ends', async (t) => {
  const child = spawn(
    process.execPath,
    ['cli/bin/run.js', 'batch', 'status', TWIN, '--watch', '--interval', '1'],
    {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      env: { ...process.env, DATABASE_URL: tdb.url },
    },
  );
  let stdout = '';
  const firstFrame = Promise.withResolvers<void>();
  child.stdout.on('data', (d) => {
    stdout += d;
    if (/Status\s+running/.test(stdout)) firstFrame.resolve();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await firstFrame.promise;
  await tdb.db.query(sql.unsafe`
    UPDATE omni_costs.batch_jobs SET processed_items = 5, status = 'completed', completed_at = now() WHERE id = ${TWIN}`);
  t.is(await exited, 0);
  const frames = stdout.split(/^Batch /m).filter(Boolean);
  t.true(frames.length >= 2, `several frames (got ${frames.length})`);
  t.regex(frames[0], /Status\s+running/);
  t.regex(frames.at(-1)!, /Status\s+completed/);
  t.regex(frames.at(-1)!, /\[█{30}\] 5 of 5 \(100\.0%\)/);
});
