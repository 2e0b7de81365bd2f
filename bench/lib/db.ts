// Databases of the benchmark: migrated clones of the test template (test/helpers/db.ts) on the DATABASE_URL
// server, or the embedded one. Every database made here is dropped at the end of the run.
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../../test/helpers/db.ts';

export type BenchDatabase = TestDatabase;

const opened: BenchDatabase[] = [];

/** A fresh, migrated database (dropped by dropAll()). */
export async function benchDatabase(label: string): Promise<BenchDatabase> {
  const d = await freshDatabase(`bench_${label}`);
  opened.push(d);
  return d;
}

export async function dropAll(): Promise<void> {
  while (opened.length) {
    const d = opened.pop()!;
    await d.drop().catch((e: Error) => console.error(`could not drop ${d.name}: ${e.message}`));
  }
}

/** A plain pg client on the database, in UTC with the omni_costs search path (as the pool's sessions). */
export async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({
    connectionString: url,
    options: '-c TimeZone=UTC -c search_path=omni_costs,public',
  });
  await c.connect();
  return c;
}

/** Runs fn with a short-lived client. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await client(url);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Server time of a statement: EXPLAIN (ANALYZE) planning + execution, in ms. */
export async function explainAnalyze(
  c: pg.Client,
  text: string,
  values: readonly unknown[] = [],
): Promise<{ planning: number; execution: number; total: number; plan: unknown }> {
  const res = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, values as unknown[]);
  const top = (res.rows[0]['QUERY PLAN'] as Array<Record<string, unknown>>)[0];
  const planning = Number(top['Planning Time']);
  const execution = Number(top['Execution Time']);
  return { planning, execution, total: planning + execution, plan: top.Plan };
}
