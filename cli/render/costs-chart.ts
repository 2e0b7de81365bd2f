// `omni costs --chart`: cost per day as horizontal bars. Bar lengths come from SQL as permille of the
// largest day, so no money passes through a float here.
import type { CostsReport } from '../../src/reporting/costs-report.ts';
import { formatUsd } from '../../src/reporting/money.ts';
import { bar } from './words.ts';

export function renderCostChart(r: CostsReport, width = 40): string {
  if (r.daily.length === 0) return 'No days to chart yet.';
  const zone = r.tz === 'UTC' ? 'UTC' : r.tz;
  const lines = r.daily.map(
    (d) => `${d.day} │${bar(d.bar_permille, width)} ${formatUsd(d.cost_usd)}  (${d.calls})`,
  );
  return [`Cost per day (${zone}; calls in brackets)`, ...lines].join('\n');
}
