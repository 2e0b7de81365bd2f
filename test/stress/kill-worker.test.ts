// kill -9 of a worker process in the middle of a batch, then a restart that records the same calls again:
// nothing is lost, nothing is counted twice, and no statement is half-written (each statement's rows are
// all there or none). The worker is test/stress/record-worker.ts, run with the Node running the tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, batchMismatches, createBatchRow, instance } from '../helpers/fixtures.ts';
import { keyAnomalies } from '../helpers/invariants.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let tdb: TestDatabase;

test.before(async () => {
  tdb = await freshDatabase('stress_kill');
  await addPrice(tdb.db, {
    provider: 'groq',
    model: 'llama-kill',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '0.05', output_usd_per_mtok: '0.08' },
  });
});
test.after.always(async () => {
  await tdb?.drop();
});

interface WorkerRun {
  child: ChildProcess;
  /** Statements acknowledged so far, and how many of their rows were new or replays. */
  acked: number;
  stored: number;
  replayed: number;
  done: boolean;
  exited: Promise<number | null>;
  output: string;
}

function startWorker(args: string[]): WorkerRun {
  const child = spawn(process.execPath, ['test/stress/record-worker.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: tdb.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: WorkerRun = {
    child,
    acked: 0,
    stored: 0,
    replayed: 0,
    done: false,
    output: '',
    exited: Promise.resolve(null),
  };
  run.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  let buffer = '';
  child.stdout?.on('data', (d) => {
    buffer += d;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^ok (\d+) (\d+) (\d+)$/.exec(line);
      if (m) {
        run.acked++;
        run.stored += Number(m[2]);
        run.replayed += Number(m[3]);
      } else if (line === 'done') run.done = true;
    }
  });
  child.stderr?.on('data', (d) => {
    run.output += d;
  });
  return run;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the killed worker's backend is gone, so that its last statement has committed or aborted. */
async function backendGone(prefix: string) {
  for (let i = 0; i < 100; i++) {
    const n = await tdb.db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${`record-worker-${prefix}`}`);
    if (n === 0) return;
    await sleep(100);
  }
  throw new Error('the killed worker still has a backend after 10 s');
}

const statementSizes = z.object({ message_id: z.string(), n: z.number() });

/** Statements with some but not all of their rows (must be none). */
async function partialStatements(prefix: string, chunk: number, total: number) {
  const rows = await tdb.db.any(sql.type(statementSizes)`
    SELECT message_id, count(*) AS n FROM omni_costs.model_usage WHERE idempotency_key LIKE ${`${prefix}-%`}
     GROUP BY message_id`);
  const last = Math.floor((total - 1) / chunk);
  return rows.filter((r) => {
    const index = Number(r.message_id.split('-stmt-')[1]);
    const size = index === last ? total - last * chunk : chunk;
    return r.n !== size;
  });
}

/** The exact expected batch total, with BigInt: 0.05 and 0.08 USD per 1M tokens are 5e-8 and 8e-8 per token. */
function expectedTotal(total: number): string {
  let units = 0n; // 1e-8 USD
  for (let i = 0; i < total; i++) units += BigInt(1 + (i % 997)) * 5n + BigInt(i % 89) * 8n;
  const s = units.toString().padStart(9, '0');
  return `${s.slice(0, -8)}.${s.slice(-8)}`.replace(/\.?0+$/, '');
}

async function killAndRestart(t: ExecutionContext, mode: 'autocommit' | 'tx') {
  const prefix = `kill-${mode}-${Date.now()}`;
  const total = 3000;
  const chunk = 25;
  const inst = instance();
  const batch = await createBatchRow(tdb.db, inst);
  const args = [prefix, String(total), String(chunk), inst, batch, ...(mode === 'tx' ? ['tx'] : [])];
  const statements = Math.ceil(total / chunk);
  const kills: { at: number; storedRows: number }[] = [];

  // Two crashes: around a quarter and around two thirds of the way, then a run to the end.
  for (const fraction of [0.25, 0.66]) {
    const run = startWorker(args);
    const target = Math.floor(statements * fraction);
    const deadline = Date.now() + 120_000;
    while (run.acked < target && !run.done && Date.now() < deadline) await sleep(20);
    t.false(run.done, 'the worker was killed before it finished');
    run.child.kill('SIGKILL');
    t.is(await run.exited, null, `killed by a signal (stderr: ${run.output})`);
    await backendGone(prefix);
    const stored = await tdb.db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*) AS n FROM omni_costs.model_usage WHERE idempotency_key LIKE ${`${prefix}-%`}`);
    kills.push({ at: run.acked, storedRows: stored });
    t.deepEqual(
      await partialStatements(prefix, chunk, total),
      [],
      'no statement is half-written after the kill',
    );
    t.deepEqual(await batchMismatches(tdb.db), []);
  }
  const last = startWorker(args);
  t.is(await last.exited, 0, last.output);
  t.true(last.done);

  const final = await tdb.db.one(sql.type(
    z.object({
      rows: z.number(),
      keys: z.number(),
      total_cost_usd: z.string(),
      calls: z.number(),
      processed: z.number(),
    }),
  )`
    SELECT (SELECT count(*) FROM omni_costs.model_usage WHERE batch_job_id = ${batch}) AS rows,
           (SELECT count(DISTINCT idempotency_key) FROM omni_costs.model_usage WHERE batch_job_id = ${batch}) AS keys,
           trim_scale(b.total_cost_usd)::text AS total_cost_usd, b.calls, b.processed_items AS processed
      FROM omni_costs.batch_costs b WHERE b.batch_job_id = ${batch}`);
  t.is(final.rows, total, 'nothing lost');
  t.is(final.keys, total, 'nothing doubled');
  t.is(final.calls, total);
  t.is(
    final.total_cost_usd,
    expectedTotal(total),
    'the batch total is exactly the sum of the calls, once each',
  );
  if (mode === 'tx')
    t.is(final.processed, total, "the worker's own write committed with exactly the rows it recorded");
  t.is(
    last.replayed,
    kills[kills.length - 1].storedRows,
    'the restart replayed exactly what was stored before',
  );
  t.deepEqual(await keyAnomalies(tdb.db), []);
  t.deepEqual(await partialStatements(prefix, chunk, total), []);
  t.log(
    `${mode}: ${total} calls in ${statements} statements; killed after ${kills.map((k) => `${k.at} acknowledged statements (${k.storedRows} rows stored${k.storedRows > k.at * chunk ? ': the statement in flight committed unacknowledged' : ''})`).join(' and ')}; ` +
      `the last run stored ${last.stored} and replayed ${last.replayed}`,
  );
}

test.serial(
  'kill -9 of an autocommit worker mid-batch, twice, then a restart: nothing lost or doubled',
  async (t) => {
    await killAndRestart(t, 'autocommit');
  },
);

test.serial(
  'kill -9 of a worker recording inside its own transaction: its write and its rows stay together',
  async (t) => {
    await killAndRestart(t, 'tx');
  },
);
