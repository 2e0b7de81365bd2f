import { stopEmbeddedServer } from '../../../src/db/embedded.ts';
import { OmniCommand } from '../../base.ts';

export default class DbStop extends OmniCommand {
  static summary = 'Stop the embedded PostgreSQL, if it runs. Its data stays in .omni/.';
  static examples = ['<%= config.bin %> <%= command.id %>'];

  async run() {
    const stopped = await stopEmbeddedServer();
    this.log(stopped ? 'Embedded PostgreSQL stopped.' : 'Embedded PostgreSQL was not running.');
    return { stopped };
  }
}
