import { refreshRollups } from '../../../src/jobs/refresh-rollups.ts';
import { OmniCommand } from '../../base.ts';

export default class ViewsRefresh extends OmniCommand {
  static summary = 'Bring the daily rollups and their materialized views up to date now.';
  static examples = ['<%= config.bin %> <%= command.id %>'];

  async run() {
    const { db } = await this.database();
    const result = await refreshRollups(db);
    this.log(
      `Rollups refreshed: ${result.rows_added} new rows, ${result.days_recomputed} days re-aggregated, ${result.duration_ms} ms.`,
    );
    return result;
  }
}
