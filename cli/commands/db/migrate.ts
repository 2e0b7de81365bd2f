import { migrate } from '../../../src/db/migrate.ts';
import { resolveDatabaseUrl } from '../../../src/db/server.ts';
import { OmniCommand } from '../../base.ts';

export default class DbMigrate extends OmniCommand {
  static summary = 'Apply pending schema migrations.';
  static description =
    'Uses DATABASE_URL, or the embedded PostgreSQL in .omni/ (OMNI_DATA_DIR) when it is not set.';
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    'DATABASE_URL=postgres://localhost/omni <%= config.bin %> <%= command.id %>',
  ];

  async run() {
    const url = await resolveDatabaseUrl();
    const { applied } = await migrate(url);
    this.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema is up to date.');
    return { applied };
  }
}
