import { Args } from '@oclif/core';
import { explainCost } from '../../../src/pricing/explain.ts';
import { OmniCommand } from '../../base.ts';
import { compactPrices, shortTime } from '../../pricing-flags.ts';

export default class CostsExplain extends OmniCommand {
  static summary =
    'Show how the cost of one call was computed: price row, matched rule, line-by-line arithmetic.';
  static examples = [
    '<%= config.bin %> <%= command.id %> 42',
    '<%= config.bin %> <%= command.id %> 42 --json',
  ];
  static args = { usage_id: Args.integer({ description: 'usage_id of the call.', required: true, min: 1 }) };

  async run() {
    const { args } = await this.parse(CostsExplain);
    const { db } = await this.database();
    const x = await explainCost(db, args.usage_id);
    if (!this.jsonEnabled()) {
      const call = x.call as Record<string, string | number | null>;
      this.log(
        `Call ${x.usage_id}: ${call.provider} ${call.model} (${call.operation}) at ${shortTime(call.occurred_at as string)}, ${call.cost_status}`,
      );
      if (x.price) {
        const p = x.price as Record<string, string | number | null>;
        this.log(
          `Price row ${p.pricing_id}: ${p.provider}/${p.model} tier ${p.service_tier}, min_input_tokens ${p.min_input_tokens}, ` +
            `[${shortTime(p.effective_from as string)}, ${p.effective_until ? shortTime(p.effective_until as string) : '∞'}), source ${p.source}`,
        );
        this.log(`  ${compactPrices(p as Record<string, string>)} (token prices per 1M tokens, USD)`);
        this.log(`  ${p.prompt_tier}`);
      } else {
        this.log('Price row: none');
      }
      if (x.rule)
        this.log(
          `Rule: ${x.rule.pricing_match}: ${x.rule.explanation} (${x.rule.model_as_recorded} -> ${x.rule.priced_as})`,
        );
      if (x.estimate) {
        this.log(`Estimate rule ${x.estimate.estimate_id} (${x.estimate.used_for}): ${x.estimate.note}`);
      }
      if (call.cost_note) this.log(`Note: ${call.cost_note}`);
      if (x.lines.length > 0) {
        this.log('');
        this.table(
          x.lines.map((l) => ({
            line: l.line,
            quantity: l.quantity,
            unit: l.unit,
            'usd/unit': l.unit_price_usd,
            amount_usd: l.amount_usd,
          })),
        );
      }
      this.log(
        `\nTotal: ${x.total_usd ?? 'unknown'} USD (stored: ${x.stored_cost_usd ?? 'unknown'}) - ${x.note}`,
      );
    }
    return x;
  }
}
