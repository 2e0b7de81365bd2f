import { setTimeout as sleep } from 'node:timers/promises';
import { Args, Flags } from '@oclif/core';
import { resolveBatchId } from '../../../src/reporting/batch-lookup.ts';
import { batchStatus, isFinal } from '../../../src/reporting/batch-status.ts';
import { OmniCommand } from '../../base.ts';
import { renderBatchStatus } from '../../render/batch-status-text.ts';

export default class BatchStatus extends OmniCommand {
  static summary =
    'Progress and real cost of a batch: cost so far, per item, projected total, estimate vs actual.';
  static examples = [
    '<%= config.bin %> <%= command.id %> 1f2e3d4c',
    '<%= config.bin %> <%= command.id %> 1f2e3d4c --watch --interval 2',
    '<%= config.bin %> <%= command.id %> 1f2e3d4c-5b6a-4789-9abc-def012345678 --json',
  ];
  static args = { id: Args.string({ description: 'Batch id, or a unique prefix of it.', required: true }) };
  static flags = {
    watch: Flags.boolean({ char: 'w', summary: 'Redraw until the batch is completed, failed or cancelled.' }),
    interval: Flags.integer({ summary: 'Seconds between redraws with --watch.', default: 2, min: 1 }),
  };

  async run() {
    const { args, flags } = await this.parse(BatchStatus);
    const { db } = await this.database();
    const id = await resolveBatchId(db, args.id);
    let status = await batchStatus(db, id);
    if (!flags.watch) {
      this.log(renderBatchStatus(status));
      return status;
    }
    // On a terminal, clear and redraw in place; piped output gets one frame after another.
    const redraw = process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
    for (;;) {
      if (!this.jsonEnabled())
        process.stdout.write(`${redraw}${renderBatchStatus(status)}\n${redraw ? '' : '\n'}`);
      if (isFinal(status.status)) return status;
      await sleep(flags.interval * 1000);
      status = await batchStatus(db, id);
    }
  }
}
