import test from 'ava';
import { sql } from 'slonik';
import { IdempotencyConflictError, InvalidInputError } from '../../src/db/errors.ts';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, createBatchRow, instance } from '../helpers/fixtures.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('record_usage');
  await addPrice(d.db, {
    provider: 'groq',
    model: 'whisper-large-v3',
    from: '2024-01-01T00:00:00Z',
    prices: { audio_usd_per_hour: '0.111', audio_min_seconds: '10' },
  });
});
test.after.always(async () => {
  await d?.drop();
});

const count = async () =>
  d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_usage`) as Promise<number>;

const whisper = (inst: string, key: string, seconds: number) => ({
  idempotency_key: key,
  provider: 'groq',
  model: 'whisper-large-v3',
  operation: 'transcription' as const,
  instance_id: inst,
  occurred_at: '2026-11-30T09:00:00Z',
  input_tokens: 0,
  output_tokens: 0,
  audio_seconds: seconds,
  audio_seconds_source: 'reported' as const,
});

test.serial('stores many rows in one call and returns them in order, priced by the database', async (t) => {
  const inst = instance();
  const rows = await recordUsage(d.db, [whisper(inst, 'a-1', 21.69), whisper(inst, 'a-2', 4)]);
  t.deepEqual(
    rows.map((r) => [r.idempotency_key, r.processing_cost_usd, r.cost_status, r.replayed]),
    [
      ['a-1', '0.000668775', 'priced', false],
      ['a-2', '0.000308333333', 'priced', false], // the 10 s minimum: 10 × 0.111 / 3600, rounded to 1e-12
    ],
  );
});

test.serial('an idempotent replay is a no-op that returns the stored row', async (t) => {
  const inst = instance();
  const [first] = await recordUsage(d.db, [whisper(inst, 'b-1', 30)]);
  const before = await count();
  const [again] = await recordUsage(d.db, [whisper(inst, 'b-1', 30)]);
  t.is(await count(), before);
  t.true(again.replayed);
  t.is(again.usage_id, first.usage_id);
  t.is(again.processing_cost_usd, first.processing_cost_usd);
});

test.serial(
  'a replay with a different payload is rejected, naming the fields, and writes nothing',
  async (t) => {
    const inst = instance();
    await recordUsage(d.db, [whisper(inst, 'c-1', 30)]);
    const before = await count();
    const error = await t.throwsAsync(
      recordUsage(d.db, [whisper(inst, 'c-2', 5), whisper(inst, 'c-1', 31)]),
      {
        instanceOf: IdempotencyConflictError,
      },
    );
    t.deepEqual(error?.fields, ['audio_seconds']);
    t.is(await count(), before, 'the other row of the statement was not written either');
  },
);

test.serial('negative tokens are rejected with the field named, and nothing is written', async (t) => {
  const before = await count();
  const error = await t.throwsAsync(
    recordUsage(d.db, [
      whisper(instance(), 'd-1', 3),
      { ...whisper(instance(), 'd-2', 3), output_tokens: -1 },
    ]),
    { instanceOf: InvalidInputError },
  );
  t.is(error?.field, 'rows[1].output_tokens');
  t.is(await count(), before);
});

test.serial('a subset larger than its total is rejected before it reaches the database', async (t) => {
  const error = await t.throwsAsync(
    recordUsage(d.db, [{ ...whisper(instance(), 'e-1', 3), input_tokens: 10, cached_input_tokens: 11 }]),
    { instanceOf: InvalidInputError },
  );
  t.regex(error?.message ?? '', /cached_input_tokens.*cannot exceed/);
});

test.serial('usage is recorded atomically with the worker’s own writes in its transaction', async (t) => {
  const inst = instance();
  const before = await count();
  await t.throwsAsync(
    d.db.transaction(async (tx) => {
      await createBatchRow(tx, inst);
      await recordUsage(tx, [whisper(inst, 'f-1', 12)]);
      throw new Error('the worker failed after recording');
    }),
    { message: /worker failed/ },
  );
  t.is(await count(), before, 'rolled back with the transaction');
  await d.db.transaction(async (tx) => {
    const batch = await createBatchRow(tx, inst);
    await recordUsage(tx, [{ ...whisper(inst, 'f-2', 12), batch_job_id: batch }]);
  });
  t.is(await count(), before + 1);
});

test.serial('an unknown batch id is a clear error', async (t) => {
  await t.throwsAsync(
    recordUsage(d.db, [
      { ...whisper(instance(), 'g-1', 3), batch_job_id: '00000000-0000-4000-8000-000000000000' },
    ]),
    { message: /batch_job_id: no batch job with id 00000000-0000-4000-8000-000000000000/ },
  );
});
