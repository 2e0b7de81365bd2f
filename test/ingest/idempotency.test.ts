// Idempotency of recordUsage: a call retried any number of times, concurrently, is stored once; the same
// key with other contents is refused, names the fields that differ, and changes nothing.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { IdempotencyConflictError } from '../../src/db/errors.ts';
import type { Db } from '../../src/db/pool.ts';
import { type RecordedUsage, recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, batchMismatches, createBatchRow, instance } from '../helpers/fixtures.ts';
import { keyAnomalies, ledgerTotals } from '../helpers/invariants.ts';

let tdb: TestDatabase;
const inst = instance();

test.before(async () => {
  tdb = await freshDatabase('idempotency');
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-idem',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '0.15', output_usd_per_mtok: '0.6' },
  });
});
test.after.always(async () => {
  await tdb?.drop();
});

const row = (key: string, batch: string | null, extra: Record<string, unknown> = {}) => ({
  idempotency_key: key,
  occurred_at: '2026-11-20T10:00:00Z',
  instance_id: inst,
  batch_job_id: batch,
  provider: 'openai',
  model: 'gpt-idem',
  operation: 'chat',
  input_tokens: 1000,
  output_tokens: 100,
  ...extra,
});

/** Runs `work` on `n` distinct pooled connections at once (each worker holds its own connection). */
async function onConnections<T>(db: Db, n: number, work: (conn: Db, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) => db.connect((conn) => work(conn as unknown as Db, i))),
  );
}

