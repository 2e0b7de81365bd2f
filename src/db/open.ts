// Opens the database for a command: resolve the server (DATABASE_URL or embedded), apply pending
// migrations (so every command works with no setup), and create the pool.
import { migrate } from './migrate.ts';
import { createDb, type Db } from './pool.ts';
import { resolveDatabaseUrl } from './server.ts';

export interface OpenDb {
  db: Db;
  url: string;
  close(): Promise<void>;
}

export async function openDb(options: { migrate?: boolean; maximumPoolSize?: number } = {}): Promise<OpenDb> {
  const url = await resolveDatabaseUrl();
  if (options.migrate !== false) await migrate(url);
  const db = await createDb(url, { maximumPoolSize: options.maximumPoolSize });
  return { db, url, close: () => db.end() };
}
