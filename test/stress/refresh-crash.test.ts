// A rollup refresh that crashes half-way (its backend killed with pg_terminate_backend while it waits to
// refresh the second materialized view) is retried by pg-boss, and the views are never seen half-built:
// before the retry they show the previous refresh, after it they equal the raw rows.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { REFRESH_QUEUE } from '../../src/jobs/queues.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { dailyMismatches, viewMismatches } from '../helpers/invariants.ts';

let tdb: TestDatabase;
test.before(async () => {
  tdb = await freshDatabase('stress_refresh_crash');
  await addPrice(tdb.db, {
    provider: 'anthropic',
    model: 'claude-crash',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '3', output_usd_per_mtok: '15' },
  });
});
test.after.always(async () => {
  await tdb?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const calls = (day: string, n: number, inst: string) =>
  Array.from({ length: n }, (_, i) => ({
    idempotency_key: randomUUID(),
    occurred_at: `${day}T${String(i % 24).padStart(2, '0')}:30:00Z`,
    instance_id: inst,
    provider: 'anthropic',
    model: 'claude-crash',
    operation: 'chat',
    input_tokens: 3000 + i,
    output_tokens: 400,
  }));

/** Everything a reader can see of the rollups. */
async function visibleRollups() {
  const { db } = tdb;
  return {
    state: await db.one(
      sql.unsafe`SELECT snapshot::text, rows_added, days_recomputed FROM omni_costs.rollup_state`,
    ),
    daily: await db.any(sql.unsafe`SELECT day::text, instance_id, cost_status::text, calls, cost_usd::text
                                     FROM omni_costs.usage_daily ORDER BY 1, 2, 3`),
    perInstance: await db.any(sql.unsafe`SELECT day::text, instance_id, calls, cost_usd::text
                                           FROM omni_costs.daily_instance_costs ORDER BY 1, 2`),
    perModel: await db.any(
      sql.unsafe`SELECT day::text, model, calls, cost_usd::text FROM omni_costs.daily_model_costs ORDER BY 1, 2`,
    ),
    refreshes: await db.any(
      sql.unsafe`SELECT view_name, refreshed_at, row_count FROM omni_costs.view_refreshes ORDER BY 1`,
    ),
  };
}

test('a refresh job killed mid-refresh is retried by pg-boss and never leaves a view half-built', async (t) => {
  const { db } = tdb;
  const inst = instance();
  await recordUsage(db, calls('2026-11-29', 30, inst));
  await refreshRollups(db);
  // New rows and a deleted one (a dirty day): the next refresh changes usage_daily and both views.
  await recordUsage(db, calls('2026-11-30', 20, inst));
  await db.query(sql.unsafe`
    DELETE FROM omni_costs.model_usage WHERE usage_id = (SELECT min(usage_id) FROM omni_costs.model_usage)`);
  const before = await visibleRollups();

  const worker = await startWorker(db, tdb.url, { refreshCron: '0 0 1 1 *' });
  try {
    // Hold the lock that REFRESH MATERIALIZED VIEW CONCURRENTLY of the second view must wait for (an open
    // transaction that refreshes it too, and will roll back).
    const blocked = await db.connect(async (blocker) => {
      await blocker.query(sql.unsafe`BEGIN`);
      await blocker.query(sql.unsafe`REFRESH MATERIALIZED VIEW CONCURRENTLY omni_costs.daily_model_costs`);
      const jobId = await worker.boss.send(REFRESH_QUEUE, {});
      t.truthy(jobId);
      // The refresh has updated usage_daily, rollup_state and the first view, and now waits on our lock.
      const pid = await waitFor('the refresh to block on the second view', () =>
        db.maybeOneFirst(sql.type(z.object({ pid: z.number() }))`
          SELECT a.pid FROM pg_stat_activity a
           WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.query ILIKE '%refresh_rollups%'`),
      );
      t.deepEqual(await visibleRollups(), before, 'while the refresh runs, readers see the previous refresh');
      await db.query(sql.unsafe`SELECT pg_terminate_backend(${pid})`);
      await waitFor('the refresh backend to be gone', async () => {
        const n = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
          SELECT count(*) AS n FROM pg_stat_activity WHERE pid = ${pid}`);
        return n === 0;
      });
      t.deepEqual(
        await visibleRollups(),
        before,
        'after the crash nothing of the refresh is visible: no half-built view',
      );
      await blocker.query(sql.unsafe`ROLLBACK`);
      return jobId as string;
    });

    const job = await waitFor(
      'pg-boss to retry the job to completion',
      async () => {
        const j = await worker.boss.getJobById(REFRESH_QUEUE, blocked);
        return j?.state === 'completed' ? j : undefined;
      },
      90_000,
    );
    t.true(job.retryCount >= 1, `the job was retried (retryCount ${job.retryCount})`);
    t.deepEqual(await dailyMismatches(db), [], 'usage_daily equals the raw rows after the retry');
    t.deepEqual(await viewMismatches(db), [], 'both views equal the raw rows after the retry');
    const after = await visibleRollups();
    t.notDeepEqual(after.perModel, before.perModel, 'the retried refresh did the work');
    t.log(`job ${blocked}: state ${job.state} after ${job.retryCount} retry(ies)`);
  } finally {
    await worker.stop();
  }
});
