import { pricingGaps } from '../../../src/pricing/price-queries.ts';
import { OmniCommand } from '../../base.ts';
import { shortTime } from '../../pricing-flags.ts';

export default class PricingGaps extends OmniCommand {
  static summary = 'List models used without a price, and holes in price histories.';
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  async run() {
    const { db } = await this.database();
    const gaps = await pricingGaps(db);
    if (!this.jsonEnabled()) {
      const unpriced = gaps.filter((g) => g.kind === 'unpriced_model');
      const holes = gaps.filter((g) => g.kind === 'history_hole');
      if (gaps.length === 0) this.log('No gaps: every call found a price, and no price history has a hole.');
      if (unpriced.length > 0) {
        this.log('Models used without a price:');
        this.table(
          unpriced.map((g) => ({
            provider: g.provider,
            model: g.model,
            calls: g.calls,
            first_seen: shortTime(g.first_seen),
            last_seen: shortTime(g.last_seen),
          })),
        );
      }
      if (holes.length > 0) {
        this.log(`${unpriced.length > 0 ? '\n' : ''}Holes in price histories:`);
        this.table(
          holes.map((g) => ({
            provider: g.provider,
            model: g.model,
            tier: g.service_tier,
            min_input: g.min_input_tokens,
            from: shortTime(g.gap_from),
            until: shortTime(g.gap_until),
          })),
        );
      }
    }
    return { gaps };
  }
}
