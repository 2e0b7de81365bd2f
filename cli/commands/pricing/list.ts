import { Flags } from '@oclif/core';
import { listPrices } from '../../../src/pricing/price-queries.ts';
import { OmniCommand } from '../../base.ts';
import { compactPrices, providerFlag, shortTime, timeFlag } from '../../pricing-flags.ts';

export default class PricingList extends OmniCommand {
  static summary = 'List the prices in force at a time (default: now).';
  static description =
    'Token prices are USD per 1,000,000 tokens. --json gives every price column as a decimal string.';
  static examples = [
    '<%= config.bin %> <%= command.id %> --provider openai',
    '<%= config.bin %> <%= command.id %> --model gpt-4o --at 2024-09-01',
    "<%= config.bin %> <%= command.id %> --model 'gemini-2.5-*' --json",
  ];
  static flags = {
    provider: providerFlag(),
    model: Flags.string({ summary: 'Priced model id; * is a wildcard.' }),
    at: timeFlag('at', 'The time the prices were in force.'),
  };

  async run() {
    const { flags } = await this.parse(PricingList);
    const at = flags.at ?? new Date().toISOString();
    const { db } = await this.database();
    const prices = await listPrices(db, { provider: flags.provider, model: flags.model, at });
    if (!this.jsonEnabled()) {
      if (prices.length === 0) this.log(`No prices in force at ${at}.`);
      else
        this.table(
          prices.map((p) => ({
            pricing_id: p.pricing_id,
            provider: p.provider,
            model: p.model,
            tier: p.service_tier,
            min_input: p.min_input_tokens,
            from: shortTime(p.effective_from),
            until: shortTime(p.effective_until),
            prices: compactPrices(p),
          })),
        );
    }
    return { at, prices };
  }
}
