// The CHECK constraints of model_usage (sql/140) are the last line for callers of record_usage() that do not
// go through the library (e.g. the writer role from SQL). Each refusal must be the named constraint,
// whatever the magnitudes: a sum of two int4 counts must not overflow inside a CHECK.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { pgError } from '../../src/db/map-error.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { instance } from '../helpers/fixtures.ts';
import { ledgerTotals } from '../helpers/invariants.ts';

let tdb: TestDatabase;
test.before(async () => {
  tdb = await freshDatabase('usage_constraints');
});
test.after.always(async () => {
  await tdb?.drop();
});

const direct = (row: Record<string, unknown>) =>
  tdb.db.query(
    sql.unsafe`SELECT * FROM omni_costs.record_usage(${sql.jsonb([
      {
        idempotency_key: randomUUID(),
        occurred_at: '2026-11-21T10:00:00Z',
        instance_id: instance(),
        provider: 'openai',
        model: 'gpt-x',
        ...row,
      },
    ] as never)})`,
  );

test.serial(
  'cache reads plus cache writes beyond the input are refused by input_subsets_fit_in_input_tokens',
  async (t) => {
    const before = await ledgerTotals(tdb.db);
    for (const [input, part] of [
      [100, 60],
      [2_147_483_647, 2_000_000_000],
    ]) {
      const error = await t.throwsAsync(
        direct({
          input_tokens: input,
          output_tokens: 0,
          cached_input_tokens: part,
          cache_write_tokens: part,
        }),
      );
      const pg = pgError(error);
      t.deepEqual(
        { code: pg?.code, constraint: pg?.constraint },
        { code: '23514', constraint: 'input_subsets_fit_in_input_tokens' },
        `input ${input}, cached + written ${2 * part}: ${pg?.message}`,
      );
    }
    t.deepEqual(await ledgerTotals(tdb.db), before);
  },
);

test.serial('counts at the int4 limit are stored when they are consistent', async (t) => {
  await t.notThrowsAsync(
    direct({
      input_tokens: 2_147_483_647,
      output_tokens: 2_147_483_647,
      cached_input_tokens: 2_147_483_647,
      reasoning_tokens: 2_147_483_647,
    }),
  );
});
