// Serialization failures (40001) and deadlocks (40P01) roll the whole statement back, so the library runs
// it again instead of surfacing them (src/db/retry.ts, used by recordUsage). Connection loss and other
// errors are not retried here.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { DatabaseUnavailableError } from '../../src/db/errors.ts';
import { isConnectionLoss, mapDatabaseError } from '../../src/db/map-error.ts';
import { migrate } from '../../src/db/migrate.ts';
import { isRetryableTransactionError, retryTransient } from '../../src/db/retry.ts';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { createBatchRow, instance } from '../helpers/fixtures.ts';
import { deadlocksSoFar } from '../helpers/invariants.ts';

const pgFailure = (code: string) => Object.assign(new Error(`failure ${code}`), { code });

test('retryTransient runs the function again after 40001 and 40P01, and gives up after `attempts`', async (t) => {
  let calls = 0;
  const retried: number[] = [];
  const result = await retryTransient(
    async () => {
      calls++;
      if (calls === 1) throw pgFailure('40P01');
      if (calls === 2) throw { cause: pgFailure('40001') }; // wrapped, as slonik wraps driver errors
      return 'done';
    },
    { onRetry: (_e, attempt) => retried.push(attempt), baseDelayMs: 1 },
  );
  t.is(result, 'done');
  t.deepEqual(retried, [1, 2]);

  let tries = 0;
  await t.throwsAsync(
    retryTransient(
      async () => {
        tries++;
        throw pgFailure('40001');
      },
      { attempts: 3, baseDelayMs: 1 },
    ),
    { message: 'failure 40001' },
  );
  t.is(tries, 3);
});

test('other errors are not retried', async (t) => {
  for (const code of ['23505', '42501', '57P01', '22P02']) {
    let tries = 0;
    await t.throwsAsync(
      retryTransient(async () => {
        tries++;
        throw pgFailure(code);
      }),
    );
    t.is(tries, 1, code);
    t.false(isRetryableTransactionError(pgFailure(code)));
  }
});

test('a lost connection is reported as DatabaseUnavailableError that says the statement was atomic', (t) => {
  for (const error of [
    pgFailure('57P01'),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    new Error('Connection terminated unexpectedly'),
    Object.assign(new Error('backend gone'), { name: 'BackendTerminatedError' }),
  ]) {
    t.true(isConnectionLoss(error), error.message);
    const mapped = mapDatabaseError(error);
    t.true(mapped instanceof DatabaseUnavailableError);
    t.regex((mapped as Error).message, /committed whole or not at all/);
  }
  t.false(isConnectionLoss(pgFailure('23505')));
});

let tdb: TestDatabase;
test.before(async () => {
  tdb = await freshDatabase('retry');
});
test.after.always(async () => {
  await tdb?.drop();
});

test.serial(
  'a real deadlock with a recording worker is resolved: the call is stored once, no error surfaces',
  async (t) => {
    const { db } = tdb;
    const inst = instance();
    const batch = await createBatchRow(db, inst);
    const key = `deadlock-${randomUUID()}`;
    const deadlocksBefore = await deadlocksSoFar(db);
    const call = {
      idempotency_key: key,
      occurred_at: '2026-11-22T08:00:00Z',
      instance_id: inst,
      batch_job_id: batch,
      provider: 'openai',
      model: 'gpt-dl',
      input_tokens: 10,
      output_tokens: 1,
    };
    // A: locks the batch row, so the worker's foreign-key check waits on A...
    const outcome = await db.connect(async (a) => {
      await a.query(sql.unsafe`BEGIN`);
      await a.query(sql.unsafe`SET LOCAL deadlock_timeout = '10s'`); // the worker detects the deadlock first
      await a.query(sql.unsafe`SELECT 1 FROM omni_costs._batch_jobs WHERE id = ${batch} FOR UPDATE`);
      const worker = recordUsage(db, [call]);
      await new Promise((r) => setTimeout(r, 300));
      // ...then A claims the same key, waiting on the worker: a cycle. The worker is chosen as the victim.
      const claim = a.query(sql.unsafe`
      INSERT INTO omni_costs.usage_keys (idempotency_key, usage_id, occurred_at) VALUES (${key}, -1, now())
      ON CONFLICT DO NOTHING`);
      await claim;
      await new Promise((r) => setTimeout(r, 300));
      await a.query(sql.unsafe`ROLLBACK`); // A gives up; the worker's retry now goes through
      return worker;
    });
    t.is(outcome.length, 1);
    t.false(outcome[0].replayed);
    const stored = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*) AS n FROM omni_costs.model_usage WHERE idempotency_key = ${key}`);
    t.is(stored, 1);
    await db.query(sql.unsafe`SELECT pg_stat_clear_snapshot()`);
    await new Promise((r) => setTimeout(r, 1200)); // statistics are flushed at most once a second
    t.true((await deadlocksSoFar(db)) > deadlocksBefore, 'PostgreSQL detected (and broke) a deadlock');
  },
);

test.serial('concurrent migrations of one database wait for each other instead of failing', async (t) => {
  const results = await Promise.allSettled([
    migrate(tdb.url),
    migrate(tdb.url),
    migrate(tdb.url),
    migrate(tdb.url),
  ]);
  t.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).message)),
    ['ok', 'ok', 'ok', 'ok'],
  );
});
