// Least privilege (sql/500_grants.sql), tested by connecting as each role: the writer can only record
// calls, the reader can only read the reporting views, the admin reads everything and runs the admin
// functions. PUBLIC gets nothing.
import test, { type ExecutionContext } from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { pgError } from '../../src/db/map-error.ts';
import { createDb, type Db } from '../../src/db/pool.ts';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { asRole, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, createBatchRow, instance } from '../helpers/fixtures.ts';

let tdb: TestDatabase;
let writer: Db;
let reader: Db;
let admin: Db;
const inst = instance();
let batch: string;

test.before(async () => {
  tdb = await freshDatabase('roles');
  writer = await createDb(asRole(tdb.url, 'omni_costs_writer'), { maximumPoolSize: 2 });
  reader = await createDb(asRole(tdb.url, 'omni_costs_reader'), { maximumPoolSize: 2 });
  admin = await createDb(asRole(tdb.url, 'omni_costs_admin'), { maximumPoolSize: 2 });
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-roles',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '2' },
  });
  batch = await createBatchRow(tdb.db, inst);
});
test.after.always(async () => {
  await Promise.all([writer?.end(), reader?.end(), admin?.end()]);
  await tdb?.drop();
});

const call = (key: string, extra: Record<string, unknown> = {}) => ({
  idempotency_key: key,
  occurred_at: '2026-11-10T09:00:00Z',
  instance_id: inst,
  batch_job_id: batch,
  provider: 'openai',
  model: 'gpt-roles',
  input_tokens: 1000,
  output_tokens: 500,
  ...extra,
});

/** A statement given as plain text (the tests' own fixed SQL, never user input). */
const text = (statement: string) =>
  sql.unsafe(
    Object.assign([statement], { raw: Object.freeze([statement]) }) as unknown as TemplateStringsArray,
  );

/** The statement must be refused for lack of privilege (SQLSTATE 42501). */
async function refused(t: ExecutionContext, db: Db, statement: string) {
  const error = await t.throwsAsync(db.query(text(statement)), undefined, statement);
  t.is(pgError(error)?.code, '42501', `${statement}: ${(error as Error | undefined)?.message}`);
}

async function allowed(t: ExecutionContext, db: Db, statement: string) {
  await t.notThrowsAsync(db.query(text(statement)), statement);
}

const REPORTING_VIEWS = [
  'usage_costs',
  'message_costs',
  'batch_costs',
  'batch_jobs',
  'daily_costs',
  'daily_model_status_costs',
  'daily_instance_status_costs',
  'daily_instance_costs',
  'daily_model_costs',
  'view_refreshes',
];
const STORAGE_TABLES = [
  'model_usage',
  'model_usage_default',
  'model_pricing',
  'usage_keys',
  '_batch_jobs',
  '_batch_cost_shards',
  'usage_daily',
  'usage_daily_models',
  'usage_daily_instances',
  'rollup_state',
  'rollup_dirty_days',
  'price_changes',
  'reprice_runs',
  'model_aliases',
  'cost_estimates',
];

const privilegeRows = z.object({ name: z.string() });

test('the writer records calls through record_usage, and the database prices them', async (t) => {
  const [stored] = await recordUsage(writer, [call('writer-1')]);
  t.false(stored.replayed);
  t.is(stored.cost_status, 'priced');
  t.is(stored.processing_cost_usd, '0.002');
  const [again] = await recordUsage(writer, [call('writer-1')]);
  t.true(again.replayed);
});

test('the writer cannot set its own cost, status or price row through record_usage', async (t) => {
  const forged = JSON.stringify([
    {
      ...call('writer-forged'),
      processing_cost_usd: 0,
      cost_status: 'not_billed',
      pricing_id: 999,
      requests: 1,
    },
  ]);
  await writer.query(sql.unsafe`SELECT * FROM omni_costs.record_usage(${forged}::jsonb)`);
  const row = await tdb.db.one(sql.unsafe`
    SELECT processing_cost_usd::text, cost_status::text, pricing_id IS NOT NULL AS has_price
      FROM omni_costs.model_usage WHERE idempotency_key = 'writer-forged'`);
  t.deepEqual(row, { processing_cost_usd: '0.002', cost_status: 'priced', has_price: true });
});

test('the writer cannot read usage, costs, prices, keys or totals', async (t) => {
  for (const rel of [...REPORTING_VIEWS, ...STORAGE_TABLES])
    await refused(t, writer, `SELECT 1 FROM omni_costs.${rel} LIMIT 1`);
});

