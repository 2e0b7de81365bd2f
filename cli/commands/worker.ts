import { Flags } from '@oclif/core';
import { DEFAULT_REFRESH_CRON } from '../../src/jobs/queues.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { OmniCommand } from '../base.ts';

export default class Worker extends OmniCommand {
  static summary =
    'Run the background jobs: the rollup refresh (every 5 minutes by default) and partition upkeep.';
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --refresh-cron "* * * * *"',
  ];
  static flags = {
    'refresh-cron': Flags.string({
      summary: 'Cron schedule (5 fields, UTC) of the rollup refresh.',
      default: process.env.OMNI_REFRESH_CRON ?? DEFAULT_REFRESH_CRON,
    }),
  };

  async run() {
    const { flags } = await this.parse(Worker);
    const { db, url } = await this.database();
    const worker = await startWorker(db, url, {
      refreshCron: flags['refresh-cron'],
      log: (l) => this.log(l),
    });
    this.log(`omni worker: refreshing rollups on "${flags['refresh-cron']}" (UTC). Ctrl-C to stop.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await worker.stop();
    return { stopped: true };
  }
}
