// refresh_rollups() (sql/340) under interleavings a real deployment produces: writers, reprices and deletes
// that commit while a refresh runs. The contract: after a final refresh, usage_daily and the views equal
// the raw rows, whatever the commit order.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { dailyMismatches, viewMismatches } from '../helpers/invariants.ts';

let tdb: TestDatabase;
const inst = instance();

test.before(async () => {
  tdb = await freshDatabase('rollup_refresh');
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-rollup',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '4' },
  });
});
test.after.always(async () => {
  await tdb?.drop();
});

const calls = (day: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    idempotency_key: `${day}-${i}-${randomUUID()}`,
    occurred_at: `${day}T0${i % 10}:00:00Z`,
    instance_id: inst,
    provider: 'openai',
    model: 'gpt-rollup',
    operation: 'chat',
    input_tokens: 1000 + i,
    output_tokens: 100,
  }));

// Each test uses its own days, and the tests run one at a time: a refresh covers the whole database.
test.serial(
  'usage_daily and the views equal the raw rows after inserts, updates, deletes and refreshes',
  async (t) => {
    const { db } = tdb;
    await recordUsage(db, calls('2026-10-01', 20));
    await refreshRollups(db);
    await recordUsage(db, calls('2026-10-02', 10));
    await db.query(sql.unsafe`DELETE FROM omni_costs.model_usage WHERE occurred_at = '2026-10-01T03:00:00Z'`);
    await db.query(
      sql.unsafe`UPDATE omni_costs.model_usage SET input_tokens = input_tokens + 1 WHERE occurred_at < '2026-10-01T02:00:00Z'`,
    );
    await refreshRollups(db);
    t.deepEqual(await dailyMismatches(db), []);
    t.deepEqual(await viewMismatches(db), []);
  },
);

test.serial(
  'a row inserted while a refresh runs is added by the next refresh, on a clean or a dirty day',
  async (t) => {
    const { db } = tdb;
    await recordUsage(db, calls('2026-10-05', 5));
    await refreshRollups(db);
    await db.query(sql.unsafe`DELETE FROM omni_costs.model_usage WHERE occurred_at = '2026-10-05T01:00:00Z'`); // day dirty
    await db.connect(async (writer) => {
      await writer.query(sql.unsafe`BEGIN`);
      await recordUsage(writer, calls('2026-10-05', 3));
      await recordUsage(writer, calls('2026-10-06', 3));
      await refreshRollups(db); // runs on another connection while the writer's rows are uncommitted
      await writer.query(sql.unsafe`COMMIT`);
    });
    await refreshRollups(db);
    t.deepEqual(await dailyMismatches(db), []);
    t.deepEqual(await viewMismatches(db), []);
  },
);

for (const change of ['DELETE', 'UPDATE'] as const) {
  test.serial(
    `${change === 'UPDATE' ? 'an' : 'a'} ${change} that commits while a refresh runs, on a day already marked dirty, reaches the rollups`,
    async (t) => {
      const { db } = tdb;
      const day = change === 'DELETE' ? '2026-10-10' : '2026-10-11';
      await recordUsage(db, calls(day, 6));
      await refreshRollups(db);
      // An earlier committed change marks the day dirty (rollup_dirty_days holds it).
      await db.query(
        sql.unsafe`DELETE FROM omni_costs.model_usage WHERE occurred_at = ${`${day}T05:00:00Z`}`,
      );

      // A reprice or a delete runs in its own transaction; its trigger marks the day (already marked: ON
      // CONFLICT DO NOTHING takes no lock). A refresh runs and commits before that transaction commits.
      await db.connect(async (admin) => {
        await admin.query(sql.unsafe`BEGIN`);
        if (change === 'DELETE') {
          await admin.query(
            sql.unsafe`DELETE FROM omni_costs.model_usage WHERE occurred_at = ${`${day}T01:00:00Z`}`,
          );
        } else {
          await admin.query(sql.unsafe`
          UPDATE omni_costs.model_usage SET processing_cost_usd = processing_cost_usd * 2
           WHERE occurred_at = ${`${day}T01:00:00Z`}`);
        }
        await refreshRollups(db); // another connection; commits before the change does
        await admin.query(sql.unsafe`COMMIT`);
      });

      await refreshRollups(db);
      const off = (await dailyMismatches(db)).filter((m) => m.day === day);
      t.deepEqual(off, [], 'usage_daily still counts the row as it was before the committed change');
      t.deepEqual(
        (await viewMismatches(db)).filter((m) => m.day === day),
        [],
      );
    },
  );
}
