// Money is exact: many tiny costs (1e-7 USD and below) add up to the exact decimal at every level — row,
// batch, day and instance — and no binary float appears on the path. Expected values are computed with
// BigInt, and sums come back from SQL as numeric text: nothing passes through a JS number.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import fc from 'fast-check';
import { sql } from 'slonik';
import { z } from 'zod';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, createBatchRow, instance } from '../helpers/fixtures.ts';

let tdb: TestDatabase;

/** Prices in USD per 1M tokens: 0.1 makes one token cost exactly 1e-7 USD. */
const PRICES = { 'tiny-a': '0.1', 'tiny-b': '0.03', 'tiny-c': '0.000007', 'tiny-d': '1.1' } as const;
type Model = keyof typeof PRICES;

test.before(async () => {
  tdb = await freshDatabase('money');
  for (const [model, price] of Object.entries(PRICES)) {
    await addPrice(tdb.db, {
      provider: 'openai',
      model,
      from: '2020-01-01T00:00:00Z',
      prices: { input_usd_per_mtok: price, output_usd_per_mtok: price },
    });
  }
});
test.after.always(async () => {
  await tdb?.drop();
});

// Exact decimals as BigInt at a fixed scale (no JS number ever holds a money value).
const SCALE = 30n;
function toUnits(decimal: string): bigint {
  const [int, frac = ''] = decimal.split('.');
  if (frac.length > Number(SCALE)) throw new Error(`too many decimals: ${decimal}`);
  return BigInt(int + frac.padEnd(Number(SCALE), '0'));
}
function fromUnits(units: bigint): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(Number(SCALE) + 1, '0');
  const int = digits.slice(0, -Number(SCALE));
  const frac = digits.slice(-Number(SCALE)).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}
/** A numeric's text normalised the same way (no trailing zeros), without converting it to a number. */
const norm = (decimal: string) => fromUnits(toUnits(decimal));
/** tokens x price per 1M tokens, exactly. */
const costOf = (tokens: number, model: Model) => (BigInt(tokens) * toUnits(PRICES[model])) / 1_000_000n;

test('the decimal helpers are exact', (t) => {
  t.is(fromUnits(costOf(1, 'tiny-a')), '0.0000001');
  t.is(fromUnits(costOf(3, 'tiny-c')), '0.000000000021');
  t.is(norm('0.00000010000'), '0.0000001');
  t.is(fromUnits(toUnits('0.1') + toUnits('0.2')), '0.3');
});

test('no float type is used by any column, view, argument or result in the schema', async (t) => {
  const floats = await tdb.db.anyFirst(sql.type(z.object({ what: z.string() }))`
    SELECT format('%s.%s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod)) AS what
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'omni_costs'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
       AND a.atttypid IN ('float4'::regtype, 'float8'::regtype)
    UNION ALL
    SELECT format('%s(%s) returns %s', p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid))
      FROM pg_proc p
     WHERE p.pronamespace = 'omni_costs'::regnamespace
       AND ('float4'::regtype = ANY (p.proargtypes::oid[] || coalesce(p.proallargtypes, '{}'::oid[]) || p.prorettype)
         OR 'float8'::regtype = ANY (p.proargtypes::oid[] || coalesce(p.proallargtypes, '{}'::oid[]) || p.prorettype)
         OR p.prosrc ~* '::\\s*(float[48]?|double precision|real)\\M')`);
  t.deepEqual(floats, []);
});

test('one token at 0.1 USD/Mtok costs exactly 0.0000001 USD, returned as a decimal string', async (t) => {
  const [row] = await recordUsage(tdb.db, [
    {
      idempotency_key: randomUUID(),
      occurred_at: '2026-11-01T00:00:00Z',
      instance_id: instance(),
      provider: 'openai',
      model: 'tiny-a',
      input_tokens: 1,
      output_tokens: 0,
    },
  ]);
  t.is(typeof row.processing_cost_usd, 'string');
  t.is(row.processing_cost_usd, '0.0000001');
});

interface Call {
  model: Model;
  tokens: number;
  instance: number;
  batch: number;
  day: number;
}

const callArb: fc.Arbitrary<Call> = fc.record({
  model: fc.constantFrom(...(Object.keys(PRICES) as Model[])),
  tokens: fc.integer({ min: 1, max: 7 }),
  instance: fc.integer({ min: 0, max: 2 }),
  batch: fc.integer({ min: 0, max: 2 }),
  day: fc.integer({ min: 1, max: 3 }),
});

