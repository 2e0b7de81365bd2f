import { Args } from '@oclif/core';
import { priceHistory } from '../../../src/pricing/price-queries.ts';
import { OmniCommand } from '../../base.ts';
import { compactPrices, providerFlag, shortTime } from '../../pricing-flags.ts';

export default class PricingHistory extends OmniCommand {
  static summary = "Show a model's price ranges over time and who changed them, when and why.";
  static examples = [
    '<%= config.bin %> <%= command.id %> gpt-4o',
    '<%= config.bin %> <%= command.id %> gemini-2.5-pro --provider gemini --json',
  ];
  static args = { model: Args.string({ description: 'Priced model id, e.g. gpt-4o.', required: true }) };
  static flags = { provider: providerFlag() };

  async run() {
    const { args, flags } = await this.parse(PricingHistory);
    const { db } = await this.database();
    const history = await priceHistory(db, args.model, flags.provider);
    if (!this.jsonEnabled()) {
      if (history.prices.length === 0) {
        this.log(`No price rows for ${args.model}. Try omni pricing list --model '*${args.model}*'.`);
      } else {
        this.table(
          history.prices.map((p) => ({
            pricing_id: p.pricing_id,
            provider: p.provider,
            tier: p.service_tier,
            min_input: p.min_input_tokens,
            from: shortTime(p.effective_from),
            until: shortTime(p.effective_until),
            prices: compactPrices(p),
            source: p.source,
          })),
        );
      }
      if (history.changes.length > 0) {
        this.log('\nChanges:');
        this.table(
          history.changes.map((c) => ({
            changed_at: shortTime(c.changed_at),
            changed_by: c.changed_by,
            action: c.action,
            pricing_id: c.pricing_id,
            reason: c.reason,
          })),
        );
      }
    }
    return history;
  }
}
