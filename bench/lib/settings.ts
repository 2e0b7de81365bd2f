// The server and machine the numbers come from.
import os from 'node:os';
import type pg from 'pg';

const NAMES = [
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'maintenance_work_mem',
  'synchronous_commit',
  'fsync',
  'wal_level',
  'max_wal_size',
  'checkpoint_timeout',
  'jit',
  'max_parallel_workers_per_gather',
  'random_page_cost',
  'autovacuum',
  'max_connections',
];

export async function serverSettings(
  c: pg.Client,
): Promise<{ version: string; settings: Array<[string, string]> }> {
  const v = await c.query<{ v: string }>("SELECT split_part(version(), ' on ', 1) AS v");
  const s = await c.query<{ name: string; setting: string }>(
    'SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1) ORDER BY name',
    [NAMES],
  );
  return { version: v.rows[0].v, settings: s.rows.map((r) => [r.name, r.setting]) };
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.availableParallelism()} CPUs (nproc) · ${cpu} · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory · ${os.platform()} ${os.release()} · Node ${process.version}`;
}
