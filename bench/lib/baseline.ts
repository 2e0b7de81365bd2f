// The baseline table: a copy of model_usage with the same columns, defaults, constraints, indexes and
// monthly partitions, but no triggers (so no pricing, no batch totals, no foreign key) and no usage_keys.
import type pg from 'pg';

export const RAW_TABLE = 'omni_costs.bench_raw_usage';

export async function createBaselineTable(c: pg.Client): Promise<void> {
  await c.query(`
    DROP TABLE IF EXISTS ${RAW_TABLE};
    CREATE TABLE ${RAW_TABLE} (LIKE omni_costs.model_usage INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)
      PARTITION BY RANGE (occurred_at);
    CREATE TABLE omni_costs.bench_raw_usage_default PARTITION OF ${RAW_TABLE} DEFAULT;`);
  // The same monthly partitions as model_usage.
  const parts = await c.query<{ name: string; bound: string }>(`
    SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'omni_costs.model_usage'::regclass AND NOT c.relpartbound IS NULL
       AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'`);
  for (const p of parts.rows) {
    await c.query(`CREATE TABLE omni_costs.${`bench_raw_${p.name}`} PARTITION OF ${RAW_TABLE} ${p.bound}`);
  }
}

export async function truncateAll(c: pg.Client): Promise<void> {
  await c.query(
    `TRUNCATE omni_costs.model_usage, omni_costs.usage_keys, omni_costs._batch_cost_shards, ${RAW_TABLE}`,
  );
}
