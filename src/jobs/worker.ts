// The background worker (`omni worker`): runs the scheduled rollup refresh and partition maintenance.
import type { PgBoss } from 'pg-boss';
import { type DatabasePool, sql } from 'slonik';
import { createBoss, PARTITIONS_QUEUE, REFRESH_QUEUE, setupQueues } from './queues.ts';
import { refreshRollups } from './refresh-rollups.ts';

export interface WorkerOptions {
  refreshCron?: string;
  log?: (line: string) => void;
}

export interface RunningWorker {
  boss: PgBoss;
  stop(): Promise<void>;
}

export async function ensurePartitionsAhead(db: DatabasePool): Promise<number> {
  return db.oneFirst(
    sql.unsafe`SELECT omni_costs.ensure_usage_partitions(date_trunc('month', now())::date,
                                                         (date_trunc('month', now()) + interval '4 months')::date)`,
  ) as Promise<number>;
}

export async function startWorker(db: DatabasePool, databaseUrl: string, options: WorkerOptions = {}) {
  const log = options.log ?? (() => undefined);
  const boss = createBoss(databaseUrl);
  await boss.start();
  await setupQueues(boss, options.refreshCron);
  await boss.work(REFRESH_QUEUE, async () => {
    const result = await refreshRollups(db);
    log(
      `refreshed rollups: ${result.rows_added} rows added, ${result.days_recomputed} days re-aggregated, ${result.duration_ms} ms`,
    );
    return result;
  });
  await boss.work(PARTITIONS_QUEUE, async () => {
    const created = await ensurePartitionsAhead(db);
    log(`partitions: ${created} created`);
    return { created };
  });
  return {
    boss,
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  } satisfies RunningWorker;
}
