// 3. Reports: `omni costs` for the last 30 days, by day and by model. Server time = EXPLAIN ANALYZE
// (planning + execution) of exactly the statement the report sends; end-to-end = a fresh CLI process
// (connect, migrations check, query, render). Compared with the same aggregation on the raw table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { type BenchDatabase, explainAnalyze } from './lib/db.ts';
import type { Dataset } from './lib/load.ts';
import {
  type By,
  type CapturedQuery,
  captureCostsReport,
  rawReportSql,
  reportPath,
  rollupReportSql,
} from './lib/report-sql.ts';
import { runNode } from './lib/spawn.ts';
import { fmtMs, fmtRatio, log, median } from './lib/stats.ts';
import { add, note } from './lib/table.ts';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function serverTime(c: pg.Client, queries: CapturedQuery[], runs: number, dump: string) {
  const totals: number[] = [];
  const plans: unknown[] = [];
  for (let i = 0; i <= runs; i++) {
    let t = 0;
    for (const q of queries) {
      const e = await explainAnalyze(c, q.text, q.values);
      t += e.total;
      if (i === runs) plans.push(e.plan);
    }
    if (i > 0) totals.push(t); // the first run warms the cache
  }
  fs.writeFileSync(dump, JSON.stringify(plans, null, 1));
  return median(totals);
}

export async function benchReports(
  d: BenchDatabase,
  c: pg.Client,
  ds: Dataset,
  o: { runs: number; label: string },
): Promise<number[]> {
  const since = day(ds.toMs - 29 * 86_400_000);
  const until = day(ds.toMs);
  const how = reportPath();
  const rss: number[] = [];
  note(
    how === 'cli'
      ? '3: reports run the real `omni costs` CLI; server time is EXPLAIN ANALYZE of the statement costsReport() sends.'
      : how === 'library'
        ? '3: `omni costs` is not registered yet: server time is EXPLAIN ANALYZE of the statement src/reporting costsReport() sends, and end-to-end is a fresh Node process running costsReport() with its own pool.'
        : '3: neither `omni costs` nor src/reporting exists: the report is an equivalent SQL on usage_daily + the tail (bench/lib/report-sql.ts).',
  );
  for (const by of ['day', 'model'] as By[]) {
    const queries =
      how === 'sql'
        ? [{ text: rollupReportSql(by), values: [since, until] }]
        : await captureCostsReport(d.db, since, until, by);
    const dumpDir = os.tmpdir();
    const server = await serverTime(
      c,
      queries,
      o.runs,
      path.join(dumpDir, `omni-bench-plan-report-${by}.json`),
    );
    const raw = await serverTime(
      c,
      [{ text: rawReportSql(by), values: [since, until] }],
      Math.max(2, Math.ceil(o.runs / 2)),
      path.join(dumpDir, `omni-bench-plan-raw-${by}.json`),
    );
    log(`reports by ${by}: report ${fmtMs(server)} server, raw ${fmtMs(raw)}`);
    add({
      section: `3 reports ${o.label}`,
      metric: `omni costs, last 30 days, by ${by}: server time`,
      value: fmtMs(server),
      baseline: `${fmtMs(raw)} (raw table)`,
      ratio: fmtRatio(server / raw),
      target: '≤ 50 ms (at 10M); ≤ 0.1×',
      met: server <= 50 && server / raw <= 0.1,
    });
    if (how !== 'sql') {
      const args =
        how === 'cli'
          ? ['cli/bin/run.js', 'costs', '--since', since, '--until', until, '--by', by]
          : ['bench/lib/report-child.ts', since, until, by];
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await runNode(args, { DATABASE_URL: d.url });
        if (r.code !== 0) {
          log(`  report process failed (${r.code}): ${r.stderr.slice(0, 500)}`);
          break;
        }
        times.push(r.ms);
        rss.push(r.maxRss);
      }
      add({
        section: `3 reports ${o.label}`,
        metric: `omni costs by ${by}: end-to-end ${how === 'cli' ? 'CLI' : 'process'} time`,
        value: fmtMs(median(times)),
        baseline: '',
        ratio: '',
        target: 'info',
      });
    }
  }
  return rss;
}
