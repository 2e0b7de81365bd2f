// Runs costsReport() once in a fresh process, as a command would (own pool, DATABASE_URL): used for the
// end-to-end time and peak RSS when the `omni costs` command is not there yet.
import { createDb } from '../../src/db/pool.ts';

const [since, until, by] = process.argv.slice(2);
const { costsReport } = await import('../../src/reporting/costs-report.ts');
const db = await createDb(process.env.DATABASE_URL!, { maximumPoolSize: 1 });
try {
  const report = await costsReport(db, {
    since: { date: since, instant: null },
    until: { date: until, instant: null },
    by: by as 'day',
  });
  process.stdout.write(`${JSON.stringify(report).length} bytes\n`);
} finally {
  await db.end();
}
