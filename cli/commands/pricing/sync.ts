import { Flags } from '@oclif/core';
import { syncPrices } from '../../../src/pricing/sync.ts';
import { OmniCommand } from '../../base.ts';
import { compactPrices } from '../../pricing-flags.ts';

export default class PricingSync extends OmniCommand {
  static summary = 'Bring the price registry in line with the catalogue (ours, then @pydantic/genai-prices).';
  static description = [
    'Identical rows are left alone, so running it again changes nothing. A changed price closes the old range at',
    'the change and opens a new one; no price is edited and no row deleted. Rows set with omni pricing set are',
    'never closed: a disagreement with one is reported. Alias and estimate rules are upserted.',
  ].join('\n');
  static examples = ['<%= config.bin %> <%= command.id %> --dry-run', '<%= config.bin %> <%= command.id %>'];
  static flags = { 'dry-run': Flags.boolean({ summary: 'Show what would change; write nothing.' }) };

  async run() {
    const { flags } = await this.parse(PricingSync);
    const { db } = await this.database();
    const result = await syncPrices(db, { dryRun: flags['dry-run'] === true });
    if (!this.jsonEnabled()) {
      if (result.changes.length > 0) {
        this.table(
          result.changes.map((c) => ({
            action: c.action,
            pricing_id: c.pricing_id,
            provider: c.provider,
            model: c.model,
            tier: c.service_tier,
            min_input: c.min_input_tokens,
            from: c.effective_from,
            until: c.effective_until,
            prices: c.action === 'open' ? compactPrices(c.prices) : '',
            reason: c.reason,
          })),
        );
        this.log('');
      }
      for (const conflict of result.conflicts) this.warn(conflict.message);
      const verb = result.dry_run ? 'would be' : 'were';
      this.log(
        `${result.dry_run ? 'Dry run: ' : ''}${result.opened} price ranges ${verb} opened, ${result.closed} closed, ${result.unchanged} unchanged; ` +
          `aliases ${result.aliases.added} added, ${result.aliases.updated} updated; ` +
          `estimate rules ${result.estimates.added} added, ${result.estimates.updated} updated.`,
      );
    }
    return result;
  }
}
