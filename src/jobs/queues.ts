// pg-boss queues and schedules. The refresh queue is "stately": at most one job queued and one active,
// so two refreshes never run at once (refresh_rollups() also serialises itself with a table lock).
import { PgBoss } from 'pg-boss';

export const REFRESH_QUEUE = 'omni-costs-refresh-rollups';
export const PARTITIONS_QUEUE = 'omni-costs-ensure-partitions';
export const DEFAULT_REFRESH_CRON = '*/5 * * * *';
export const PARTITIONS_CRON = '17 3 * * *';

export function createBoss(databaseUrl: string): PgBoss {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', max: 4 });
  boss.on('error', (error: Error) => console.error(`pg-boss: ${error.message}`));
  return boss;
}

/** Creates the queues (idempotent) and installs the schedules. */
export async function setupQueues(boss: PgBoss, refreshCron = DEFAULT_REFRESH_CRON): Promise<void> {
  for (const name of [REFRESH_QUEUE, PARTITIONS_QUEUE]) {
    if (!(await boss.getQueue(name))) {
      await boss.createQueue(name, { policy: 'stately', retryLimit: 5, retryDelay: 5, expireInSeconds: 600 });
    }
  }
  await boss.schedule(REFRESH_QUEUE, refreshCron, {}, { tz: 'UTC' });
  await boss.schedule(PARTITIONS_QUEUE, PARTITIONS_CRON, {}, { tz: 'UTC' });
}
