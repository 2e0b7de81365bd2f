import { Flags } from '@oclif/core';
import { runDemo } from '../../src/demo/run-demo.ts';
import { OmniCommand } from '../base.ts';
import { renderBatchStatus } from '../render/batch-status-text.ts';
import { renderCostsText } from '../render/costs-text.ts';

export default class Demo extends OmniCommand {
  static summary =
    'See it all work: replay a media batch through capture, ingest, pricing and rollups, then report.';
  static description =
    'Uses the embedded PostgreSQL unless DATABASE_URL is set. Safe to run again: each run records a new batch for the demo instance.';
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --workers 8 --json',
  ];
  static flags = {
    workers: Flags.integer({
      summary: 'Concurrent workers replaying the batch.',
      default: 4,
      min: 1,
      max: 32,
    }),
  };

  async run() {
    const { flags } = await this.parse(Demo);
    const { db, url } = await this.database({ maximumPoolSize: flags.workers + 2 });
    this.log(
      'omni demo: a night of media processing for one instance, replayed through the real pipeline.\n',
    );
    const result = await runDemo(db, url, { workers: flags.workers, log: (line) => this.log(line) });
    this.log(`\n$ omni costs --instance ${result.instance_id} --by model`);
    this.log(renderCostsText(result.costs));
    this.log(`\n$ omni batch status ${result.batch_id.slice(0, 8)}`);
    this.log(renderBatchStatus(result.batch_status));
    this.log(
      `\nNext: omni costs --chart · omni costs --html costs.html · omni costs message demo-${result.batch_id.slice(0, 8)}-000` +
        ` · omni batch estimate --instance ${result.instance_id} --type media_transcription --items 100`,
    );
    return result;
  }
}