test('the writer cannot change prices, rows, keys, shards or batch totals', async (t) => {
  for (const statement of [
    `INSERT INTO omni_costs.model_pricing (provider, model, effective, source, input_usd_per_mtok)
       VALUES ('openai', 'gpt-roles', tstzrange('2030-01-01', NULL), 'x', 0)`,
    `UPDATE omni_costs.model_pricing SET note = 'x'`,
    `DELETE FROM omni_costs.model_pricing`,
    `INSERT INTO omni_costs.model_usage (idempotency_key, occurred_at, instance_id, provider, model)
       VALUES ('direct', now(), gen_random_uuid(), 'openai', 'gpt-roles')`,
    `UPDATE omni_costs.model_usage SET processing_cost_usd = 0`,
    `DELETE FROM omni_costs.model_usage`,
    `TRUNCATE omni_costs.model_usage`,
    `DELETE FROM omni_costs.usage_keys`,
    `UPDATE omni_costs._batch_cost_shards SET cost_usd = 0`,
    `INSERT INTO omni_costs._batch_cost_shards (batch_job_id, shard, cost_usd) VALUES ('${batch}', 99, -1)`,
    `UPDATE omni_costs._batch_jobs SET status = 'failed'`,
    `INSERT INTO omni_costs.batch_jobs (instance_id, job_type) VALUES (gen_random_uuid(), 'x')`,
    `UPDATE omni_costs.usage_daily SET cost_usd = 0`,
    `CREATE TABLE omni_costs.writer_owned (x int)`,
  ]) {
    await refused(t, writer, statement);
  }
  const lock = await t.throwsAsync(
    writer.transaction((tx) => tx.query(sql.unsafe`LOCK TABLE omni_costs.rollup_state IN EXCLUSIVE MODE`)),
  );
  t.is(pgError(lock)?.code, '42501');
});

test('record_usage is the only function the writer may execute', async (t) => {
  const fns = await tdb.db.anyFirst(sql.type(privilegeRows)`
    SELECT format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid)) AS name FROM pg_proc p
     WHERE p.pronamespace = 'omni_costs'::regnamespace AND has_function_privilege('omni_costs_writer', p.oid, 'EXECUTE')
     ORDER BY 1`);
  t.deepEqual(fns, ['record_usage(p_rows jsonb)']);
  for (const statement of [
    `SELECT * FROM omni_costs.refresh_rollups()`,
    `SELECT omni_costs.refresh_view('daily_instance_costs')`,
    `SELECT omni_costs.ensure_usage_partitions('2040-01-01', '2040-02-01')`,
    `SELECT omni_costs.detach_usage_month('2026-11-01')`,
    `SELECT * FROM omni_costs.usage_input_rows('[]')`,
  ]) {
    await refused(t, writer, statement);
  }
});

test('the reader reads the reporting views and nothing else', async (t) => {
  for (const view of REPORTING_VIEWS) await allowed(t, reader, `SELECT * FROM omni_costs.${view} LIMIT 1`);
  for (const rel of STORAGE_TABLES) await refused(t, reader, `SELECT 1 FROM omni_costs.${rel} LIMIT 1`);
  // Whatever views are added later, the reader reads no table but view_refreshes (when each view was refreshed).
  const readableTables = await tdb.db.anyFirst(sql.type(privilegeRows)`
    SELECT c.relname::text AS name FROM pg_class c
     WHERE c.relnamespace = 'omni_costs'::regnamespace AND c.relkind IN ('r', 'p', 'f')
       AND has_table_privilege('omni_costs_reader', c.oid, 'SELECT') ORDER BY 1`);
  t.deepEqual(readableTables, ['view_refreshes']);
});

test('the reader cannot write or run anything', async (t) => {
  await refused(t, reader, `SELECT * FROM omni_costs.record_usage('[]')`);
  await refused(
    t,
    reader,
    `INSERT INTO omni_costs.batch_jobs (instance_id, job_type) VALUES (gen_random_uuid(), 'x')`,
  );
  await refused(t, reader, `UPDATE omni_costs.batch_jobs SET status = 'failed'`);
  await refused(t, reader, `DELETE FROM omni_costs.usage_costs`);
  await refused(t, reader, `REFRESH MATERIALIZED VIEW omni_costs.daily_instance_costs`);
  await refused(t, reader, `SELECT * FROM omni_costs.refresh_rollups()`);
  const writable = await tdb.db.anyFirst(sql.type(privilegeRows)`
    SELECT c.relname::text AS name FROM pg_class c
     WHERE c.relnamespace = 'omni_costs'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND has_table_privilege('omni_costs_reader', c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE')`);
  t.deepEqual(writable, []);
});

