// SQL of the report measurements: how `omni costs` reads (captured from costsReport itself), a stand-in on
// usage_daily + the tail for when the reporting module is absent, and the same aggregation on the raw table.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommonQueryMethods } from 'slonik';

export interface CapturedQuery {
  text: string;
  values: unknown[];
}

export type By = 'day' | 'model';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** 'cli' when `omni costs` is a registered command; 'library' when only src/reporting/costs-report.ts is. */
export function reportPath(): 'cli' | 'library' | 'sql' {
  const index = fs.readFileSync(`${ROOT}cli/commands/index.ts`, 'utf8');
  if (/['"]?costs['"]?\s*:/.test(index)) return 'cli';
  if (fs.existsSync(`${ROOT}src/reporting/costs-report.ts`)) return 'library';
  return 'sql';
}

/** The statements costsReport() sends, captured by running it through a recording proxy of the pool. */
export async function captureCostsReport(
  db: CommonQueryMethods,
  since: string,
  until: string,
  by: By,
): Promise<CapturedQuery[]> {
  const { costsReport } = await import('../../src/reporting/costs-report.ts');
  const captured: CapturedQuery[] = [];
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (query: { sql?: string; values?: unknown[] }, ...rest: unknown[]) => {
        if (query && typeof query.sql === 'string') {
          // slonik numbers its placeholders $slonik_N; the wire protocol wants $N.
          captured.push({
            text: query.sql.replace(/\$slonik_(\d+)/g, '$$$1'),
            values: [...(query.values ?? [])],
          });
        }
        return value.call(target, query, ...rest);
      };
    },
  });
  await costsReport(proxy, {
    since: { date: since, instant: null },
    until: { date: until, instant: null },
    by,
  });
  return captured;
}

const keyOf = (by: By) => (by === 'day' ? 'g.day::text' : "g.provider || '/' || g.model");

function shape(by: By, grain: string): string {
  return `
    WITH g AS (${grain})
    SELECT jsonb_build_object(
      'totals', (SELECT jsonb_build_object('calls', sum(g.calls), 'cost_usd', sum(g.cost_usd),
                   'unpriced_calls', coalesce(sum(g.calls) FILTER (WHERE g.cost_status = 'unpriced'), 0)) FROM g),
      'breakdown', (SELECT jsonb_agg(jsonb_build_object('key', k.key, 'calls', k.calls, 'cost_usd', k.cost_usd)
                                     ORDER BY k.cost_usd DESC)
                      FROM (SELECT ${keyOf(by)} AS key, sum(g.calls) AS calls, sum(g.cost_usd) AS cost_usd
                              FROM g GROUP BY 1) k),
      'daily', (SELECT jsonb_agg(jsonb_build_object('day', d.day, 'calls', d.calls, 'cost_usd', d.cost_usd) ORDER BY d.day)
                  FROM (SELECT g.day, sum(g.calls) AS calls, sum(g.cost_usd) AS cost_usd FROM g GROUP BY g.day) d)
    ) AS report`;
}

/** The same aggregation straight from model_usage: $1 = since (date), $2 = until (date, inclusive). */
export function rawReportSql(by: By): CapturedQuery['text'] {
  return shape(
    by,
    `SELECT (u.occurred_at AT TIME ZONE 'UTC')::date AS day, u.provider, u.model, u.cost_status,
            count(*) AS calls, coalesce(sum(u.processing_cost_usd), 0) AS cost_usd
       FROM omni_costs.model_usage u
      WHERE u.occurred_at >= $1::date::timestamp AT TIME ZONE 'UTC'
        AND u.occurred_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
      GROUP BY 1, 2, 3, 4`,
  );
}

/** Stand-in for `omni costs` when src/reporting is absent: usage_daily plus the rows committed since its snapshot. */
export function rollupReportSql(by: By): CapturedQuery['text'] {
  return shape(
    by,
    `SELECT d.day, d.provider, d.model, d.cost_status, d.calls, d.cost_usd
       FROM omni_costs.usage_daily d
      WHERE d.day >= $1::date AND d.day <= $2::date
     UNION ALL
     SELECT (u.occurred_at AT TIME ZONE 'UTC')::date, u.provider, u.model, u.cost_status, 1, coalesce(u.processing_cost_usd, 0)
       FROM omni_costs.model_usage u, omni_costs.rollup_state st
      WHERE u.recorded_xid >= pg_snapshot_xmin(st.snapshot)::text::bigint
        AND NOT pg_visible_in_snapshot(u.recorded_xid::text::xid8, st.snapshot)
        AND u.occurred_at >= $1::date::timestamp AT TIME ZONE 'UTC'
        AND u.occurred_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'`,
  );
}
