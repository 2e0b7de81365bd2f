// npm run bench: the performance benchmarks of omni-costs (not timed tests). Prints a markdown table of
// ratios against baselines measured in the same run and writes it to bench/RESULTS.md.
//
//   BENCH_ROWS=1000000        rows of the report dataset (10000000 for the 10M run; see bench/README.md)
//   BENCH_WORKER_ROWS=200000  of those, rows ingested through recordUsage by one worker (the memory test;
//                             1000000 for the full 1M-row worker test)
//   BENCH_SECONDS=5           length of each ingest / hot-batch cell
//   BENCH_ROUNDS=2            interleaved rounds per cell (the median is kept)
//   BENCH_ONLY=ingest,hot,reports  run only these parts (reports = 3 to 6)
//   BENCH_KEEP=1              keep the report database afterwards (its name is printed)
//   DATABASE_URL              server to use (default: the embedded one)
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchHotBatch } from './hot-batch.ts';
import { benchIngest } from './ingest.ts';
import { benchDatabase, client, dropAll } from './lib/db.ts';
import { seedPrices } from './lib/fixtures.ts';
import { loadDataset, WORKER_BATCH } from './lib/load.ts';
import { reportPath } from './lib/report-sql.ts';
import { machine, serverSettings } from './lib/settings.ts';
import { env, fmtInt, loadAvg, log } from './lib/stats.ts';
import { markdownTable, note, notes } from './lib/table.ts';
import { WorkerPool } from './lib/workers.ts';
import { benchMemory } from './memory.ts';
import { benchRefresh, initialRefresh } from './refresh.ts';
import { benchReports } from './reports.ts';
import { benchStorage } from './storage.ts';

const ROWS = env('BENCH_ROWS', 1_000_000);
const WORKER_ROWS = Math.min(env('BENCH_WORKER_ROWS', 200_000), ROWS);
const SECONDS = env('BENCH_SECONDS', 5);
const ROUNDS = env('BENCH_ROUNDS', 2);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'ingest,hot,reports').split(',').map((s) => s.trim()));
const label = ROWS >= 1e6 ? `${+(ROWS / 1e6).toFixed(1)}M` : `${fmtInt(ROWS)}`;

const started = Date.now();
let settings: Awaited<ReturnType<typeof serverSettings>> | undefined;
let keep: string | undefined;

try {
  if (ONLY.has('ingest') || ONLY.has('hot')) {
    const d = await benchDatabase('ingest');
    await seedPrices(d.db);
    const c = await client(d.url);
    settings = await serverSettings(c);
    const pool = await WorkerPool.start(d.url, 16);
    try {
      note(
        `Load average (1 min) at the start of 1–2: ${loadAvg()} (2 CPUs; other work on the machine shows here).`,
      );
      if (ONLY.has('ingest'))
        await benchIngest(d, c, pool, { seconds: SECONDS, rounds: ROUNDS, copyRows: 100_000 });
      if (ONLY.has('hot')) await benchHotBatch(d, c, pool, { seconds: SECONDS, rounds: ROUNDS, workers: 16 });
    } finally {
      await pool.stop();
      await c.end();
      await d.drop();
    }
  }

  if (ONLY.has('reports')) {
    const d = await benchDatabase('reports');
    await seedPrices(d.db);
    const c = await client(d.url);
    settings ??= await serverSettings(c);
    const pool = await WorkerPool.start(d.url, 1);
    try {
      const ds = await loadDataset(d.url, pool, {
        rows: ROWS,
        workerRows: WORKER_ROWS,
        days: 90,
        chunk: 250_000,
        loaders: 2,
      });
      note(
        `Dataset ${label}: ${fmtInt(ds.rows)} rows over 90 days, 100 instances, 20 models; ` +
          `${fmtInt(ds.rows - ds.sqlRows)} through recordUsage (one worker, ${WORKER_BATCH}-row calls)` +
          (ds.sqlRows
            ? `, ${fmtInt(ds.sqlRows)} by INSERT … SELECT generate_series into usage_keys + model_usage with the triggers on (${fmtInt((ds.sqlRows / ds.sqlMs) * 1000)} rows/s, 2 sessions).`
            : '.'),
      );
      note(`Load average (1 min) at the start of 3–6: ${loadAvg()}.`);
      // A part that fails (e.g. a schema change under way) is reported and the others still run.
      const part = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await fn();
        } catch (error) {
          log(`${name} FAILED: ${(error as Error).stack ?? error}`);
          note(`${name} failed in this run: ${(error as Error).message}`);
          return undefined;
        }
      };
      await part('4 initial refresh', () => initialRefresh(d, label));
      const rss = (await part('3 reports', () => benchReports(d, c, ds, { runs: 5, label }))) ?? [];
      await part('4 refresh', () => benchRefresh(d, c, pool, ds, { label, addRows: 10_000 }));
      await part('5 storage', () => benchStorage(c, label));
      benchMemory(
        ds.worker,
        rss,
        reportPath() === 'cli' ? '`omni costs` (CLI process)' : 'the report process (costsReport)',
      );
    } finally {
      await pool.stop();
      await c.end();
      if (process.env.BENCH_KEEP) {
        keep = d.name;
        await d.db.end();
      } else await d.drop();
    }
  }
} finally {
  if (!keep) await dropAll();
}

const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const table = markdownTable();
const md = [
  '# Benchmark results',
  '',
  `Latest \`npm run bench\` (BENCH_ROWS=${ROWS}, BENCH_WORKER_ROWS=${WORKER_ROWS}, BENCH_SECONDS=${SECONDS}, BENCH_ROUNDS=${ROUNDS}; ${minutes} min), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
  '',
  `- Machine: ${machine()}`,
  `- PostgreSQL: ${settings?.version ?? '?'}`,
  `- Settings: ${settings?.settings.map(([k, v]) => `${k}=${v}`).join(', ') ?? '?'}`,
  '',
  table,
  '',
  ...notes.map((n) => `- ${n}`),
  '',
].join('\n');
const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
// A section "## Other runs" (e.g. the 10M run, pasted there by hand) is kept across rewrites.
const previous = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
const kept = previous.includes('\n## Other runs')
  ? previous.slice(previous.indexOf('\n## Other runs') + 1)
  : '';
if (!process.env.BENCH_NO_WRITE) fs.writeFileSync(out, kept ? `${md}\n${kept}` : md);
process.stdout.write(`${md}\n`);
if (keep) log(`kept database ${keep}`);