test('the admin reads every table and view', async (t) => {
  const rels = await tdb.db.anyFirst(sql.type(privilegeRows)`
    SELECT c.relname::text AS name FROM pg_class c
     WHERE c.relnamespace = 'omni_costs'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`);
  t.true(rels.length > 20);
  for (const rel of rels) await allowed(t, admin, `SELECT 1 FROM omni_costs.${rel} LIMIT 1`);
});

test('the admin reads usage partitions created after the migration (e.g. by the worker)', async (t) => {
  await tdb.db.query(sql.unsafe`SELECT omni_costs.ensure_usage_partitions('2031-01-01', '2031-02-01')`);
  await allowed(t, admin, 'SELECT count(*) FROM omni_costs.model_usage_y2031m01');
});

test('the admin records calls, creates batches and creates partitions, but edits no price or row directly', async (t) => {
  const [stored] = await recordUsage(admin, [call('admin-1')]);
  t.is(stored.cost_status, 'priced');
  await allowed(
    t,
    admin,
    `INSERT INTO omni_costs.batch_jobs (instance_id, job_type) VALUES ('${inst}', 'admin-batch')`,
  );
  await allowed(t, admin, `SELECT omni_costs.ensure_usage_partitions('2032-01-01', '2032-02-01')`);
  await refused(t, admin, `UPDATE omni_costs.model_pricing SET note = 'x'`);
  await refused(t, admin, `UPDATE omni_costs.model_usage SET processing_cost_usd = 0`);
  await refused(t, admin, `UPDATE omni_costs._batch_cost_shards SET cost_usd = 0`);
  await refused(t, admin, `DELETE FROM omni_costs.usage_keys`);
});

test('the admin changes prices only through set_price(), which writes the audit trail', async (t) => {
  const hasSetPrice = await tdb.db.oneFirst(
    sql.unsafe`SELECT to_regproc('omni_costs.set_price') IS NOT NULL`,
  );
  if (!hasSetPrice) {
    t.log('set_price() is not in this schema yet: only the refusal of direct edits is checked');
  } else {
    await allowed(
      t,
      admin,
      `SELECT * FROM omni_costs.set_price('openai', 'gpt-roles-admin', '2026-01-01T00:00:00Z',
         '{"input_usd_per_mtok": "1", "output_usd_per_mtok": "2"}', p_reason => 'roles test')`,
    );
    const audited = await tdb.db.oneFirst(sql.unsafe`
      SELECT count(*) FROM omni_costs.price_changes WHERE model = 'gpt-roles-admin' AND reason = 'roles test'`);
    t.is(audited, 1);
  }
  await refused(
    t,
    admin,
    `INSERT INTO omni_costs.model_pricing (provider, model, effective, source, input_usd_per_mtok)
       VALUES ('openai', 'gpt-roles-direct', tstzrange('2030-01-01', NULL), 'x', 1)`,
  );
  await refused(t, admin, `DELETE FROM omni_costs.price_changes`);
});

test('the admin can refresh the rollups (refreshRollups: REPEATABLE READ + LOCK TABLE rollup_state)', async (t) => {
  await recordUsage(tdb.db, [call('admin-refresh')]);
  const result = await refreshRollups(admin).catch((error: unknown) => error as Error);
  t.false(result instanceof Error, `refreshRollups as omni_costs_admin failed: ${(result as Error).message}`);
});

test('the admin can archive a month (detach_usage_month)', async (t) => {
  await tdb.db.query(sql.unsafe`SELECT omni_costs.ensure_usage_partitions('2033-01-01', '2033-02-01')`);
  await allowed(t, admin, `SELECT omni_costs.detach_usage_month('2033-01-01')`);
});

test('PUBLIC (any other role) has no access to the schema, its tables or its functions', async (t) => {
  const leaks = await tdb.db.anyFirst(sql.type(privilegeRows)`
    SELECT 'schema usage' AS name WHERE has_schema_privilege('public', 'omni_costs', 'USAGE')
    UNION ALL
    SELECT c.relname::text FROM pg_class c
     WHERE c.relnamespace = 'omni_costs'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       AND (has_table_privilege('public', c.oid, 'SELECT') OR has_table_privilege('public', c.oid, 'INSERT,UPDATE,DELETE'))
    UNION ALL
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'omni_costs'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')`);
  t.deepEqual(leaks, []);
});
