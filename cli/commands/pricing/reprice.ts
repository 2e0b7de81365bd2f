import { Flags } from '@oclif/core';
import { reprice } from '../../../src/pricing/reprice.ts';
import { OmniCommand } from '../../base.ts';
import { providerFlag, timeFlag } from '../../pricing-flags.ts';

export default class PricingReprice extends OmniCommand {
  static summary = 'Recompute the cost of already-priced calls after a backdated price correction.';
  static description = [
    "Uses the prices in force now for each call's occurred_at. --dry-run shows the difference per day and per",
    'batch and writes nothing; the real run computes exactly the same, updates the calls and the batch totals,',
    'marks the days for the next rollup refresh and records who, when, why and the old and new totals.',
  ].join('\n');
  static examples = [
    '<%= config.bin %> <%= command.id %> --provider openai --model gpt-4o --since 2025-02-11 --dry-run',
    '<%= config.bin %> <%= command.id %> --provider openai --model gpt-4o --since 2025-02-11 --reason "invoice shows the Feb 11 increase"',
  ];
  static flags = {
    provider: providerFlag(),
    model: Flags.string({ summary: 'Model as recorded, or the priced model it resolves to.' }),
    since: timeFlag('since', 'Calls from this time, inclusive.'),
    until: timeFlag('until', 'Calls before this time, exclusive.'),
    'dry-run': Flags.boolean({ summary: 'Show the difference per day and per batch; write nothing.' }),
    reason: Flags.string({ summary: 'Why (required for a real run; kept in the audit log).' }),
  };

  async run() {
    const { flags } = await this.parse(PricingReprice);
    const { db } = await this.database();
    const result = await reprice(db, {
      provider: flags.provider ?? null,
      model: flags.model ?? null,
      since: flags.since ?? null,
      until: flags.until ?? null,
      reason: flags.reason ?? null,
      dryRun: flags['dry-run'] === true,
    });
    if (!this.jsonEnabled()) {
      if (result.days.length > 0) {
        this.log('Per day (UTC):');
        this.table(
          result.days.map((d) => ({ ...d })),
          ['day', 'rows_changed', 'old_total_usd', 'new_total_usd', 'delta_usd'],
        );
      }
      if (result.batches.length > 0) {
        this.log('\nPer batch:');
        this.table(
          result.batches.map((b) => ({ ...b })),
          ['batch_job_id', 'rows_changed', 'old_total_usd', 'new_total_usd', 'delta_usd'],
        );
      }
      const head = result.dry_run ? 'Dry run: would change' : `Reprice run ${result.run_id}: changed`;
      this.log(
        `${result.days.length > 0 ? '\n' : ''}${head} ${result.rows_changed} calls, total ${result.old_total_usd} -> ${result.new_total_usd} USD (delta ${result.delta_usd}).`,
      );
    }
    return result;
  }
}
