// 6. Memory: peak RSS of the report process, and the RSS of one worker process over an ingest of many rows
// through recordUsage (sampled as it goes): it must stay flat.
import { WORKER_BATCH } from './lib/load.ts';
import { fmtBytes, fmtInt } from './lib/stats.ts';
import { add } from './lib/table.ts';
import type { IngestResult } from './lib/workers.ts';

export function benchMemory(worker: IngestResult | undefined, cliRss: number[], cliLabel: string): void {
  const finite = cliRss.filter(Number.isFinite);
  if (finite.length) {
    add({
      section: '6 memory',
      metric: `peak RSS of ${cliLabel} (max of ${finite.length} runs)`,
      value: fmtBytes(Math.max(...finite)),
      baseline: '',
      ratio: '',
      target: 'info',
    });
  }
  if (!worker || worker.samples.length < 3) return;
  // Start-up and warm-up (V8 growing its heap to its working size) take the first tens of thousands of rows;
  // from a quarter of the run on, the RSS must not grow: the sample at 25% of the rows against the last one.
  const s = worker.samples;
  const first = s.find((x) => x.rows >= worker.rows / 4) ?? s[0];
  const last = s[s.length - 1];
  const peak = Math.max(...s.map((x) => x.rss));
  const growth = last.rss / first.rss;
  add({
    section: '6 memory',
    metric: `worker RSS over ${fmtInt(worker.rows)} rows via recordUsage (${WORKER_BATCH}-row calls): at ${fmtInt(first.rows)} rows → at the end`,
    value: `${fmtBytes(first.rss)} → ${fmtBytes(last.rss)} (peak ${fmtBytes(Math.max(peak, worker.maxRss))})`,
    baseline: `heap ${fmtBytes(first.heapUsed)} → ${fmtBytes(last.heapUsed)}`,
    ratio: fmtRatio(growth),
    target: 'flat (≤ 1.1× from 25% of the rows on)',
    met: growth <= 1.1,
  });
}

function fmtRatio(n: number): string {
  return `${n.toFixed(2)}×`;
}
