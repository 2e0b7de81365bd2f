// omni demo: the whole pipeline on a fresh database, twice (a new batch each run; the second run estimates
// from the first run's history).
import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { runCli } from '../helpers/omni-cli.ts';

let tdb: TestDatabase;
test.before(async () => {
  tdb = await freshDatabase('cli_demo');
});
test.after.always(async () => tdb?.drop());

interface DemoJson {
  batch_id: string;
  prices_synced: { opened: number };
  prices_loaded: string[];
  estimate: { total_usd: string | null; parts: { basis: string }[] };
  replay: { calls: number; failed: number; by_worker: number[] };
  refresh: { job_id: string | null; result: { rows_added: number } };
  costs: { totals: { calls: number; cost_usd: string; unpriced_calls: number; not_billed_calls: number } };
  batch_status: {
    status: string;
    processed_items: number;
    failed_items: number;
    total_cost_usd: string;
    estimated_cost_usd: string | null;
  };
}

test.serial(
  'replays a media batch through capture and ingest with concurrent workers and reports it',
  async (t) => {
    const res = await runCli(tdb.url, ['demo']);
    t.is(res.code, 0, res.stderr);
    t.regex(res.stdout, /^Prices: omni pricing sync opened [1-9]\d* and closed 0 price ranges/m);
    t.regex(res.stdout, /with 4 workers, each on its own connection/);
    t.regex(
      res.stdout,
      /^Refreshed the rollups through pg-boss job [0-9a-f-]{36} \(demo worker\): 24 rows added\./m,
    );
    t.regex(res.stdout, /^\$ omni costs --instance /m);
    t.regex(res.stdout, /^gemini\/gemini-exp-1206\s+1\s+unknown/m);
    t.regex(res.stdout, /^Warning: 1 unpriced call/m);
    t.regex(res.stdout, /^\$ omni batch status [0-9a-f]{8}$/m);
    t.regex(res.stdout, /^Progress\s+\[█{30}\] 24 of 24 \(100\.0%\), 1 failed/m);
    t.regex(res.stdout, /^Estimate\s+\$0\.\d{6} pre-run; actual/m);

    const truth = await tdb.db.one(sql.type(z.object({ cost: z.string(), calls: z.number() }))`
    SELECT trim_scale(sum(processing_cost_usd))::text AS cost, count(*) AS calls FROM omni_costs.model_usage`);
    t.is(truth.calls, 24);
    const jobs = await tdb.db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*) AS n FROM pgboss.job WHERE name = 'omni-costs-refresh-rollups' AND state = 'completed'`);
    t.is(jobs, 1, 'the refresh ran as a pg-boss job');
  },
);

test.serial('runs again with a new batch, estimated from the first run’s history', async (t) => {
  const res = await runCli(tdb.url, ['demo', '--json']);
  t.is(res.code, 0, res.stderr);
  const demo = JSON.parse(res.stdout) as DemoJson;
  t.deepEqual(demo.prices_loaded, [], 'the sync priced every demo model');
  t.is(demo.prices_synced.opened, 0, 'the second sync changes nothing');
  t.is(demo.replay.calls, 24);
  t.is(demo.replay.failed, 1);
  t.is(demo.replay.by_worker.length, 4);
  t.true(demo.estimate.parts.some((p) => p.basis === 'history'));
  t.is(demo.batch_status.status, 'completed');
  t.is(demo.batch_status.processed_items, 24);
  t.is(demo.batch_status.failed_items, 1);
  t.truthy(demo.batch_status.estimated_cost_usd);
  t.is(demo.costs.totals.calls, 48);
  t.is(demo.costs.totals.unpriced_calls, 2);
  t.is(demo.costs.totals.not_billed_calls, 2);
  const batches = await tdb.db.any(sql.type(z.object({ id: z.string(), total_cost_usd: z.string() }))`
    SELECT id::text, trim_scale(total_cost_usd)::text AS total_cost_usd FROM omni_costs.batch_jobs ORDER BY created_at`);
  t.is(batches.length, 2);
  t.not(batches[0].id, batches[1].id);
  t.is(batches[0].total_cost_usd, batches[1].total_cost_usd, 'the same replay costs the same');
  const truth = await tdb.db.oneFirst(sql.type(z.object({ cost: z.string() }))`
    SELECT trim_scale(sum(processing_cost_usd))::text AS cost FROM omni_costs.model_usage`);
  t.is(demo.costs.totals.cost_usd, truth);
});
