// 5. Storage: bytes per usage row, indexes and TOAST included: every partition of model_usage plus usage_keys
// (the idempotency keys), divided by the rows. raw_usage (the provider's usage JSON) is shown apart.
import type pg from 'pg';
import { fmtBytes, log } from './lib/stats.ts';
import { add, note } from './lib/table.ts';

export async function benchStorage(c: pg.Client, label: string): Promise<void> {
  await c.query('VACUUM ANALYZE omni_costs.model_usage');
  const q = await c.query(`
    WITH parts AS (
      SELECT i.inhrelid AS oid FROM pg_inherits i WHERE i.inhparent = 'omni_costs.model_usage'::regclass
    )
    SELECT (SELECT count(*) FROM omni_costs.model_usage)::float8 AS rows,
           (SELECT sum(pg_table_size(oid)) FROM parts)::float8 AS heap,
           (SELECT sum(pg_indexes_size(oid)) FROM parts)::float8 AS indexes,
           pg_table_size('omni_costs.usage_keys')::float8 AS keys_heap,
           pg_indexes_size('omni_costs.usage_keys')::float8 AS keys_indexes,
           (SELECT avg(pg_column_size(raw_usage)) FROM omni_costs.model_usage)::float8 AS raw_usage,
           (SELECT avg(pg_column_size(u.*)) FROM omni_costs.model_usage u)::float8 AS tuple,
           pg_total_relation_size('omni_costs.usage_daily')::float8 AS daily,
           (pg_total_relation_size('omni_costs.daily_instance_costs') + pg_total_relation_size('omni_costs.daily_model_costs'))::float8 AS mvs`);
  const r = q.rows[0];
  const idx = await c.query(`
    SELECT pi.indexrelid::regclass::text AS name, sum(pg_relation_size(ci.inhrelid))::float8 AS bytes
      FROM pg_index pi
      JOIN pg_inherits ci ON ci.inhparent = pi.indexrelid
     WHERE pi.indrelid = 'omni_costs.model_usage'::regclass
     GROUP BY 1 ORDER BY 2 DESC`);
  // Average stored size of each column (a 2% sample), to see where the heap bytes go.
  const cols = await c.query<{ attname: string }>(`
    SELECT attname FROM pg_attribute WHERE attrelid = 'omni_costs.model_usage'::regclass AND attnum > 0 AND NOT attisdropped`);
  const sizes = await c.query<Record<string, number>>(
    `SELECT ${cols.rows.map((x) => `coalesce(avg(pg_column_size(u.${x.attname})), 0)::float8 AS ${x.attname}`).join(', ')}
       FROM omni_costs.model_usage u TABLESAMPLE SYSTEM (2) REPEATABLE (1)`,
  );
  const widest = Object.entries(sizes.rows[0])
    .sort((a, b) => b[1] - a[1])
    .filter(([, v]) => v >= 4)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ');
  const per = (x: number) => x / r.rows;
  const total = r.heap + r.indexes + r.keys_heap + r.keys_indexes;
  log(`storage: ${r.rows} rows, ${fmtBytes(total)} total`);
  add({
    section: `5 storage ${label}`,
    metric: 'bytes per usage row: model_usage (heap + TOAST + indexes) + usage_keys',
    value: `${per(total).toFixed(0)} B`,
    baseline: '',
    ratio: '',
    target: '≤ 250 B',
    met: per(total) <= 250,
  });
  add({
    section: `5 storage ${label}`,
    metric: 'the same without raw_usage (average stored size of the JSON subtracted)',
    value: `${(per(total) - r.raw_usage).toFixed(0)} B`,
    baseline: '',
    ratio: '',
    target: '≤ 250 B',
    met: per(total) - r.raw_usage <= 250,
  });
  note(
    `5 (${label}): per row — model_usage heap ${per(r.heap).toFixed(0)} B (average tuple ${r.tuple.toFixed(0)} B, of which raw_usage ${r.raw_usage.toFixed(0)} B), ` +
      `its indexes ${per(r.indexes).toFixed(0)} B (${idx.rows.map((x) => `${x.name.replace('omni_costs.', '')} ${per(x.bytes).toFixed(1)}`).join(', ')}), ` +
      `usage_keys heap ${per(r.keys_heap).toFixed(0)} B + pkey ${per(r.keys_indexes).toFixed(0)} B. ` +
      `Average stored bytes per column (≥ 4 B; plus a 24 B tuple header and null bitmap): ${widest}. ` +
      `usage_daily ${fmtBytes(r.daily)}, the two materialized views ${fmtBytes(r.mvs)}.`,
  );
}
