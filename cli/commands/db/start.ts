import { redact, resolveDatabaseUrl } from '../../../src/db/server.ts';
import { OmniCommand } from '../../base.ts';

export default class DbStart extends OmniCommand {
  static summary =
    'Start the embedded PostgreSQL (first use initialises it) and print its connection string.';
  static examples = ['<%= config.bin %> <%= command.id %>'];

  async run() {
    const url = await resolveDatabaseUrl();
    this.log(redact(url));
    return { database_url: redact(url), embedded: !process.env.DATABASE_URL };
  }
}
