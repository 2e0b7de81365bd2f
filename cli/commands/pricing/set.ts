import { Flags } from '@oclif/core';
import { setPrice } from '../../../src/pricing/set-price.ts';
import { OmniCommand } from '../../base.ts';
import { priceFlags, pricesFromFlags, providerFlag, shortTime, timeFlag } from '../../pricing-flags.ts';

export default class PricingSet extends OmniCommand {
  static summary = 'Open a price range, closing the range in force at its start. Refuses overlaps.';
  static description = [
    'Prices are never edited: the range in force at --from is closed there and the new one opens. A range set',
    'inside an open one splits it: the old prices continue after --until. Calls already priced keep their cost',
    'until omni pricing reprice; calls waiting for a price are priced at once. The change is audited with your',
    'database role and --reason.',
  ].join('\n');
  static examples = [
    '<%= config.bin %> <%= command.id %> --provider openai --model gpt-4o --from 2024-10-02 --input-usd-per-mtok 2.50 --cached-input-usd-per-mtok 1.25 --output-usd-per-mtok 10 --reason "price cut"',
    '<%= config.bin %> <%= command.id %> --provider groq --model whisper-large-v3 --from 2025-01-01 --audio-usd-per-hour 0.111 --audio-min-seconds 10',
  ];
  static flags = {
    provider: providerFlag({ required: true }),
    model: Flags.string({ summary: 'Priced model id, e.g. gpt-4o.', required: true }),
    from: timeFlag('from', 'Start of the range, inclusive.', { required: true }),
    until: timeFlag('until', 'End of the range, exclusive (default: open-ended).'),
    tier: Flags.string({ summary: 'Service tier: standard, batch, flex, priority.', default: 'standard' }),
    'min-input-tokens': Flags.integer({
      summary: 'Prompt-size tier, inclusive (e.g. 200001 for prices above 200k tokens).',
      default: 0,
      min: 0,
    }),
    reason: Flags.string({ summary: 'Why (kept in the audit log).' }),
    source: Flags.string({ summary: 'Where the price comes from (a URL).', default: 'cli' }),
    'checked-on': Flags.string({ summary: 'Date the price was checked, YYYY-MM-DD.' }),
    ...priceFlags,
  };

  async run() {
    const { flags } = await this.parse(PricingSet);
    const { db } = await this.database();
    const changes = await setPrice(db, {
      provider: flags.provider as string,
      model: flags.model,
      from: flags.from as string,
      until: flags.until ?? null,
      service_tier: flags.tier,
      min_input_tokens: flags['min-input-tokens'],
      prices: pricesFromFlags(flags),
      reason: flags.reason ?? null,
      source: flags.source,
      checked_on: flags['checked-on'] ?? null,
    });
    this.table(
      changes.map((c) => ({
        action: c.action,
        pricing_id: c.pricing_id,
        from: shortTime(c.effective_from),
        until: shortTime(c.effective_until),
      })),
    );
    return { changes };
  }
}
