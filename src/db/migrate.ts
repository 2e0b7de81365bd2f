// Applies migrations/ (node-pg-migrate history) to a database. sql/ is the current definition; a test
// checks that migrating from zero yields exactly the schema sql/ describes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
export const SQL_DIR = fileURLToPath(new URL('../../sql', import.meta.url));

export interface MigrationResult {
  applied: string[];
}

export async function migrate(
  databaseUrl: string,
  direction: 'up' | 'down' = 'up',
): Promise<MigrationResult> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction,
    count: direction === 'down' ? 1 : Number.POSITIVE_INFINITY,
    migrationsTable: 'omni_costs_migrations',
    migrationsSchema: 'public',
    checkOrder: true,
    log: () => undefined,
    noLock: false,
    // Every command migrates on start: concurrent commands wait for the first one instead of failing.
    advisoryLockMode: 'wait',
  });
  return { applied: applied.map((m) => path.basename(m.name)) };
}