const shuffled = <T>(xs: readonly T[], seed: number): T[] => {
  const out = [...xs];
  let s = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

async function batchTotal(db: Db, batch: string) {
  return db.one(sql.type(z.object({ total_cost_usd: z.string(), calls: z.number() }))`
    SELECT trim_scale(total_cost_usd)::text AS total_cost_usd, calls FROM omni_costs.batch_costs WHERE batch_job_id = ${batch}`);
}

test.serial(
  'one call retried 8 times by each of 16 connections at once is stored once, priced once',
  async (t) => {
    const { db } = tdb;
    const batch = await createBatchRow(db, inst);
    const key = `retry-${randomUUID()}`;
    const results = (
      await onConnections(db, 16, async (conn) => {
        const mine: RecordedUsage[] = [];
        for (let attempt = 0; attempt < 8; attempt++)
          mine.push(...(await recordUsage(conn, [row(key, batch)])));
        return mine;
      })
    ).flat();

    t.is(results.length, 128);
    t.is(results.filter((r) => !r.replayed).length, 1, 'exactly one attempt stored the call');
    t.is(new Set(results.map((r) => r.usage_id)).size, 1, 'every attempt saw the same stored row');
    t.true(results.every((r) => r.processing_cost_usd === '0.00021'));
    const stored = await db.oneFirst(
      sql.unsafe`SELECT count(*) FROM omni_costs.model_usage WHERE idempotency_key = ${key}`,
    );
    t.is(stored, 1);
    t.deepEqual(await batchTotal(db, batch), { total_cost_usd: '0.00021', calls: 1 });
    t.deepEqual(await batchMismatches(db), []);
    t.deepEqual(await keyAnomalies(db), []);
  },
);

test.serial(
  '16 connections replaying the same 40-row call in different orders store 40 rows, without deadlock',
  async (t) => {
    const { db } = tdb;
    const batch = await createBatchRow(db, inst);
    const keys = Array.from({ length: 40 }, (_, i) => `multi-${i}-${randomUUID()}`);
    const retries: unknown[] = [];
    const results = (
      await onConnections(db, 16, async (conn, i) => {
        const out: RecordedUsage[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const rows = shuffled(keys, i * 10 + attempt).map((k) => row(k, batch));
          out.push(...(await recordUsage(conn, rows, { onRetry: (e) => retries.push(e) })));
        }
        return out;
      })
    ).flat();

    t.is(results.length, 16 * 3 * 40);
    t.is(results.filter((r) => !r.replayed).length, 40, 'each key was stored by exactly one statement');
    const stored = await db.one(sql.unsafe`
    SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM omni_costs.model_usage WHERE batch_job_id = ${batch}`);
    t.deepEqual(stored, { n: 40, keys: 40 });
    t.deepEqual(await batchTotal(db, batch), { total_cost_usd: '0.0084', calls: 40 });
    t.deepEqual(await batchMismatches(db), []);
    t.log(`library retries after serialization failures or deadlocks: ${retries.length}`);
  },
);

test.serial(
  'the same key with other contents is refused naming the fields, and nothing changes',
  async (t) => {
    const { db } = tdb;
    const batch = await createBatchRow(db, inst);
    const key = `conflict-${randomUUID()}`;
    const [first] = await recordUsage(db, [row(key, batch)]);
    t.false(first.replayed);
    const before = await ledgerTotals(db);
    const batchBefore = await batchTotal(db, batch);

    const e1 = await t.throwsAsync(recordUsage(db, [row(key, batch, { input_tokens: 1001 })]), {
      instanceOf: IdempotencyConflictError,
    });
    t.deepEqual(e1?.fields, ['input_tokens']);
    t.is(e1?.idempotencyKey, key);
    t.regex(e1?.message ?? '', /fields that differ: input_tokens/);
    t.regex(e1?.message ?? '', /nothing was written/);

    const e2 = await t.throwsAsync(
      recordUsage(db, [
        row(key, batch, { model: 'gpt-other', occurred_at: '2026-11-20T10:00:01Z', output_tokens: 5 }),
      ]),
      { instanceOf: IdempotencyConflictError },
    );
    t.deepEqual(e2?.fields, ['model', 'occurred_at', 'output_tokens']);

    // A multi-row call with one conflicting row writes none of its new rows.
    const fresh = Array.from({ length: 5 }, (_, i) => row(`conflict-new-${i}-${randomUUID()}`, batch));
    const e3 = await t.throwsAsync(recordUsage(db, [...fresh, row(key, batch, { message_id: 'm-1' })]), {
      instanceOf: IdempotencyConflictError,
    });
    t.deepEqual(e3?.fields, ['message_id']);

    // The same key twice in one call, with different contents.
    const dup = `conflict-dup-${randomUUID()}`;
    await t.throwsAsync(recordUsage(db, [row(dup, batch), row(dup, batch, { input_tokens: 7 })]), {
      instanceOf: IdempotencyConflictError,
    });

    t.deepEqual(await ledgerTotals(db), before, 'row counts, keys and every total are unchanged');
    t.deepEqual(await batchTotal(db, batch), batchBefore);
    const newKeys = await db.oneFirst(sql.unsafe`
    SELECT count(*) FROM omni_costs.usage_keys WHERE idempotency_key LIKE 'conflict-new-%' OR idempotency_key = ${dup}`);
    t.is(newKeys, 0);
  },
);

test.serial(
  '16 connections racing the same key with 16 different contents: one wins, 15 get a conflict',
  async (t) => {
    const { db } = tdb;
    const batch = await createBatchRow(db, inst);
    const key = `race-${randomUUID()}`;
    const outcomes = await onConnections(db, 16, async (conn, i) => {
      try {
        const [r] = await recordUsage(conn, [row(key, batch, { input_tokens: 2000 + i })]);
        return { ok: r, i };
      } catch (error) {
        return { error, i };
      }
    });
    const winners = outcomes.filter((o) => 'ok' in o);
    const losers = outcomes.filter((o) => 'error' in o);
    t.is(winners.length, 1);
    t.is(losers.length, 15);
    for (const l of losers) {
      t.true(l.error instanceof IdempotencyConflictError, String(l.error));
      t.deepEqual((l.error as IdempotencyConflictError).fields, ['input_tokens']);
    }
    const stored = await db.one(sql.type(z.object({ n: z.number(), input_tokens: z.number() }))`
    SELECT count(*) AS n, min(input_tokens) AS input_tokens FROM omni_costs.model_usage WHERE idempotency_key = ${key}`);
    t.deepEqual(stored, { n: 1, input_tokens: 2000 + (winners[0] as { i: number }).i });
    t.is((await batchTotal(db, batch)).calls, 1);
    t.deepEqual(await batchMismatches(db), []);
  },
);

test.serial(
  'the same call written differently (zone, provider alias, key order, defaults) is a replay, not a conflict',
  async (t) => {
    const { db } = tdb;
    const key = `same-${randomUUID()}`;
    const base = row(key, null, { raw_usage: { a: 1, b: { c: [1, 2] } }, audio_seconds: 1.5 });
    const [first] = await recordUsage(db, [base]);
    const variants = [
      { ...base, occurred_at: '2026-11-20T11:00:00+01:00' },
      { ...base, occurred_at: new Date('2026-11-20T10:00:00Z') },
      { ...base, raw_usage: { b: { c: [1, 2] }, a: 1 } },
      { ...base, idempotency_key: ` ${key} ` },
      { ...base, requests: 1, cached_input_tokens: null },
      { ...base, audio_seconds: 1.5 },
    ];
    for (const v of variants) {
      const [again] = await recordUsage(db, [v]);
      t.true(again.replayed);
      t.is(again.usage_id, first.usage_id);
    }
    const [gemini] = await recordUsage(db, [
      row(`g-${key}`, null, { provider: 'google', model: 'gemini-x' }),
    ]);
    const [geminiAgain] = await recordUsage(db, [
      row(`g-${key}`, null, { provider: 'gemini', model: 'gemini-x' }),
    ]);
    t.true(geminiAgain.replayed);
    t.is(geminiAgain.usage_id, gemini.usage_id);
  },
);

test.serial(
  'usage recorded inside a rolled-back worker transaction leaves no trace; the key stays free',
  async (t) => {
    const { db } = tdb;
    const batch = await createBatchRow(db, inst);
    const key = `tx-${randomUUID()}`;
    const before = await ledgerTotals(db);
    await t.throwsAsync(
      db.transaction(async (tx) => {
        await recordUsage(tx, [row(key, batch)]);
        throw new Error('worker failed after recording');
      }),
      { message: 'worker failed after recording' },
    );
    t.deepEqual(await ledgerTotals(db), before);
    const [stored] = await recordUsage(db, [row(key, batch, { input_tokens: 5 })]);
    t.false(stored.replayed, 'the key was never taken');
    t.deepEqual(await batchTotal(db, batch), { total_cost_usd: '0.00006075', calls: 1 });
  },
);
