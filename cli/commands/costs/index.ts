import fs from 'node:fs';
import { Flags } from '@oclif/core';
import { COST_DIMENSIONS, costsReport } from '../../../src/reporting/costs-report.ts';
import { parseBound } from '../../../src/reporting/period.ts';
import { OmniCommand } from '../../base.ts';
import { renderCostChart } from '../../render/costs-chart.ts';
import { renderCostsCsv } from '../../render/costs-csv.ts';
import { renderCostsHtml } from '../../render/costs-html.ts';
import { renderCostsText, warningLine } from '../../render/costs-text.ts';

/** Exit code of --strict when some calls are unpriced or estimated (1 = error, 2 = bad input). */
export const STRICT_EXIT = 3;

export default class Costs extends OmniCommand {
  static summary = 'Spend per day, instance, provider, model or operation: exact and current.';
  static description =
    'Reads the daily rollups plus every call recorded since their last refresh, in one snapshot, so the totals are exact at this moment. Unpriced and estimated calls are always counted in a warning line.';
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --since 2026-12-01 --by model',
    '<%= config.bin %> <%= command.id %> --instance 6f1c… --tz Asia/Kolkata --chart',
    '<%= config.bin %> <%= command.id %> --html costs.html',
    '<%= config.bin %> <%= command.id %> --strict --json',
  ];
  static flags = {
    instance: Flags.string({ summary: 'Only this instance (uuid).' }),
    since: Flags.string({
      summary: 'From this day (YYYY-MM-DD, in --tz) or instant (ISO 8601 with a zone), inclusive.',
    }),
    until: Flags.string({
      summary: 'Through this day (YYYY-MM-DD, inclusive) or up to this instant (exclusive).',
    }),
    by: Flags.option({
      options: COST_DIMENSIONS,
      default: 'day' as const,
      summary: 'Breakdown dimension.',
    })(),
    tz: Flags.string({ summary: 'IANA time zone of the day boundaries, e.g. Asia/Kolkata.', default: 'UTC' }),
    strict: Flags.boolean({
      summary: `Exit with code ${STRICT_EXIT} when any call is unpriced or estimated.`,
    }),
    csv: Flags.boolean({ summary: 'Print the breakdown as CSV (exact amounts).', exclusive: ['chart'] }),
    chart: Flags.boolean({ summary: 'Draw a bar chart of cost per day.' }),
    html: Flags.string({
      summary: 'Also write a self-contained HTML report (chart and tables) to this file.',
    }),
  };

  async run() {
    const { flags } = await this.parse(Costs);
    const { db } = await this.database();
    const report = await costsReport(db, {
      instanceId: flags.instance ?? null,
      since: parseBound('--since', flags.since),
      until: parseBound('--until', flags.until),
      by: flags.by,
      tz: flags.tz,
    });
    if (flags.html) fs.writeFileSync(flags.html, renderCostsHtml(report));
    if (flags.csv) {
      if (!this.jsonEnabled()) process.stdout.write(`${renderCostsCsv(report)}\n`);
      this.logToStderr(warningLine(report.warnings));
    } else {
      this.log(flags.chart && report.totals.calls > 0 ? renderCostChart(report) : renderCostsText(report));
      if (flags.chart && report.totals.calls > 0) this.log(`\n${renderCostsText(report)}`);
    }
    if (flags.html && !this.jsonEnabled()) this.log(`Wrote ${flags.html}`);
    const inexact = report.warnings.unpriced_calls + report.warnings.estimated_calls;
    if (flags.strict && inexact > 0) {
      this.logToStderr(`--strict: ${inexact} calls are unpriced or estimated; exit code ${STRICT_EXIT}.`);
      process.exitCode = STRICT_EXIT;
    }
    return flags.html ? { ...report, html_file: flags.html } : report;
  }
}
