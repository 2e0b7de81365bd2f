// Which PostgreSQL to use: DATABASE_URL when set, otherwise the embedded server with its omni_costs database.
import pg from 'pg';
import { ensureEmbeddedServer } from './embedded.ts';
import { DatabaseUnavailableError } from './errors.ts';

export const EMBEDDED_DATABASE = 'omni_costs';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates the database if it does not exist (connecting to the server's maintenance database). */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client
        .query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`)
        .catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created meanwhile by another process
        });
    }
  } catch (cause) {
    throw new DatabaseUnavailableError(
      `cannot reach PostgreSQL at ${redact(serverUrl)}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The connection string every command uses. */
export async function resolveDatabaseUrl(): Promise<string> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return fromEnv;
  const server = await ensureEmbeddedServer();
  await ensureDatabase(server.adminUrl, EMBEDDED_DATABASE);
  return withDatabase(server.adminUrl, EMBEDDED_DATABASE);
}

/** A connection string with its password hidden, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable connection string)';
  }
}
