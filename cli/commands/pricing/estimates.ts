import { listEstimates } from '../../../src/pricing/price-queries.ts';
import { OmniCommand } from '../../base.ts';

export default class PricingEstimates extends OmniCommand {
  static summary = 'List the fallback estimate rules used when a call has no usage or its model no price.';
  static description =
    "The most specific rule wins: (operation, provider, model) over (operation, provider) over (operation). Tokens and audio seconds stand in for missing usage and are priced at the model's row; usd_per_call is a flat cost for a model without a price.";
  static examples = ['<%= config.bin %> <%= command.id %>'];

  async run() {
    const { db } = await this.database();
    const estimates = await listEstimates(db);
    if (!this.jsonEnabled()) {
      if (estimates.length === 0)
        this.log('No estimate rules. Run omni pricing sync to load them from the catalogue.');
      else
        this.table(
          estimates.map((e) => ({
            estimate_id: e.estimate_id,
            operation: e.operation,
            provider: e.provider ?? '*',
            model: e.model ?? '*',
            input_tokens: e.input_tokens,
            output_tokens: e.output_tokens,
            audio_seconds: e.audio_seconds,
            usd_per_call: e.usd_per_call,
            note: e.note,
          })),
        );
    }
    return { estimates };
  }
}
