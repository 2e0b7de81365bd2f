import test from 'ava';
import { sql } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { REFRESH_QUEUE } from '../../src/jobs/queues.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { freshDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';

const waitFor = async (check: () => Promise<boolean>, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};

test('a pg-boss job refreshes the rollups, and a second request while one is queued is not queued twice', async (t) => {
  const d = await freshDatabase('refresh_job');
  const worker = await startWorker(d.db, d.url, { refreshCron: '*/5 * * * *' });
  try {
    await addPrice(d.db, {
      provider: 'openai',
      model: 'text-embedding-3-small',
      from: '2024-01-25T00:00:00Z',
      prices: { input_usd_per_mtok: '0.02' },
    });
    await recordUsage(d.db, [
      {
        provider: 'openai',
        model: 'text-embedding-3-small',
        instance_id: instance(),
        operation: 'embedding',
        input_tokens: 5_000_000,
        output_tokens: 0,
      },
    ]);
    const schedules = await worker.boss.getSchedules();
    t.true(
      schedules.some((s) => s.name === REFRESH_QUEUE && s.cron === '*/5 * * * *'),
      'the refresh is scheduled',
    );

    const id = await worker.boss.send(REFRESH_QUEUE, {});
    t.truthy(id);
    const done = await waitFor(async () => {
      const v = await d.db.maybeOneFirst(sql.unsafe`SELECT cost_usd FROM omni_costs.daily_model_costs`);
      return v === '0.1';
    });
    t.true(done, 'the materialized view holds the new cost after the job ran');
    // pg-boss marks the job completed just after its handler returns: wait for that too.
    const completed = await waitFor(
      async () => (await worker.boss.getJobById(REFRESH_QUEUE, id!))?.state === 'completed',
    );
    t.true(completed, 'the job is completed');

    // Stately queue: with one refresh already waiting, another request is not queued.
    await worker.boss.offWork(REFRESH_QUEUE);
    const first = await worker.boss.send(REFRESH_QUEUE, {});
    const second = await worker.boss.send(REFRESH_QUEUE, {});
    t.truthy(first);
    t.is(second, null);
  } finally {
    await worker.stop();
    await d.drop();
  }
});