// Refreshes act on the whole database: the property runs alone, and compares only its own instances.
test.serial('sums of many tiny costs are exact at row, batch, day and instance level', async (t) => {
  const { db } = tdb;
  let runs = 0;
  let rowsWritten = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(callArb, { minLength: 50, maxLength: 300 }), async (plan) => {
      runs++;
      rowsWritten += plan.length;
      const instances = [instance(), instance(), instance()];
      const batches = await Promise.all(instances.map((i) => createBatchRow(db, i)));
      // A batch belongs to one instance: the call's batch is its instance's batch, or none.
      const rows = plan.map((c, i) => ({
        idempotency_key: randomUUID(),
        occurred_at: `2026-10-0${c.day}T${String(i % 24).padStart(2, '0')}:00:00Z`,
        instance_id: instances[c.instance],
        batch_job_id: c.batch === 0 ? null : batches[c.instance],
        provider: 'openai',
        model: c.model,
        input_tokens: c.tokens,
        output_tokens: c.tokens - 1,
      }));
      const expected = plan.map((c) => costOf(c.tokens, c.model) + costOf(c.tokens - 1, c.model));
      // Several statements, as workers would send them.
      const stored = [];
      for (let i = 0; i < rows.length; i += 150)
        stored.push(...(await recordUsage(db, rows.slice(i, i + 150))));
      await refreshRollups(db);

      // Row level.
      stored.forEach((r, i) => {
        if (r.processing_cost_usd === null || norm(r.processing_cost_usd) !== fromUnits(expected[i])) {
          throw new Error(`row ${i}: ${r.processing_cost_usd} <> ${fromUnits(expected[i])}`);
        }
      });
      const sum = (pick: (c: Call) => boolean) =>
        fromUnits(plan.reduce((acc, c, i) => (pick(c) ? acc + expected[i] : acc), 0n));

      // Batch level (the sharded running totals), day level (usage_daily and the per-instance view) and
      // instance level (the view summed over days), all as numeric text from SQL.
      const textRow = z.object({ k: z.string(), v: z.string() });
      const got = new Map<string, string>();
      const keyed = [
        ...(await db.any(sql.type(textRow)`
          SELECT 'batch/' || id AS k, total_cost_usd::text AS v FROM omni_costs.batch_jobs
           WHERE id = ANY (${sql.array(batches, 'uuid')})`)),
        ...(await db.any(sql.type(textRow)`
          SELECT 'daily/' || instance_id || '/' || day AS k, sum(cost_usd)::text AS v FROM omni_costs.usage_daily
           WHERE instance_id = ANY (${sql.array(instances, 'uuid')}) GROUP BY instance_id, day`)),
        ...(await db.any(sql.type(textRow)`
          SELECT 'view/' || instance_id || '/' || day AS k, cost_usd::text AS v FROM omni_costs.daily_instance_costs
           WHERE instance_id = ANY (${sql.array(instances, 'uuid')})`)),
        ...(await db.any(sql.type(textRow)`
          SELECT 'instance/' || instance_id AS k, sum(cost_usd)::text AS v FROM omni_costs.daily_instance_costs
           WHERE instance_id = ANY (${sql.array(instances, 'uuid')}) GROUP BY instance_id`)),
      ];
      for (const { k, v } of keyed) got.set(k, norm(v));
      const check = (key: string, want: string) => {
        const have = got.get(key) ?? '0';
        if (have !== want) throw new Error(`${key}: ${have} <> ${want}`);
      };
      for (let k = 0; k < 3; k++) {
        check(
          `batch/${batches[k]}`,
          sum((c) => c.instance === k && c.batch !== 0),
        );
        check(
          `instance/${instances[k]}`,
          sum((c) => c.instance === k),
        );
        for (let d = 1; d <= 3; d++) {
          const want = sum((c) => c.instance === k && c.day === d);
          check(`daily/${instances[k]}/2026-10-0${d}`, want);
          check(`view/${instances[k]}/2026-10-0${d}`, want);
        }
      }
    }),
    { numRuns: 10 },
  );
  t.log(`property runs: ${runs}, rows written: ${rowsWritten}`);
  t.pass();
});

test.serial(
  '20,000 calls of 1e-7 USD add up to exactly 0.002 USD in the batch, the day and the instance',
  async (t) => {
    const { db } = tdb;
    const inst = instance();
    const batch = await createBatchRow(db, inst);
    const n = 20_000;
    // 500-row record_usage calls, built in SQL to keep the test fast.
    for (let start = 0; start < n; start += 500) {
      await db.query(sql.unsafe`
      SELECT count(*) FROM omni_costs.record_usage((
        SELECT jsonb_agg(jsonb_build_object(
                 'idempotency_key', ${`tiny-${batch}-`} || g, 'occurred_at', '2026-10-20T00:00:00Z'::timestamptz + g * interval '1 ms',
                 'instance_id', ${inst}::uuid, 'batch_job_id', ${batch}::uuid, 'provider', 'openai', 'model', 'tiny-a',
                 'input_tokens', 1, 'output_tokens', 0))
          FROM generate_series(${start}::int, ${start + 499}::int) g))`);
    }
    await refreshRollups(db);
    const got = await db.one(sql.type(
      z.object({ rows: z.string(), batch: z.string(), day: z.string(), inst: z.string() }),
    )`
    SELECT (SELECT sum(processing_cost_usd)::text FROM omni_costs.model_usage WHERE batch_job_id = ${batch}) AS rows,
           (SELECT total_cost_usd::text FROM omni_costs.batch_jobs WHERE id = ${batch}) AS batch,
           (SELECT sum(cost_usd)::text FROM omni_costs.usage_daily WHERE instance_id = ${inst} AND day = '2026-10-20') AS day,
           (SELECT sum(cost_usd)::text FROM omni_costs.daily_instance_costs WHERE instance_id = ${inst}) AS inst`);
    t.deepEqual(
      { rows: norm(got.rows), batch: norm(got.batch), day: norm(got.day), inst: norm(got.inst) },
      { rows: '0.002', batch: '0.002', day: '0.002', inst: '0.002' },
    );
  },
);
