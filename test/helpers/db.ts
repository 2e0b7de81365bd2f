// Test databases: a template migrated once per schema version, cloned fresh for each test file.
// The server is DATABASE_URL's when set, otherwise the embedded one (started on demand).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR, migrate } from '../../src/db/migrate.ts';
import { createDb, type Db } from '../../src/db/pool.ts';
import { ensureDatabase, resolveDatabaseUrl, withDatabase } from '../../src/db/server.ts';

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
  /** Ends the pool and drops the database. */
  drop(): Promise<void>;
}

async function serverUrl(): Promise<string> {
  return resolveDatabaseUrl();
}

function migrationsHash(): string {
  const h = createHash('sha1');
  for (const f of fs.readdirSync(MIGRATIONS_DIR).sort())
    h.update(f).update(fs.readFileSync(path.join(MIGRATIONS_DIR, f)));
  return h.digest('hex').slice(0, 12);
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The migrated template for the current migrations; built once (under an advisory lock) and reused. */
export async function templateDatabase(): Promise<{ server: string; template: string }> {
  const server = await serverUrl();
  const template = `omni_costs_tpl_${migrationsHash()}`;
  await admin(server, async (c) => {
    await c.query('SELECT pg_advisory_lock(727001)');
    try {
      const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [
        template,
      ]);
      if (found.rowCount) return;
      await c.query(`DROP DATABASE IF EXISTS "${template}"`);
      await ensureDatabase(server, template);
      await migrate(withDatabase(server, template));
      await c.query(`ALTER DATABASE "${template}" WITH is_template true`);
      // Templates of older schema versions are no longer needed.
      const old = await c.query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'omni_costs_tpl_%' AND datname <> $1",
        [template],
      );
      for (const { datname } of old.rows) {
        await c.query(`ALTER DATABASE "${datname}" WITH is_template false`).catch(() => undefined);
        await c.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock(727001)');
    }
  });
  return { server, template };
}

/** A fresh database cloned from the template, with a pool. */
export async function freshDatabase(label = 'test'): Promise<TestDatabase> {
  const { server, template } = await templateDatabase();
  const name = `omni_costs_t_${label.replace(/\W/g, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await admin(server, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      break;
    } catch (error) {
      // 55006: the template is briefly in use by another clone; try again.
      if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
      await sleep(100 + Math.random() * 200);
    }
  }
  const url = withDatabase(server, name);
  const db = await createDb(url, { maximumPoolSize: 20 });
  return {
    url,
    name,
    db,
    drop: async () => {
      await db.end();
      await admin(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** A connection string for the same test database that acts as the given role (SET ROLE on connect). */
export function asRole(url: string, role: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c role=${role}`);
  return u.toString();
}
