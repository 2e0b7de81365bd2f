// Refreshes the rollups the way production does: a job on the pg-boss refresh queue, run by a pg-boss
// worker. The demo sends the job and works the queue until that job is done.
import type { DatabasePool } from 'slonik';
import { createBoss, REFRESH_QUEUE } from '../jobs/queues.ts';
import { type RefreshResult, refreshRollups } from '../jobs/refresh-rollups.ts';

export interface BossRefresh {
  job_id: string | null;
  result: RefreshResult;
  /** Who ran it: our worker, or (when another `omni worker` is running) someone else's. */
  ran_by: 'demo worker' | 'another worker';
}

export async function refreshThroughBoss(
  db: DatabasePool,
  databaseUrl: string,
  timeoutMs = 60_000,
): Promise<BossRefresh> {
  const boss = createBoss(databaseUrl);
  await boss.start();
  try {
    if (!(await boss.getQueue(REFRESH_QUEUE))) {
      await boss.createQueue(REFRESH_QUEUE, {
        policy: 'stately',
        retryLimit: 5,
        retryDelay: 5,
        expireInSeconds: 600,
      });
    }
    let ours: RefreshResult | undefined;
    const done = Promise.withResolvers<void>();
    await boss.work(REFRESH_QUEUE, { pollingIntervalSeconds: 0.5 }, async () => {
      ours = await refreshRollups(db);
      done.resolve();
      return ours;
    });
    // A stately queue holds one queued job: if one is waiting already, send returns null and ours runs that one.
    const jobId = await boss.send(REFRESH_QUEUE, { reason: 'omni demo' });
    const deadline = Date.now() + timeoutMs;
    while (!ours && Date.now() < deadline) {
      await Promise.race([done.promise, new Promise((r) => setTimeout(r, 500))]);
      if (ours) break;
      const job = jobId ? await boss.getJobById(REFRESH_QUEUE, jobId) : null;
      if (job?.state === 'completed') {
        // Another `omni worker` took the job; its refresh is committed.
        return { job_id: jobId, result: job.output as RefreshResult, ran_by: 'another worker' };
      }
      if (job?.state === 'failed')
        throw new Error(`the refresh job ${jobId} failed: ${JSON.stringify(job.output)}`);
    }
    if (!ours)
      throw new Error(`the refresh job did not run within ${timeoutMs / 1000} s; is pg-boss healthy?`);
    return { job_id: jobId, result: ours, ran_by: 'demo worker' };
  } finally {
    await boss.stop({ graceful: true, timeout: 10_000 });
  }
}
